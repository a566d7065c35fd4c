"""Every kind of bad contract input gives one clear line: file, line, pointer, message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import contractkit
from contractkit import ContractLoadError

MINIMAL = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
components:
  schemas:
    Pet: {type: object}
"""


def load_error(tmp_path: Path, name: str, content: str | bytes, **options: object) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ContractLoadError) as caught:
        contractkit.load(path, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    message = load_error(tmp_path, "api.yaml", "openapi: 3.0.3\ninfo: [unclosed\npaths: {}\n")
    assert message.startswith(f"{tmp_path / 'api.yaml'}:3:")
    assert "invalid YAML" in message


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    message = load_error(tmp_path, "api.json", '{\n  "openapi": "3.0.3",\n  "info": }\n')
    assert message.startswith(f"{tmp_path / 'api.json'}:3:11")
    assert "invalid JSON" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("info: {title: t, version: '1'}\npaths: {}\n", "no 'openapi' (3.x) or 'swagger' (2.0)"),
        ("openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
         "unsupported OpenAPI version '4.0.0'"),
        ("swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n",
         "unsupported Swagger version '1.2'"),
    ],
)
def test_missing_or_unknown_version(tmp_path: Path, text: str, expected: str) -> None:
    message = load_error(tmp_path, "api.yaml", text)
    assert expected in message


def test_unknown_version_points_at_the_field(tmp_path: Path) -> None:
    message = load_error(tmp_path, "api.yaml", "info: {}\nopenapi: 9.1.0\npaths: {}\n")
    assert ":2:10  /openapi  " in message


def test_dangling_ref_names_pointer_and_suggests(tmp_path: Path) -> None:
    text = MINIMAL.replace("#/components/schemas/Pet", "#/components/schemas/Pets")
    message = load_error(tmp_path, "api.yaml", text)
    assert ":12:30  " in message  # the ref string itself
    assert "/paths/~1pets/get/responses/200/content/application~1json/schema/$ref" in message
    assert "did you mean 'Pet'?" in message


def test_ref_cycle_without_a_value(tmp_path: Path) -> None:
    text = MINIMAL.replace("Pet: {type: object}",
                           "Pet: {$ref: '#/components/schemas/Cat'}\n    "
                           "Cat: {$ref: '#/components/schemas/Pet'}")
    message = load_error(tmp_path, "api.yaml", text)
    assert "$ref cycle that never reaches a value" in message
    assert "/components/schemas/Pet → /components/schemas/Cat → /components/schemas/Pet" in message


def test_recursive_schemas_are_fine(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "Pet: {type: object}",
        "Pet: {type: object, properties: {children: {type: array, items: "
        "{$ref: '#/components/schemas/Pet'}}}}")
    (tmp_path / "api.yaml").write_text(text)
    contract = contractkit.load(tmp_path / "api.yaml")
    bundled = contract.schema_bundle(contract.operation("listPets").responses["200"]
                                     .content["application/json"].schema)  # type: ignore[arg-type]
    assert bundled["$defs"]["Pet"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Pet"}


def test_ref_escaping_the_contract_folder(tmp_path: Path) -> None:
    inner = tmp_path / "api"
    inner.mkdir()
    (tmp_path / "secret.yaml").write_text("Pet: {type: object}\n")
    text = MINIMAL.replace("#/components/schemas/Pet", "../secret.yaml#/Pet")
    message = load_error(inner, "api.yaml", text)
    assert "leaves the contract's folder" in message
    assert "../secret.yaml" in message


def test_remote_ref_refused_by_default(tmp_path: Path) -> None:
    text = MINIMAL.replace("#/components/schemas/Pet", "https://example.com/pet.yaml#/Pet")
    message = load_error(tmp_path, "api.yaml", text)
    assert "remote $ref 'https://example.com/pet.yaml' refused" in message
    assert "pass --allow-remote-refs (Python: allow_remote_refs=True) to fetch it" in message


def test_size_and_alias_caps_name_the_flag_and_the_keyword(tmp_path: Path) -> None:
    message = load_error(tmp_path, "api.yaml", MINIMAL, max_bytes=10)
    assert "over the 10-byte cap; raise it with --max-bytes (Python: max_bytes=)" in message
    text = MINIMAL + "x-a: &a [1, 2, 3]\nx-b: [*a, *a, *a, *a]\n"
    message = load_error(tmp_path, "bomb.yaml", text, max_yaml_nodes=20)
    assert "raise it with --max-yaml-nodes (Python: max_yaml_nodes=)" in message


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["openapi: 3.0.3", "info: {title: t, version: '1'}", "paths: {}",
             'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"x-{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    message = load_error(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert "alias bomb" in message


def test_yaml_alias_cycle_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, "cycle.yaml", "openapi: 3.0.3\nx-loop: &loop [*loop]\n")
    assert "cycle" in message


def test_file_over_size_cap(tmp_path: Path) -> None:
    message = load_error(tmp_path, "api.yaml", MINIMAL, max_bytes=100)
    assert "over the 100-byte cap" in message


def test_non_utf8_bytes_name_line_and_column(tmp_path: Path) -> None:
    raw = MINIMAL.encode().replace(b"title: t", b"title: \xff")
    message = load_error(tmp_path, "api.yaml", raw)
    assert ":2:15  " in message
    assert "not valid UTF-8" in message


def test_directory_passed_as_file(tmp_path: Path) -> None:
    with pytest.raises(ContractLoadError, match="is a directory, not a contract file"):
        contractkit.load(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContractLoadError, match="no such file"):
        contractkit.load(tmp_path / "nope.yaml")


def test_empty_file(tmp_path: Path) -> None:
    assert "file is empty" in load_error(tmp_path, "api.yaml", "  \n\n")


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    assert "got list" in load_error(tmp_path, "api.json", json.dumps([1, 2]))


def test_deeply_nested_json(tmp_path: Path) -> None:
    assert "nesting is too deep" in load_error(tmp_path, "api.json", "[" * 100_000)


def test_duplicate_operation_ids_are_reported_with_location(tmp_path: Path) -> None:
    text = MINIMAL.replace("components:", """\
  /cats:
    get:
      operationId: listPets
      responses: {"200": {description: ok}}
components:""")
    (tmp_path / "api.yaml").write_text(text)
    contract = contractkit.load(tmp_path / "api.yaml")
    [problem] = contract.problems
    assert problem.code == "operation-id-duplicate"
    assert problem.location.pointer == "/paths/~1cats/get/operationId"
    assert (problem.location.line, problem.location.column) == (15, 20)
    assert "duplicate operationId 'listPets' (also GET /pets)" in problem.message
    assert contract.operation("listPets").path == "/pets"  # the first one keeps the id


def test_undeclared_path_template_parameter(tmp_path: Path) -> None:
    text = MINIMAL.replace("/pets:", "/pets/{petId}:")
    (tmp_path / "api.yaml").write_text(text)
    contract = contractkit.load(tmp_path / "api.yaml")
    [problem] = contract.problems
    assert problem.code == "path-parameter-undeclared"
    assert "{petId}" in problem.message
    assert str(problem.location) == f"{tmp_path / 'api.yaml'}:6:7"  # the operation object


def test_invalid_graphql_sdl(tmp_path: Path) -> None:
    message = load_error(tmp_path, "schema.graphql", "type Query {\n  a: \n}\n")
    assert message.startswith(f"{tmp_path / 'schema.graphql'}:3:1")
    assert "invalid GraphQL SDL" in message
