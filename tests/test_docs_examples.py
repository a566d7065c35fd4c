"""Every example in docs/ runs: Python blocks are executed, and console blocks whose
commands are `contractkit validate ...` are run and compared with the output shown."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import ROOT

DOCS = ROOT / "docs"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


FILE_MARK = re.compile(r"<!-- file: (\S+) -->\n```python\n(.*?)```", re.DOTALL)


def _blocks(language: str) -> list[tuple[str, str]]:
    """Code blocks, except those marked ``<!-- file: NAME -->``: those are files of a
    small project that a page builds up (a tutorial), run as such below."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        text = FILE_MARK.sub("", page.read_text())
        for index, match in enumerate(FENCE.finditer(text)):
            if match.group(1) == language:
                found.append((f"{page.relative_to(DOCS)}#{index}", match.group(2)))
    return found


PROJECTS = [(str(page.relative_to(DOCS)), FILE_MARK.findall(page.read_text()))
            for page in sorted(DOCS.rglob("*.md")) if FILE_MARK.search(page.read_text())]


@pytest.mark.parametrize(("where", "files"), PROJECTS, ids=[w for w, _ in PROJECTS])
def test_pages_that_build_a_project_pass_their_tests(where: str, files: list[tuple[str, str]],
                                                     tmp_path: Path) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    for name, code in files:
        (tmp_path / name).write_text(code)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-p", "no:randomly"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


PYTHON_BLOCKS = _blocks("python")


@pytest.mark.parametrize(("where", "code"), PYTHON_BLOCKS, ids=[w for w, _ in PYTHON_BLOCKS])
def test_python_examples_run(where: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, where, "exec"), {"__name__": "__docs__"})


def _validate_commands() -> list[tuple[str, str, list[str]]]:
    found = []
    for where, block in _blocks("console"):
        lines = block.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("$ contractkit validate"):
                expected = []
                for following in lines[index + 1:]:
                    if following.startswith("$ "):
                        break
                    expected.append(following)
                found.append((where, line[2:], expected))
    return found


COMMANDS = _validate_commands()


@pytest.mark.parametrize(("where", "command", "expected"), COMMANDS,
                         ids=[w for w, _, _ in COMMANDS])
def test_console_examples_print_what_the_docs_show(where: str, command: str,
                                                   expected: list[str]) -> None:
    arguments = command.split()[1:]
    result = subprocess.run([sys.executable, "-m", "contractkit", *arguments], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    if expected:
        assert result.stdout.splitlines() == expected


SCENARIO_BLOCKS = [(where, block) for where, block in _blocks("yaml") if "\nrules:" in block]


@pytest.mark.parametrize(("where", "text"), SCENARIO_BLOCKS, ids=[w for w, _ in SCENARIO_BLOCKS])
def test_scenario_examples_are_valid(where: str, text: str) -> None:
    import yaml

    from contractkit import load, load_scenario

    operations = {op.id for name in ("payments.yaml", "payments.graphql")
                  for op in load(ROOT / "contracts" / name).operations}
    load_scenario(yaml.safe_load(text), operation_ids=operations)


INSTALL = re.compile(r"pip install\s+['\"]?contractkit(?!\s*@)\b")


def test_no_page_installs_the_unrelated_pypi_project() -> None:
    # the name `contractkit` on PyPI belongs to another project: a bare
    # `pip install contractkit` would install that, not this one
    pages = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    found = [f"{page.relative_to(ROOT)}:{number}"
             for page in pages
             for number, line in enumerate(page.read_text().splitlines(), 1)
             if INSTALL.search(line)]
    assert found == []
