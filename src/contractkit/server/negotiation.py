"""Content negotiation: pick the declared media type that best fits ``Accept``."""

from __future__ import annotations

import re
from collections.abc import Sequence

_MEDIA_RANGE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    ranges = []
    for index, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if not _MEDIA_RANGE.fullmatch(media):
            continue  # not a media range (RFC 9110 §12.5.1): it asks for nothing
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality, index))
    return ranges


def _specificity(pattern: str, media: str) -> int:
    """How closely an Accept range matches a declared media type; a declared range
    (``image/*``, ``*/*``) matches the concrete types within it."""
    if pattern == media:
        return 3
    kind, _, sub = pattern.partition("/")
    if sub == "*" and media.startswith(kind + "/"):
        return 2
    if pattern == "*/*":
        return 1
    declared_kind, _, declared_sub = media.partition("/")
    if media in ("*/*", "*") or (declared_sub == "*" and kind == declared_kind):
        return 2 if sub != "*" else 1
    return 0


def member_accepted(accept: str | None, declared: str) -> str | None:
    """For a declared range (``image/*``), the concrete type in it the client asks for
    most (``Accept: image/webp`` → ``image/webp``); ``None`` if it names none."""
    plain = declared.split(";", maxsplit=1)[0].strip().lower()
    if not accept or "*" not in plain:
        return None
    kind = plain.partition("/")[0]
    wanted = [(quality, -index, media) for media, quality, index in _parse_accept(accept)
              if "*" not in media and quality > 0
              and (kind in ("*", "") or media.startswith(kind + "/"))]
    return max(wanted)[2] if wanted else None


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client accepts best; ``None`` if it accepts none.

    Without ``Accept`` (or with ``*/*``) JSON is preferred, then the contract's order.
    """
    if not offered:
        return None
    declared = sorted(offered, key=lambda m: (not _is_json(m), offered.index(m)))
    if not accept or not accept.strip():
        return declared[0]
    ranges = _parse_accept(accept)
    if not ranges:  # an Accept with no valid media range: as if there were none
        return declared[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for position, media in enumerate(declared):
        plain = media.split(";")[0].strip().lower()
        matches = [(quality, _specificity(pattern, plain)) for pattern, quality, _ in ranges
                   if _specificity(pattern, plain)]
        if not matches:
            continue
        quality, specificity = max(matches, key=lambda m: (m[1], m[0]))
        if quality <= 0:
            continue
        score = (quality, specificity, -position)
        if best is None or score > best:
            best, chosen = score, media
    return chosen


def _is_json(media: str) -> bool:
    plain = media.split(";", maxsplit=1)[0].strip().lower()
    return plain == "application/json" or plain.endswith("+json")
