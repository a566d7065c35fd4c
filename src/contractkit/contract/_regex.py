"""Generate a string that matches a regular expression (bounded), for ``pattern``.

Walks the parsed pattern (``re._parser``) and builds one matching string, choosing with a
seeded ``random.Random``; unbounded repeats (``*``, ``+``, ``{n,}``) are capped. Lookarounds
are ignored while building, so the caller checks the result with ``re.search`` and retries.
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


class RegexError(ValueError):
    """The pattern cannot be parsed or no matching string was found in a few tries."""


def string_matching(pattern: str, rng: random.Random, *, tries: int = 20) -> str:
    try:
        compiled = re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError) as error:
        raise RegexError(
            f"pattern {pattern!r} is not a valid regular expression: {error}") from None
    for _ in range(tries):
        groups: dict[int, str] = {}
        text = _emit(parsed, rng, groups)
        if compiled.search(text):
            return text
    raise RegexError(f"no string matching {pattern!r} found in {tries} tries")


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
