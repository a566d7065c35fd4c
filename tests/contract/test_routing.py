"""Path matching follows OpenAPI's rules: literal segments beat templated ones."""

from __future__ import annotations

import pytest

import contractkit


def _contract(*paths: str) -> contractkit.Contract:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            path: {
                "get": {"operationId": f"get {path}", "responses": {"200": {"description": "ok"}},
                        "parameters": [
                            {"name": name, "in": "path", "required": True,
                             "schema": {"type": "string"}}
                            for name in _names(path)]},
            }
            for path in paths
        },
    }
    return contractkit.load(document)


def _names(path: str) -> list[str]:
    from contractkit.contract.routing import template_variables

    return template_variables(path)


@pytest.mark.parametrize(
    ("request_path", "template", "params"),
    [
        ("/pets/mine", "/pets/mine", {}),
        ("/pets/42", "/pets/{petId}", {"petId": "42"}),
        ("/pets/42/toys/mine", "/pets/{petId}/toys/mine", {"petId": "42"}),
        ("/pets/mine/toys/7", "/pets/{petId}/toys/{toyId}", {"petId": "mine", "toyId": "7"}),
        ("/files/report.pdf", "/files/{name}.{ext}", {"name": "report", "ext": "pdf"}),
        ("/files/readme", "/files/{file}", {"file": "readme"}),
        ("/pets/a%2Fb", "/pets/{petId}", {"petId": "a/b"}),
    ],
)
def test_most_specific_template_wins(request_path: str, template: str,
                                     params: dict[str, str]) -> None:
    contract = _contract("/pets/{petId}", "/pets/mine", "/pets/{petId}/toys/mine",
                         "/pets/{petId}/toys/{toyId}", "/files/{file}", "/files/{name}.{ext}")
    match = contract.match("GET", request_path)
    assert match is not None
    assert match.operation.path == template
    assert dict(match.path_params) == params


def test_unknown_path_and_wrong_method() -> None:
    contract = _contract("/pets/{petId}")
    assert contract.match("GET", "/owners/1") is None
    assert contract.match("DELETE", "/pets/1") is None
    assert contract.allowed_methods("/pets/1") == ("GET",)
    assert contract.allowed_methods("/nope") == ()


def test_a_literal_path_without_the_method_does_not_hide_a_template_with_it() -> None:
    # gitlab: PUT /services/asana, and GET|DELETE /services/{service_slug}
    document = {
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/services/asana": {"put": {"operationId": "putAsana",
                                        "responses": {"200": {"description": "ok"}}}},
            "/services/{slug}": {method: {"operationId": f"{method}Service", "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}}} for method in ("get", "delete")},
        },
    }
    contract = contractkit.load(document)
    put, get = contract.match("PUT", "/services/asana"), contract.match("GET", "/services/asana")
    assert put is not None
    assert put.operation.id == "putAsana"
    assert get is not None
    assert (get.operation.id, dict(get.path_params)) == ("getService", {"slug": "asana"})
    assert contract.match("POST", "/services/asana") is None
    assert contract.allowed_methods("/services/asana") == ("DELETE", "GET", "PUT")
    assert contract.allowed_methods("/services/jira") == ("DELETE", "GET")


def test_head_falls_back_to_get() -> None:
    match = _contract("/pets").match("HEAD", "/pets")
    assert match is not None
    assert match.operation.method == "GET"


def test_operation_lookup_suggests_close_ids() -> None:
    contract = _contract("/pets")
    with pytest.raises(contractkit.OperationNotFound, match=r"did you mean 'get /pets'\?"):
        contract.operation("get /pet")


def test_variable_names_belong_to_each_operation() -> None:
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/accounts/{accountId}": {"get": {"operationId": "get", "parameters": [
                {"name": "accountId", "in": "path", "required": True}],
                "responses": {"200": {"description": "ok"}}}},
            "/accounts/{id}": {"patch": {"operationId": "patch", "parameters": [
                {"name": "id", "in": "path", "required": True}],
                "responses": {"200": {"description": "ok"}}}},
        },
    }
    contract = contractkit.load(document)
    get, patch = contract.match("GET", "/accounts/7"), contract.match("PATCH", "/accounts/7")
    assert get is not None
    assert patch is not None
    assert dict(get.path_params) == {"accountId": "7"}
    assert dict(patch.path_params) == {"id": "7"}


def test_query_or_fragment_suffixes_in_templates_are_ignored_for_routing() -> None:
    contract = _contract("/tags/{arn}#tagKeys", "/rides?page={page}")
    match = contract.match("GET", "/tags/a1")
    assert match is not None
    assert dict(match.path_params) == {"arn": "a1"}
    assert contract.match("GET", "/rides") is not None


def test_operations_told_apart_by_a_header_in_the_template() -> None:
    document = {
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {
            f"/#X-Amz-Target=Logs.{name}": {"post": {
                "operationId": name, "responses": {"200": {"description": "ok"}}}}
            for name in ("CreateLogGroup", "PutLogEvents")
        },
    }
    contract = contractkit.load(document)
    chosen = contract.match("POST", "/", {"x-amz-target": "Logs.PutLogEvents"})
    assert chosen is not None
    assert chosen.operation.id == "PutLogEvents"
    fallback = contract.match("POST", "/")
    assert fallback is not None
    assert fallback.operation.id == "CreateLogGroup"


def test_operations_told_apart_by_a_query_in_the_template() -> None:
    # openSUSE: `GET /request` and `GET /request?view=collection` (with other parameters)
    document = {
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {
            path: {"get": {"operationId": name, "responses": {"200": {"description": "ok"}}}}
            for path, name in (("/request", "plain"), ("/request?view=collection", "collection"),
                               ("/request?view=collection&mine={mine}", "mine"),
                               ("/request?cmd=diff", "diff"), ("/request?raw", "raw"))
        },
    }
    contract = contractkit.load(document)

    def chosen(*query: tuple[str, str]) -> str:
        found = contract.match("GET", "/request", {}, query)
        assert found is not None
        return found.operation.id

    assert chosen() == "plain"
    assert chosen(("view", "other")) == "plain"
    assert chosen(("limit", "3"), ("view", "collection")) == "collection"
    assert chosen(("view", "collection"), ("mine", "1")) == "mine"  # the most specific
    assert chosen(("cmd", "diff")) == "diff"
    assert chosen(("raw", "1")) == "raw"


def test_server_variables_take_their_defaults_in_the_base_path() -> None:
    contract = contractkit.load({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/{version}/{region}",
                     "variables": {"version": {"default": "v2"},
                                   "region": {"default": "eu", "enum": ["eu", "us"]}}}],
        "paths": {"/a": {"get": {"operationId": "a",
                                 "responses": {"200": {"description": "ok"}}}}}})
    assert contract.base_path == "/v2/eu"
