"""Swagger 2.0 changes that live outside schemas (issue 14 item 10): the media types of a
formData operation (``consumes``) and ``basePath``, which moves every URL."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from tests.diff.helpers import api, changes

from contractkit.server.runner import MockServer


def swagger(consumes: list[str], base_path: str = "/v1",
            form: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return copy.deepcopy({
        "swagger": "2.0", "info": {"title": "t", "version": "1"},
        "host": "api.example.com", "basePath": base_path, "schemes": ["https"],
        "paths": {"/upload": {"post": {
            "operationId": "upload", "consumes": consumes,
            "parameters": form or [{"name": "name", "in": "formData", "type": "string",
                                    "required": True}],
            "responses": {"200": {"description": "ok"}}}}}})


BOTH = ["multipart/form-data", "application/x-www-form-urlencoded"]


def test_removing_a_form_media_type_from_consumes_is_breaking() -> None:
    assert changes(swagger(BOTH), swagger(["multipart/form-data"])) == [
        ("request-media-type-removed", "breaking")]
    assert changes(swagger(["multipart/form-data"]), swagger(BOTH)) == [
        ("request-media-type-added", "safe")]
    assert changes(swagger(BOTH), swagger(list(reversed(BOTH)))) == []


def test_a_file_parameter_keeps_the_body_multipart_whatever_consumes_lists() -> None:
    upload = [{"name": "file", "in": "formData", "type": "file", "required": True}]
    assert changes(swagger(BOTH, form=upload), swagger(["multipart/form-data"], form=upload)) \
        == []


def test_the_mock_accepts_each_form_type_that_consumes_names() -> None:
    with MockServer(swagger(BOTH)) as server, httpx.Client(base_url=server.url) as client:
        assert client.post("/upload", data={"name": "a"}).status_code == 200
        assert client.post("/upload", files={"name": (None, "a")}).status_code == 200
    with MockServer(swagger(["multipart/form-data"])) as server, \
            httpx.Client(base_url=server.url) as client:
        assert client.post("/upload", data={"name": "a"}).status_code == 415
        assert client.post("/upload", files={"name": (None, "a")}).status_code == 200


def test_a_base_path_change_moves_every_url_and_is_breaking() -> None:
    found = changes(swagger(BOTH, "/v1"), swagger(BOTH, "/v2"))
    assert ("base-path-changed", "breaking") in found
    assert changes(swagger(BOTH, "/v1"), swagger(BOTH, "/v1/")) == []


@pytest.mark.parametrize(("old", "new", "moved"), [
    (["https://api.example.com/v1"], ["https://eu.example.com/v1"], False),
    (["https://api.example.com/v1"], ["https://api.example.com/v1", "/v2"], False),
    (["https://api.example.com/v1", "https://b.example.com/beta"],
     ["https://api.example.com/v2"], True),
    (["/"], ["/api"], True),
])
def test_openapi_servers_move_the_base_path_only_when_no_old_path_survives(
        old: list[str], new: list[str], moved: bool) -> None:
    found = changes(api(servers=[{"url": u} for u in old]),
                    api(servers=[{"url": u} for u in new]))
    assert (("base-path-changed", "breaking") in found) is moved


def test_server_variables_count_at_their_defaults() -> None:
    def versioned(default: str) -> dict[str, Any]:
        return api(servers=[{"url": "https://api.example.com/{version}",
                             "variables": {"version": {"default": default}}}])
    assert ("base-path-changed", "breaking") in changes(versioned("v1"), versioned("v2"))
    assert changes(versioned("v1"), versioned("v1")) == []
