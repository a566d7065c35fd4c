"""File refs, remote refs (opt-in, over a real local socket) and lazy source positions."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import contractkit
from contractkit import ContractLoadError

API = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - $ref: "common/parameters.yaml#/limit"
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "REF"}
"""


def test_relative_file_refs_resolve_and_bundle(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "parameters.yaml").write_text(
        "limit: {name: limit, in: query, schema: {type: integer, maximum: 10}}\n")
    (tmp_path / "common" / "pet.yaml").write_text(
        "Pet:\n  type: object\n  properties:\n    owner: {$ref: 'owner.yaml#/Owner'}\n")
    (tmp_path / "common" / "owner.yaml").write_text("Owner: {type: string, minLength: 2}\n")
    (tmp_path / "api.yaml").write_text(API.replace("REF", "common/pet.yaml#/Pet"))
    contract = contractkit.load(tmp_path / "api.yaml")
    operation = contract.operation("listPets")
    [limit] = operation.parameters
    assert limit.name == "limit"
    assert limit.pointer == "/limit"
    schema = operation.responses["200"].content["application/json"].schema
    assert schema is not None
    bundled = contract.schema_bundle(schema)
    assert bundled["$ref"] == "#/$defs/Pet"
    assert bundled["$defs"]["Owner"] == {"type": "string", "minLength": 2}
    # a problem deep inside another file points at that file's line
    location = contract.location(schema.uri, schema.pointer)
    assert location.line == 14


def test_dangling_ref_in_another_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "parameters.yaml").write_text("limit: {$ref: '#/nope'}\n")
    (tmp_path / "api.yaml").write_text(API.replace("REF", "#/info"))
    with pytest.raises(ContractLoadError) as caught:
        contractkit.load(tmp_path / "api.yaml")
    assert "common/parameters.yaml:1:15  /limit/$ref  $ref '#/nope' points at nothing" in str(
        caught.value)


@pytest.fixture
def schema_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "pet.json").write_text('{"Pet": {"type": "object", "required": ["id"]}}')

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_remote_refs_only_when_allowed(tmp_path: Path, schema_server: str) -> None:
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "common").mkdir()
    (folder / "common" / "parameters.yaml").write_text("limit: {name: limit, in: query}\n")
    (folder / "api.yaml").write_text(API.replace("REF", f"{schema_server}/pet.json#/Pet"))
    with pytest.raises(ContractLoadError, match=r"remote \$ref .* refused"):
        contractkit.load(folder / "api.yaml")
    contract = contractkit.load(folder / "api.yaml", allow_remote_refs=True)
    schema = contract.operation("listPets").responses["200"].content["application/json"].schema
    assert schema is not None
    assert contract.schema_bundle(schema)["$defs"]["Pet"]["required"] == ["id"]


def test_remote_ref_fetch_failure_is_one_line(tmp_path: Path, schema_server: str) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "parameters.yaml").write_text("limit: {name: limit, in: query}\n")
    (tmp_path / "api.yaml").write_text(API.replace("REF", f"{schema_server}/missing.json#/Pet"))
    with pytest.raises(ContractLoadError, match="could not be fetched: HTTP Error 404"):
        contractkit.load(tmp_path / "api.yaml", allow_remote_refs=True)
