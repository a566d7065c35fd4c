"""Which family a media type belongs to (JSON, XML), as OpenAPI contracts spell them."""

from __future__ import annotations


def is_json(media_type: str) -> bool:
    # text/json is the older, still common name (ASP.NET contracts declare it)
    return media_type in ("application/json", "text/json") or media_type.endswith("+json")


def is_xml(media_type: str) -> bool:
    return media_type in ("application/xml", "text/xml") or media_type.endswith("+xml")
