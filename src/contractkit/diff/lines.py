"""File:line of many JSON pointers at once.

A diff of two large contracts points at hundreds of places; finding each one from the
top of a 13 MB JSON text costs a scan per pointer. Here the wanted pointers form a tree
and the text is walked once, descending only where a wanted pointer lies and skipping
every other value with the C decoder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from contractkit.contract._source import split_pointer

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

_Trie = dict[str, "_Trie"]
_POINTERS = "\x00pointers"  # no JSON pointer token holds NUL: the pointers ending here


def json_positions(raw: bytes, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``pointer → (line, column)``, 1-based, for each pointer (the deepest existing
    ancestor's position when the pointer itself does not exist).

    The bytes are read as Latin-1: one character per byte, so the text takes a quarter
    of the memory of decoded UTF-8 with any non-ASCII character in it, offsets are byte
    offsets, and JSON's structure (all ASCII) reads the same. Pointer tokens are
    re-spelled the same way to match keys.
    """
    text = raw.decode("latin-1")
    trie: _Trie = {}
    for pointer in pointers:
        node = trie
        for token in split_pointer(pointer):
            node = node.setdefault(token.encode("utf-8").decode("latin-1"), {})
        node.setdefault(_POINTERS, {})[pointer] = {}
    offsets: dict[str, int] = {}
    start = _skip(text, 3 if raw.startswith(b"\xef\xbb\xbf") else 0)
    _walk(text, start, trie, offsets, need_end=False)
    return _line_columns(text, offsets)


def _skip(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _walk(text: str, index: int, trie: _Trie, offsets: dict[str, int], need_end: bool) -> int:
    """Record the pointers ending at the value starting at ``index``; return its end, or
    -1 when the caller does not ``need_end`` and the last wanted pointer is found (the
    rest of a large document is then never decoded)."""
    for pointer in trie.get(_POINTERS, {}):
        offsets[pointer] = index
    remaining = {key for key in trie if not key.startswith("\x00")}
    opener = text[index:index + 1]
    if not remaining or opener not in ("{", "["):
        for key in remaining:  # below a scalar: nothing exists, the scalar is nearest
            _missing(trie[key], index, offsets)
        if not need_end:
            return -1
        _, end = _DECODER.raw_decode(text, index)
        return int(end)
    closer = "}" if opener == "{" else "]"
    cursor = _skip(text, index + 1)
    position = 0
    while cursor < len(text) and text[cursor] != closer:
        if opener == "{":
            key, cursor = _scanstring(text, cursor + 1)
            cursor = _skip(text, _skip(text, cursor) + 1)  # past the colon
        else:
            key = str(position)
            position += 1
        if key in remaining:
            remaining.discard(key)
            more = bool(remaining) or need_end
            cursor = _walk(text, cursor, trie[key], offsets, more)
            if not more:
                return -1
        else:
            _, cursor = _DECODER.raw_decode(text, cursor)
        cursor = _skip(text, cursor)
        if text[cursor:cursor + 1] == ",":
            cursor = _skip(text, cursor + 1)
    # pointers below this value that do not exist: the value itself is the nearest place
    for key in remaining:
        _missing(trie[key], index, offsets)
    return cursor + 1


def _missing(trie: _Trie, index: int, offsets: dict[str, int]) -> None:
    for pointer in trie.get(_POINTERS, {}):
        offsets.setdefault(pointer, index)
    for key, child in trie.items():
        if not key.startswith("\x00"):
            _missing(child, index, offsets)


def _line_columns(text: str, offsets: dict[str, int]) -> dict[str, tuple[int, int]]:
    positions: dict[str, tuple[int, int]] = {}
    line, previous = 1, 0
    for pointer, offset in sorted(offsets.items(), key=lambda item: item[1]):
        line += text.count("\n", previous, offset)
        previous = offset
        start = text.rfind("\n", 0, offset) + 1
        # the column counts characters, not bytes
        before = text[start:offset].encode("latin-1").decode("utf-8", "replace")
        positions[pointer] = (line, len(before) + 1)
    return positions
