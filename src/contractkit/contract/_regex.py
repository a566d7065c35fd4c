"""Generate a string that matches a regular expression (bounded), for ``pattern``.

Walks the parsed pattern (``re._parser``) and builds one matching string, choosing with a
seeded ``random.Random``; unbounded repeats (``*``, ``+``, ``{n,}``) are capped. Lookarounds
are ignored while building, so the caller checks the result with ``re.search`` and retries.
ECMA-262 Unicode property escapes (``\\p{L}``, ``\\P{N}``), which ``re`` lacks, are first
replaced by ASCII characters of (or, for ``\\P``, outside) the category: a subset, so what
matches the replacement matches the original.
"""

from __future__ import annotations

import importlib
import random
import re
import sys
from typing import Any

# The regex parser is the standard library's own; it moved (and its old name warns) in 3.11.
_NEW = sys.version_info >= (3, 11)
sre_parse: Any = importlib.import_module("re._parser" if _NEW else "sre_parse")
sre_constants: Any = importlib.import_module("re._constants" if _NEW else "sre_constants")

REPEAT_CAP = 6
_DIGITS = "0123456789"
_WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
_SPACE = " "
_PRINTABLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. "
_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: _DIGITS,
    sre_constants.CATEGORY_WORD: _WORD,
    sre_constants.CATEGORY_SPACE: _SPACE,
    sre_constants.CATEGORY_NOT_DIGIT: "abcXYZ_-",
    sre_constants.CATEGORY_NOT_WORD: "-. :",
    sre_constants.CATEGORY_NOT_SPACE: "abcXYZ019",
}


#: Unicode general category → (ASCII characters in it, ASCII characters not in it), as the
#: inside of a character class.
_PROPERTIES = {
    "L": ("a-zA-Z", "0-9"), "Letter": ("a-zA-Z", "0-9"),
    "Lu": ("A-Z", "a-z0-9"), "Ll": ("a-z", "A-Z0-9"),
    "N": ("0-9", "a-zA-Z"), "Nd": ("0-9", "a-zA-Z"), "Number": ("0-9", "a-zA-Z"),
    "Z": (" ", "a-zA-Z0-9"), "Zs": (" ", "a-zA-Z0-9"), "Separator": (" ", "a-zA-Z0-9"),
    "P": (".,:;!?", "a-zA-Z0-9"), "Punctuation": (".,:;!?", "a-zA-Z0-9"),
    "S": ("+<=>|~", "a-zA-Z0-9"), "Symbol": ("+<=>|~", "a-zA-Z0-9"),
}
_PROPERTY = re.compile(r"\\([pP])\{(?:General_Category=|gc=)?([A-Za-z_]+)\}")


class RegexError(ValueError):
    """The pattern cannot be parsed or no matching string was found in a few tries."""


class InvalidPattern(RegexError):
    """The pattern is not a regular expression Python can compile (even after translating
    ECMA-262 property escapes): the validator ignores it, and so does the generator."""


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used as a regular expression, or None when it can."""
    try:
        re.compile(_without_properties(pattern))
    except (re.error, RecursionError, OverflowError) as error:
        return str(error)
    return None


def string_matching(pattern: str, rng: random.Random, *, tries: int = 20) -> str:
    original, pattern = pattern, _without_properties(pattern)
    try:
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise InvalidPattern(
            f"pattern {original!r} is not a valid regular expression: {error}") from None
    for _ in range(tries):
        groups: dict[int, str] = {}
        text = _emit(parsed, rng, groups)
        if compiled.search(text):
            return text
    raise RegexError(f"no string matching {original!r} found in {tries} tries")


def _without_properties(pattern: str) -> str:
    """``\\p{L}`` → ``[a-zA-Z]`` (inside a class, ``a-zA-Z``); unknown categories stay and
    fail to compile, as before."""
    if "\\p{" not in pattern and "\\P{" not in pattern:
        return pattern
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        found = _PROPERTY.match(pattern, index) if char == "\\" else None
        if found is not None and found.group(2) in _PROPERTIES:
            inside, outside = _PROPERTIES[found.group(2)]
            chars = inside if found.group(1) == "p" else outside
            out.append(chars if in_class else f"[{chars}]")
            index = found.end()
            continue
        if char == "\\":
            out.append(pattern[index:index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def _emit(parsed: Any, rng: random.Random, groups: dict[int, str]) -> str:
    return "".join(_node(op, value, rng, groups) for op, value in parsed)


def _node(op: Any, value: Any, rng: random.Random, groups: dict[int, str]) -> str:
    if op is sre_constants.LITERAL:
        return chr(value)
    if op is sre_constants.NOT_LITERAL:
        return rng.choice([c for c in _PRINTABLE if ord(c) != value])
    if op is sre_constants.ANY:
        return rng.choice(_PRINTABLE)
    if op is sre_constants.IN:
        return _in(value, rng)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, item = value
        high = low + REPEAT_CAP if high is sre_constants.MAXREPEAT else min(high, low +
                                                                            REPEAT_CAP * 4)
        count = rng.randint(low, max(low, high))
        return "".join(_emit(item, rng, groups) for _ in range(count))
    if op is sre_constants.SUBPATTERN:
        group, _, _, item = value
        text = _emit(item, rng, groups)
        if group is not None:
            groups[group] = text
        return text
    if op is sre_constants.BRANCH:
        return _emit(rng.choice(value[1]), rng, groups)
    if op is sre_constants.GROUPREF:
        return groups.get(value, "")
    if op is sre_constants.CATEGORY:
        return rng.choice(_CATEGORIES.get(value, _PRINTABLE))
    # AT (anchors), ASSERT, ASSERT_NOT: no characters of their own
    return ""


def _in(items: Any, rng: random.Random) -> str:
    negate = bool(items) and items[0][0] is sre_constants.NEGATE
    allowed: list[str] = []
    for op, value in items:
        if op is sre_constants.LITERAL:
            allowed.append(chr(value))
        elif op is sre_constants.RANGE:
            low, high = value
            allowed.extend(chr(c) for c in range(low, min(high, low + 200) + 1))
        elif op is sre_constants.CATEGORY:
            allowed.extend(_CATEGORIES.get(value, _PRINTABLE))
    if negate:
        candidates = [c for c in _PRINTABLE if c not in allowed]
        return rng.choice(candidates or ["~"])
    return rng.choice(allowed or list(_PRINTABLE))
