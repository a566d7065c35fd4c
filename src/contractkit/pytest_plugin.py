"""contractkit's pytest plugin (registered with the ``pytest11`` entry point).

Thin on purpose: it starts one mock server per set of contracts (in its own thread, port 0,
one per xdist worker), gives each test a clean view of it (``contract_server``), runs a test
once per scenario (``@pytest.mark.scenarios``), fails a test whose client broke the
contract, and sums up which operations × statuses × scenarios the suite exercised.
Importing it costs nothing: the server (and aiohttp) load on the first test that asks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from contractkit.assertions.virtual_time import VirtualClock, VirtualTime
from contractkit.reporting.coverage import Coverage

if TYPE_CHECKING:
    from contractkit.consumer import ContractServer
    from contractkit.interactions import Interaction
    from contractkit.server.runner import MockServer

STATE = pytest.StashKey["_State"]()
VIEW = pytest.StashKey["ContractServer"]()
#: a test's exchanges recorded so far (--contractkit-record), with when each happened
RECORDED = pytest.StashKey[list[tuple[float, "Interaction"]]]()


class _State:
    """Per pytest process: the running servers, the shared clock, the coverage."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.clock = VirtualClock()
        self.servers: dict[tuple[str, ...], MockServer] = {}
        self.coverage = Coverage()
        self.virtual: VirtualTime | None = None

    def server(self, contracts: tuple[str, ...]) -> MockServer:
        found = self.servers.get(contracts)
        if found is None:
            from contractkit.server.runner import MockServer  # noqa: PLC0415 - lazy

            found = MockServer(*contracts, seed=self.config.getoption("contractkit_seed"),
                               clock=self.clock.now)
            found.app.webhooks.sender.advance = self.advance
            found.__enter__()
            self.servers[contracts] = found
            for mount in found.app.mounts_in_order:
                self.coverage.declare(mount.contract)
        return found

    def advance(self, seconds: float) -> bool:
        """Webhook retry waits: on the shared clock while virtual time is on."""
        if self.virtual is None:
            return False
        self.clock.advance(seconds)
        return True

    def stop(self) -> None:
        for server in self.servers.values():
            server.__exit__(None, None, None)
        self.servers.clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contractkit", "contract tests with a failure-injecting mock")
    group.addoption("--contractkit-seed", type=int, default=0,
                    help="seed for generated bodies and scenario randomness (default 0)")
    group.addoption("--contractkit-report", metavar="PATH", default=None,
                    help="write the coverage of operations × statuses × scenarios as JSON")
    group.addoption("--contractkit-time", choices=("real", "virtual"), default="real",
                    help="virtual: every contract_server test runs in virtual time")
    group.addoption("--contractkit-record", metavar="DIR", default=None,
                    help="write each test's exchanges with the mock to DIR, one JSON file "
                         "per test (secrets redacted), for verify --interactions and diff "
                         "--usage")
    group.addoption("--contractkit-strict", action="store_true",
                    help="also fail tests that call deprecated operations")
    parser.addini("contractkit_contracts_dir", "folder that relative contract paths in "
                  "@pytest.mark.contract are looked up in (default: contracts/)",
                  default="contracts")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "contract(*paths): the contracts contract_server serves for this test")
    config.addinivalue_line(
        "markers", "scenarios(*names): run the test once per scenario (built-in names or "
                   "scenario files)")
    config.stash[STATE] = _State(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None:
        state.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("scenarios")
    if marker is None:
        return
    if "contract_server" not in metafunc.fixturenames:
        raise pytest.UsageError(
            f"{metafunc.definition.nodeid}: @pytest.mark.scenarios needs the contract_server "
            "fixture")
    names = [str(name) for name in marker.args]
    metafunc.parametrize("contractkit_scenario", names,
                         ids=[Path(n).stem if n.endswith((".yaml", ".yml")) else n
                              for n in names], indirect=True)


@pytest.fixture
def contractkit_scenario(request: pytest.FixtureRequest) -> str | None:
    """The scenario this run of the test is for (``@pytest.mark.scenarios``), else None."""
    return getattr(request, "param", None)


@pytest.fixture
def contractkit_contracts_dir(request: pytest.FixtureRequest) -> Path:
    """Where relative contract paths are looked up; override it in a conftest.py."""
    return Path(request.config.rootpath) / str(
        request.config.getini("contractkit_contracts_dir"))


@pytest.fixture
def virtual_time(request: pytest.FixtureRequest) -> Iterator[VirtualTime]:
    """Sleeps in the test's client code return at once and advance one shared clock; each
    is recorded (``virtual_time.sleeps``). The mock server keeps real time."""
    state = request.config.stash[STATE]
    clock = VirtualTime(state.clock)
    clock.exempt = {s.thread_ident for s in state.servers.values() if s.thread_ident}
    state.virtual = clock
    with clock.active():
        yield clock
    state.virtual = None


@pytest.fixture
def contract_server(request: pytest.FixtureRequest, contractkit_scenario: str | None,
                    contractkit_contracts_dir: Path) -> Iterator[ContractServer]:
    """The mock of the contracts named by ``@pytest.mark.contract``, reset for this test,
    with ``contractkit_scenario`` active. Checked after the test: requests that broke the
    contract, requests no operation matched and errors in the mock fail it."""
    from contractkit.consumer import ContractServer  # noqa: PLC0415 - lazy

    state = request.config.stash[STATE]
    contracts = _contracts(request, contractkit_contracts_dir)
    server = state.server(contracts)
    server.reset()
    server.app.errors.clear()
    server.use_scenario(_scenario_source(contractkit_scenario, request))
    if request.config.getoption("contractkit_time") == "virtual" and state.virtual is None:
        request.getfixturevalue("virtual_time")
    if state.virtual is not None:
        state.virtual.exempt.add(server.thread_ident or 0)
    view = ContractServer(server, scenario=contractkit_scenario,
                          sleeps=lambda: state.virtual.sleeps if state.virtual else [],
                          virtual=lambda: state.virtual is not None,
                          strict=request.config.getoption("contractkit_strict"))
    request.node.stash[VIEW] = view
    yield view
    state.coverage.record(view.entries(), contractkit_scenario, request.node.nodeid)
    _record(request, view)
    server.use_scenario(None)


@pytest.fixture
def make_contract_server(request: pytest.FixtureRequest,
                         contractkit_contracts_dir: Path) -> Iterator[Callable[..., Any]]:
    """A factory of fresh mock servers (more providers, other options), stopped after the
    test: ``make_contract_server("billing.yaml", scenario="flaky", seed=3)``."""
    from contractkit.consumer import ContractServer  # noqa: PLC0415 - lazy
    from contractkit.server.runner import MockServer  # noqa: PLC0415 - lazy

    state = request.config.stash[STATE]
    started: list[MockServer] = []
    views: list[ContractServer] = []

    def make(*contracts: str | Path, **options: Any) -> ContractServer:
        paths = tuple(str(_resolve(str(c), contractkit_contracts_dir, request))
                      for c in contracts)
        options.setdefault("seed", request.config.getoption("contractkit_seed"))
        server = MockServer(*paths, clock=state.clock.now, **options)
        server.app.webhooks.sender.advance = state.advance
        server.__enter__()
        started.append(server)
        if state.virtual is not None:
            state.virtual.exempt.add(server.thread_ident or 0)
        view = ContractServer(server, scenario=options.get("scenario"),
                              sleeps=lambda: state.virtual.sleeps if state.virtual else [],
                              virtual=lambda: state.virtual is not None)
        views.append(view)
        return view

    yield make
    for view in views:
        _record(request, view)
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def webhook_receiver() -> Iterator[Callable[..., str]]:
    """Serve an ASGI or WSGI application as a webhook receiver on 127.0.0.1 (port 0,
    listening before its URL is returned), stopped after the test:
    ``url = webhook_receiver(app, path="/hooks")``."""
    from contractkit.server.asgi_receiver import ASGIReceiver, is_asgi  # noqa: PLC0415
    from contractkit.server.wsgi_receiver import WSGIReceiver  # noqa: PLC0415 - lazy

    started: list[ASGIReceiver | WSGIReceiver] = []

    def serve(app: Any, *, path: str = "/") -> str:
        receiver = (ASGIReceiver(app, path=path) if is_asgi(app)
                    else WSGIReceiver(app, path=path)).start()
        started.append(receiver)
        return receiver.url

    yield serve
    for receiver in started:
        receiver.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    view = item.stash.get(VIEW, None)
    if view is not None:
        view.check()
    return result


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int,
                            config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None or not state.coverage.tests:
        return
    terminalreporter.write_sep("-", "contractkit coverage")
    for line in state.coverage.summary_lines():
        terminalreporter.write_line(line)
    path = config.getoption("contractkit_report")
    if path:
        terminalreporter.write_line(f"coverage report written to {path}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(STATE, None)
    if state is None:
        return
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller merges and writes
        worker_output["contractkit_coverage"] = json.dumps(state.coverage.to_dict())
        return
    path = config.getoption("contractkit_report")
    if path and state.coverage.tests:
        Path(path).write_text(json.dumps(state.coverage.to_dict(), indent=2) + "\n")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: merge each worker's coverage into the controller's."""
    data = getattr(node, "workeroutput", {}).get("contractkit_coverage")
    if data:
        node.config.stash[STATE].coverage.merge(json.loads(data))


def _record(request: pytest.FixtureRequest, view: ContractServer) -> None:
    """With ``--contractkit-record``, add ``view``'s exchanges to the test's recording and
    write it (each xdist worker writes the files of its tests). A test's exchanges with
    every mock it used (``contract_server``, ``make_contract_server``) are one file, in
    the order they happened: whichever fixture ends last writes them all."""
    from contractkit.interactions import Recording, write  # noqa: PLC0415 - lazy

    folder = request.config.getoption("contractkit_record")
    if not folder:
        return
    recorded = request.node.stash.setdefault(RECORDED, [])
    recorded.extend(view.timed_interactions())
    if recorded:
        recorded.sort(key=lambda timed: timed[0])
        write(Path(request.config.invocation_params.dir) / folder,
              Recording(test=request.node.nodeid,
                        interactions=tuple(interaction for _, interaction in recorded)))


def _contracts(request: pytest.FixtureRequest, folder: Path) -> tuple[str, ...]:
    marker = request.node.get_closest_marker("contract")
    if marker is None or not marker.args:
        raise pytest.UsageError(
            f"{request.node.nodeid}: contract_server needs @pytest.mark.contract(\"path\") "
            "on the test, its class or its module (pytestmark)")
    return tuple(str(_resolve(str(arg), folder, request)) for arg in marker.args)


def _resolve(path: str, folder: Path, request: pytest.FixtureRequest) -> Path:
    given = Path(path)
    candidates = [given] if given.is_absolute() else [
        Path(request.config.rootpath) / given, Path(request.path).parent / given,
        folder / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise pytest.UsageError(
        f"{request.node.nodeid}: contract {path!r} not found (looked in "
        + ", ".join(str(c.parent) for c in candidates) + ")")


def _scenario_source(name: str | None, request: pytest.FixtureRequest) -> str | None:
    if name is None or not name.endswith((".yaml", ".yml")):
        return name
    for base in (Path(request.config.rootpath), Path(request.path).parent):
        if (base / name).is_file():
            return str(base / name)
    return name
