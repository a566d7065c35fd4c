"""The ``format`` values of JSON Schema and of the OpenAPI Format Registry
(https://spec.openapis.org/registry/format/): a generator of a valid value for each, the
integer range each integer format implies, and a checker for each string format JSON
Schema validators do not know (``decimal``, ``byte``, ``sf-token``, ``http-date``...).

Formats unknown here generate as plain strings and are not checked, as JSON Schema says of
unknown formats.
"""

from __future__ import annotations

import base64
import random
import re
import string
import uuid
from collections.abc import Callable
from email.utils import parsedate_to_datetime

_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
          "juliet", "kilo", "lima", "mike", "november", "oscar", "papa")

#: Integer formats and the values they hold (``double-int``: integers a double holds exactly).
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1), "double-int": (-(2**53), 2**53), "unixtime": (0, 2**31 - 1),
}


def _stamp(rng: random.Random) -> tuple[int, int, int, int, int]:
    return (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
            rng.randint(0, 59))


def _date_time(rng: random.Random) -> str:
    month, day, hour, minute, second = _stamp(rng)
    return (f"2024-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
            f".{rng.randint(0, 999):03d}Z")


def _date_time_local(rng: random.Random) -> str:
    month, day, hour, minute, second = _stamp(rng)
    return f"2024-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def _http_date(rng: random.Random) -> str:
    day, hour, minute, second = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), \
        rng.randint(0, 59)
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[(day - 1) % 7]  # 2024-01-01: Mon
    return f"{weekday}, {day:02d} Jan 2024 {hour:02d}:{minute:02d}:{second:02d} GMT"


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def _decimal(rng: random.Random) -> str:
    return f"{rng.randint(0, 9999)}.{rng.randint(0, 99):02d}"


def _in_range(fmt: str) -> Callable[[random.Random], str]:
    low, high = INTEGER_RANGES[fmt]
    return lambda rng: str(rng.randint(max(low, -999_999), min(high, 999_999)))


#: One valid value per format, for ``type: string`` (string-encoded numbers included).
_STRINGS: dict[str, Callable[[random.Random], str]] = {
    "date-time": _date_time,
    "date-time-local": _date_time_local,
    "date": lambda rng: "2024-{:02d}-{:02d}".format(*_stamp(rng)[:2]),
    "time": lambda rng: "{2:02d}:{3:02d}:{4:02d}Z".format(*_stamp(rng)),
    "time-local": lambda rng: "{2:02d}:{3:02d}:{4:02d}".format(*_stamp(rng)),
    "duration": lambda rng: f"P{rng.randint(1, 28)}DT{rng.randint(0, 23)}H",
    "http-date": _http_date,
    "email": lambda rng: f"{_word(rng)}{rng.randint(1, 999)}@example.com",
    "idn-email": lambda rng: f"{_word(rng)}{rng.randint(1, 999)}@example.com",
    "hostname": lambda rng: f"{_word(rng)}{rng.randint(1, 999)}.example.com",
    "idn-hostname": lambda rng: f"{_word(rng)}{rng.randint(1, 999)}.example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randint(1, 999):x}",
    "uri": lambda rng: f"https://example.com/{_word(rng)}/{rng.randint(1, 999)}",
    "url": lambda rng: f"https://example.com/{_word(rng)}/{rng.randint(1, 999)}",
    "iri": lambda rng: f"https://example.com/{_word(rng)}/{rng.randint(1, 999)}",
    "uri-reference": lambda rng: f"/{_word(rng)}/{rng.randint(1, 999)}",
    "iri-reference": lambda rng: f"/{_word(rng)}/{rng.randint(1, 999)}",
    "uri-template": lambda rng: f"https://example.com/{_word(rng)}/{{id}}",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "byte": lambda rng: base64.b64encode(rng.randbytes(9)).decode(),
    "base64url": lambda rng: base64.urlsafe_b64encode(rng.randbytes(9)).decode().rstrip("="),
    "binary": lambda rng: "".join(rng.choice(string.ascii_letters) for _ in range(12)),
    "char": lambda rng: rng.choice(string.ascii_letters),
    "password": lambda rng: f"Pw-{_word(rng)}-{rng.randint(1, 999)}",
    "regex": lambda rng: "^[a-z]+$",
    "json-pointer": lambda rng: f"/{_word(rng)}/{rng.randint(1, 999)}",
    "relative-json-pointer": lambda rng: f"0/{_word(rng)}",
    "decimal": _decimal,
    "decimal128": _decimal,
    "double": _decimal,
    "float": _decimal,
    "media-range": lambda rng: rng.choice(("application/json", "text/plain", "image/*")),
    "commonmark": lambda rng: f"**{_word(rng)}** {_word(rng)}",
    "html": lambda rng: f"<p>{_word(rng)}</p>",
    "sf-boolean": lambda rng: rng.choice(("?0", "?1")),
    "sf-integer": lambda rng: str(rng.randint(-999, 999)),
    "sf-decimal": lambda rng: f"{rng.randint(-999, 999)}.{rng.randint(0, 999)}",
    "sf-string": lambda rng: f'"{_word(rng)}"',
    "sf-token": _word,
    "sf-binary": lambda rng: ":" + base64.b64encode(rng.randbytes(6)).decode() + ":",
    **{fmt: _in_range(fmt) for fmt in INTEGER_RANGES},
}


def string_for(fmt: object, rng: random.Random) -> str | None:
    """A string valid for ``fmt``, or None for a format this module does not know."""
    make = _STRINGS.get(fmt) if isinstance(fmt, str) else None
    return make(rng) if make is not None else None


def _http_date_ok(text: str) -> bool:
    try:
        parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return False
    return text.endswith("GMT")


def _matches(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda text: compiled.fullmatch(text) is not None


_INTEGER_TEXT = re.compile(r"-?[0-9]+")


def _integer_text(fmt: str) -> Callable[[str], bool]:
    low, high = INTEGER_RANGES[fmt]
    return lambda text: bool(_INTEGER_TEXT.fullmatch(text)) and low <= int(text) <= high


_DECIMAL = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"

#: Checkers for string formats JSON Schema validators do not know (they ignore unknown
#: formats); given to jsonschema-rs, which calls them for strings only.
CHECKERS: dict[str, Callable[[str], bool]] = {
    "decimal": _matches(_DECIMAL),
    "decimal128": _matches(_DECIMAL),
    "double": _matches(_DECIMAL),
    "float": _matches(_DECIMAL),
    "char": lambda text: len(text) == 1,
    "byte": _matches(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"),
    "base64url": _matches(r"[A-Za-z0-9_-]*={0,2}"),
    "date-time-local": _matches(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}"
                                r"(\.[0-9]+)?"),
    "time-local": _matches(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"),
    "http-date": _http_date_ok,
    "media-range": _matches(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+"
                            r"(\s*;.*)?"),
    "sf-boolean": _matches(r"\?[01]"),
    "sf-integer": _matches(r"-?[0-9]{1,15}"),
    "sf-decimal": _matches(r"-?[0-9]{1,12}\.[0-9]{1,3}"),
    "sf-string": _matches(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"'),
    "sf-token": _matches(r"[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*"),
    "sf-binary": _matches(r":[A-Za-z0-9+/]*={0,2}:"),
    **{fmt: _integer_text(fmt) for fmt in INTEGER_RANGES},
}
