"""The import graph obeys DESIGN.md §2: imports only go down the layers, siblings on one
layer stay independent, and third-party frameworks stay in their one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "contractkit"

LAYERS = {
    "errors": 0, "_http": 0, "_types": 0, "_version": 0, "_bounded": 0,
    "contract": 1,
    "interactions": 1,
    "scenarios": 2, "diff": 2, "journal": 2, "webhooks": 2,
    "server": 3, "verify": 3, "assertions": 3,
    "reporting": 4, "consumer": 4,
    "cli": 5, "pytest_plugin": 5,
}
#: third-party package → the top-level parts of contractkit allowed to import it
CONFINED = {
    "aiohttp": {"server"},
    "click": {"cli"},
    "rich": {"reporting", "cli"},
    "pytest": {"pytest_plugin"},
    "schemathesis": {"verify"},
    "_pytest": {"pytest_plugin"},
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(("contractkit", *path.relative_to(PACKAGE).parent.parts))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                found.append(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.append(node.module)
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    part = _part(path)
    if part in ("__init__", "__main__"):
        return  # the public namespace and the entry point sit on top of everything
    assert part in LAYERS, f"{part} is not in DESIGN.md's layer map; add it there and here"
    for name in _imports(path):
        top = name.split(".")[0]
        if top in CONFINED:
            assert part in CONFINED[top], f"{path.name}: {top} may only be imported in " \
                f"{sorted(CONFINED[top])}"
        if top != "contractkit":
            continue
        target = name.split(".")[1] if "." in name else "__init__"
        assert target != "__init__", f"{path.name} imports the public namespace; import the " \
            "module that defines the name instead"
        if target == part:
            continue
        assert LAYERS[target] < LAYERS[part], (
            f"{path.relative_to(PACKAGE)} (layer {LAYERS[part]}) imports {name} "
            f"(layer {LAYERS[target]}): imports only go down, and siblings stay independent")


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """Guard against a checker that passes everything."""
    bad = PACKAGE / "errors.py"
    assert "contractkit.contract" not in _imports(bad)
    assert "contractkit.contract.model" in _imports(PACKAGE / "contract" / "openapi.py")
