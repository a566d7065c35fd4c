"""docs/reference/scenarios.md is generated from the built-in scenarios; it must be current."""

from __future__ import annotations

from tests.conftest import ROOT

from contractkit.scenarios import builtin_names, load_scenario
from contractkit.scenarios._duration import parse_duration
from contractkit.webhooks.faults import parse

PAGE = ROOT / "docs" / "reference" / "scenarios.md"
HEADER = """# Built-in scenarios

Shipped in the package and mirrored in the repository's `scenarios/` folder; use one with
`contractkit mock CONTRACT --scenario NAME`, print it with `contractkit scenarios show NAME`.
Every rule matches any operation; copy one to narrow it. This page is generated from the
files (a test keeps it current).
"""


def render() -> str:
    parts = [HEADER]
    for name in builtin_names():
        scenario = load_scenario(name)
        parts.append(f"## `{name}`\n\n{scenario.description}\n")
        if scenario.rules:
            parts.append("| rule | does |\n|---|---|")
            parts += [f"| `{rule.name}` | {rule.describe()} |" for rule in scenario.rules]
        webhooks = parse(scenario.webhooks, duration=parse_duration)
        if webhooks.faults:
            parts.append("| webhook fault | does |\n|---|---|")
            parts += [f"| `{fault.kind}` | {fault.explain()} |" for fault in webhooks.faults]
        parts.append(f"\n**A well-behaved client:** {scenario.expect}\n")
    return "\n".join(parts)


def test_page_is_current() -> None:
    assert PAGE.read_text() == render(), (
        "docs/reference/scenarios.md is stale; regenerate it with: .venv/bin/python -c "
        "'from tests.scenarios.test_builtin_docs import PAGE, render; "
        "PAGE.write_text(render())'")
