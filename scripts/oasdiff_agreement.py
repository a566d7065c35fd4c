"""Verdict agreement between ``contractkit diff`` and oasdiff's own tests.

    .venv/bin/python scripts/oasdiff_agreement.py extract OASDIFF_SRC   # rewrite the facts
    .venv/bin/python scripts/oasdiff_agreement.py report [--corpus DIR] # print agreement

``extract`` reads a checkout of the public oasdiff repository (``git archive`` of it, never
committed here) and writes ``tests/diff/oasdiff_expectations.json``: the rule catalogue (every
check id with its level, from ``checker/rules.go`` and the ``…Id = "…"`` constants of
``checker/*.go``) and, per (base, revision) pair that oasdiff's ``checker/*_test.go`` files load
from ``data/``, the check ids those tests assert and the verdict they imply (breaking when one
asserted id is at level ERR).

What the regex parse reads, per ``func TestXxx(t *testing.T)``:

- specs loaded as ``x, err := open("../data/…")``, ``open(deprecationFile("…"))`` and the other
  ``dataFileFn`` handles, ``x := l(t, N)`` (``data/openapi-testN.yaml``) and ``d(t, cfg, N, M)``;
- the pair each ``diff.GetWithOperationsSourcesMap(cfg, a, b)`` compares;
- asserted ids: every ``checker.XxxId`` in the function and every string literal that is a
  catalogue id (``require.Equal(t, "request-property-pattern-added", errs[0].GetId())``),
  except on lines that assert an absence
  (``requireNoChange``, ``require.False``, ``NotContains``, ``NotEqual``, ``!containsId``) or
  configure levels (``WithSeverityLevels``).

What it cannot parse, and so leaves out (counted in the file's ``skipped``): tests that edit a
loaded spec in Go (any line touching ``.Spec`` outside a ``require`` line), tests that diff
more than one pair, loads through other helpers, and pairs built in memory. Tests that
configure oasdiff (``WithDeprecation``, ``WithSeverityLevels``, ``StabilityLevel``, optional
checks, a non-default ``diff.Config``) are kept, with ``configured`` listing what they set;
``deprecation`` is the ``WithDeprecation(beta, stable)`` days of the test that asserted the
pair's verdict (its most severe id or level), which ``report`` passes on as contractkit's
``deprecation_days_beta`` / ``deprecation_days_stable``.
A test that runs one check (``singleCheckConfig``) says nothing about the others, so a pair is
``exhaustive`` only when a test ran every check and asserted the whole result. A pair's verdict
is the most severe level among its asserted ids and asserted levels (``checker.ERR``), or
``null`` when a test found changes without naming an id or a level (``require.NotEmpty``
alone): ``report`` leaves those pairs out, and pairs that diff a file with itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "tests" / "diff" / "oasdiff_expectations.json"
#: the shared corpus, beside the checkout or beside its worktree folder (as tests/conftest.py)
CORPUS = next((folder / "shared" / "corpus" / "diff" / "oasdiff"
               for folder in (ROOT.parent, ROOT.parent.parent)
               if (folder / "shared" / "corpus").is_dir()), ROOT.parent / "shared")
LEVELS = {"ERR": "breaking", "WARN": "dangerous", "INFO": "safe"}

_ID_CONST = re.compile(r'^\s*(\w+Id)\s*=\s*"([a-z0-9-]+)"', re.M)
_RULE = re.compile(r"newBackwardCompatibilityRule\((\w+),\s*(ERR|WARN|INFO)\b")
_FUNC = re.compile(r"^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}", re.M | re.S)
_FILE_FN = re.compile(r'(\w+)\s*=\s*dataFileFn\("([^"]+)"\)')
_ASSIGN = re.compile(r"^\s*(\w+)(?:,\s*\w+)?\s*:?=\s*(.+)$")
_DIFF = re.compile(r"diff\.GetWithOperationsSourcesMap\(([^,]+),\s*(\w+),\s*(\w+)\)")
_D_CALL = re.compile(r"\bd\(t,\s*([^,]+),\s*(\d+),\s*(\d+)")
_ASSERTED = re.compile(r"checker\.(\w+Id)\b")
_LITERAL = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)+)"')
_LEVEL = re.compile(r"checker\.(ERR|WARN|INFO)\b")
_DEPRECATION = re.compile(r"WithDeprecation\((\d+),\s*(\d+)\)")
_NONEMPTY = re.compile(r"require\.NotEmpty\(t, errs\)|require\.Len\(t, errs, [1-9]|"
                       r"require\.Equal\(t, [1-9]\d*, len\(errs\)\)")
_NEGATIVE = ("requireNoChange", "require.False", "NotContains", "NotEqual", "!containsId",
             "WithSeverityLevels", "checker.NONE")
_CONFIG = ("WithDeprecation", "WithSeverityLevels", "StabilityLevel", "WithOptionalChecks",
           "WithAttributes", "ExcludeElements", "IncludeExtensions", "IncludePathParams",
           "PathPrefix", "PathStripPrefix", "MatchPath", "UnwrapNullable",
           "ProcessIgnoredBackwardCompatibilityErrors")
_EXHAUSTIVE = ("require.Empty(t, errs)", "require.Len(t, errs,", "requireSingleChange",
               "requireSingleApiChange", "requireApiChanges")


@dataclass
class Pair:
    base: str
    revision: str
    ids: set[str] = field(default_factory=set)
    tests: list[str] = field(default_factory=list)
    configured: set[str] = field(default_factory=set)
    exhaustive: bool = False
    #: levels asserted without an id (``require.Equal(t, checker.ERR, errs[0].GetLevel())``)
    levels: set[str] = field(default_factory=set)
    #: a test found changes at WARN or above but named neither their ids nor their level
    unnamed: bool = False
    #: per test: the levels it asserted and its WithDeprecation(beta, stable) days, if any
    policies: list[tuple[set[str], list[int] | None]] = field(default_factory=list)


def _spec_file(expr: str, handles: dict[str, str]) -> str | None:
    literal = re.search(r'"\.\./data/([^"]+\.(?:ya?ml|json))"', expr)
    if literal:
        return literal.group(1)
    handle = re.search(r'(\w+)\("([^"]+)"\)', expr)
    if handle and handle.group(1) in handles:
        return f"{handles[handle.group(1)]}/{handle.group(2)}"
    numbered = re.match(r"l\(t,\s*(\d+)", expr)
    return f"openapi-test{numbered.group(1)}.yaml" if numbered else None


def _pairs_in(name: str, body: str, handles: dict[str, str]) -> list[tuple[str, str, str]] | str:
    """(base, revision, config expression) per diff in the test, or why it was skipped."""
    specs: dict[str, str] = {}
    for line in body.splitlines():
        if ".Spec" in line and "require" not in line:
            return "edits a loaded spec in Go"
        assign = _ASSIGN.match(line)
        if assign:
            spec = _spec_file(assign.group(2), handles)
            if spec:
                specs[assign.group(1)] = spec
    pairs = [(f"openapi-test{a}.yaml", f"openapi-test{b}.yaml", cfg)
             for cfg, a, b in _D_CALL.findall(body)]
    for cfg, a, b in _DIFF.findall(body):
        if a not in specs or b not in specs:
            return "diffs specs it did not load from a file"
        pairs.append((specs[a], specs[b], cfg))
    if not pairs:
        return "loads no pair from data/"
    if len(pairs) > 1:
        return "diffs more than one pair"
    return pairs


def _tests(src: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((src / "checker").glob("*_test.go")):
        for match in _FUNC.finditer(path.read_text()):
            yield match.group(1), match.group(2)


def extract(src: Path) -> dict[str, Any]:
    checker = src / "checker"
    constants: dict[str, str] = {}
    for path in checker.glob("*.go"):
        constants.update(_ID_CONST.findall(path.read_text()))
    catalogue = {constants[const]: LEVELS[level]
                 for const, level in _RULE.findall((checker / "rules.go").read_text())}
    handles = dict(_FILE_FN.findall((checker / "helpers_test.go").read_text()))
    pairs: dict[tuple[str, str], Pair] = {}
    skipped: dict[str, int] = {}
    for name, body in _tests(src):
        found = _pairs_in(name, body, handles)
        if isinstance(found, str):
            skipped[found] = skipped.get(found, 0) + 1
            continue
        ((base, revision, cfg),) = found
        pair = pairs.setdefault((base, revision), Pair(base, revision))
        pair.tests.append(name)
        # whole words: APIRemovedWithDeprecationId configures nothing
        pair.configured |= {option for option in _CONFIG
                            if re.search(rf"\b{option}\b", body)}
        if "NewConfig()" not in cfg and cfg.strip() != "config":
            pair.configured.add(f"diff config {cfg.strip()}")
        ids: set[str] = set()
        levels: set[str] = set()
        for line in body.splitlines():
            if any(marker in line for marker in _NEGATIVE):
                continue
            ids |= {constants[c] for c in _ASSERTED.findall(line)
                    if c in constants and constants[c] in catalogue}
            ids |= {i for i in _LITERAL.findall(line) if i in catalogue}
            levels |= {LEVELS[level] for level in _LEVEL.findall(line)}
        pair.ids |= ids
        pair.levels |= levels
        days = _DEPRECATION.search(body)
        pair.policies.append(({catalogue[i] for i in ids} | levels,
                              [int(days[1]), int(days[2])] if days else None))
        if not ids and not levels and _NONEMPTY.search(body):
            pair.unnamed = True
        every_check = "allChecksConfig()" in body or re.search(r"\bd\(t,", body)
        if every_check and any(marker in body for marker in _EXHAUSTIVE):
            pair.exhaustive = True
    commit = src / ".commit"
    return {
        "source": "https://github.com/oasdiff/oasdiff",
        "commit": commit.read_text().strip() if commit.is_file() else None,
        "catalogue": dict(sorted(catalogue.items())),
        "skipped": dict(sorted(skipped.items())),
        "pairs": [
            {"base": p.base, "revision": p.revision, "ids": sorted(p.ids),
             "verdict": _verdict_of(p, catalogue), "exhaustive": p.exhaustive,
             "configured": sorted(p.configured),
             "deprecation": _deprecation_of(p, _verdict_of(p, catalogue)), "tests": p.tests}
            for p in sorted(pairs.values(), key=lambda p: (p.base, p.revision))
        ],
    }


def _verdict_of(pair: Pair, catalogue: dict[str, str]) -> str | None:
    """The most severe level asserted; None when a test found changes it did not name."""
    levels = {catalogue[i] for i in pair.ids} | pair.levels
    if "breaking" in levels:
        return "breaking"
    if pair.unnamed:
        return None
    return "dangerous" if "dangerous" in levels else "safe"


def _deprecation_of(pair: Pair, verdict: str | None) -> list[int] | None:
    """The deprecation days of the first test that asserted ``verdict``'s level."""
    for levels, days in pair.policies:
        if verdict in levels:
            return days
    return None


def report(corpus: Path) -> int:
    if not corpus.is_dir():
        print(f"oasdiff_agreement: no oasdiff contracts at {corpus} (--corpus DIR)",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from tests.diff import oasdiff  # noqa: PLC0415 - after the path is set

    expectations = oasdiff.load_expectations()
    outcomes = [oasdiff.compare(p, corpus) for p in oasdiff.claimed_pairs(expectations, corpus)]
    differing = [o for o in outcomes if not o.agrees]
    agreed = len(outcomes) - len(differing)
    print(f"{agreed}/{len(outcomes)} pairs agree on breaking / not breaking "
          f"({100 * agreed / max(len(outcomes), 1):.1f}%); "
          f"{len(expectations['pairs']) - len(outcomes)} pairs make no claim")
    listed_file = corpus.parent / "pairs.json"
    if listed_file.is_file():
        listed = {(p["base"], p["revision"]) for p in json.loads(listed_file.read_text())}
        unlisted = [o for o in outcomes if (o.base, o.revision) not in listed]
        missed = [o for o in unlisted if not o.agrees]
        print(f"  of which not in pairs.json: {len(unlisted) - len(missed)}/{len(unlisted)} "
              f"({100 * (len(unlisted) - len(missed)) / max(len(unlisted), 1):.1f}%)")
    documented = [o for o in differing if (o.base, o.revision) in oasdiff.DIFFERENCES]
    print(f"  {len(documented)} of the {len(differing)} differences are documented "
          "(tests/diff/oasdiff.py)")
    catalogue = expectations["catalogue"]
    for outcome in differing:
        expected = [f"{i} ({catalogue[i]})" for i in outcome.oasdiff_ids] or ["none"]
        reason = oasdiff.DIFFERENCES.get((outcome.base, outcome.revision), "UNDOCUMENTED")
        print(f"\n{outcome.base} -> {outcome.revision}  "
              f"[{', '.join(outcome.configured) or 'default configuration'}]\n"
              f"  oasdiff: {outcome.oasdiff_verdict}: {', '.join(expected)}\n"
              f"  contractkit breaking: {', '.join(outcome.breaking) or 'none'}\n"
              f"  why: {reason}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    extract_cmd = commands.add_parser("extract", help="parse oasdiff's tests into the facts file")
    extract_cmd.add_argument("src", type=Path, help="an export of the oasdiff repository")
    report_cmd = commands.add_parser("report", help="print contractkit's agreement")
    report_cmd.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    try:
        if args.command == "extract":
            EXPECTATIONS.write_text(json.dumps(extract(args.src), indent=1) + "\n")
            print(f"wrote {EXPECTATIONS}")
            return 0
        return report(args.corpus)
    except BrokenPipeError:  # `report | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # an internal error is exit 2, never 1
        print(f"oasdiff_agreement: internal error: {error!r}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
