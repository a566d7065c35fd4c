"""``contractkit mock CONTRACT...``: serve contracts until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from pathlib import Path

import click

from contractkit.cli._loading import LoadOptions, loading_options
from contractkit.contract.loader import load
from contractkit.contract.model import Contract
from contractkit.errors import ConfigError, ContractkitError, ContractLoadError, FixturesError
from contractkit.server import workers
from contractkit.server.loops import LOOPS, loop_factory, run
from contractkit.server.runner import DEFAULT_BACKLOG, MockServer
from contractkit.server.watch import watch_contracts
from contractkit.server.workers import Workers


def _mounts(values: tuple[str, ...]) -> dict[str, str]:
    mounts = {}
    for value in values:
        prefix, separator, path = value.partition("=")
        if not separator or not prefix.startswith("/") or not path:
            raise click.BadParameter(f"{value!r}: expected PREFIX=FILE, e.g. /billing=billing.yaml",
                                     param_hint="--mount")
        mounts[prefix] = path
    return mounts


def _scenario_files(folders: tuple[str, ...]) -> list[str]:
    """The scenario files directly inside each folder, in name order."""
    return [str(path) for folder in folders for path in sorted(Path(folder).iterdir())
            if path.suffix in (".yaml", ".yml") and path.is_file()]


@click.command()
@click.argument("contracts", nargs=-1, type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the mock to your network.")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to bind (0: any free port, printed at start).")
@click.option("--mount", "mount_values", multiple=True, metavar="PREFIX=FILE",
              help="Serve FILE under PREFIX instead of its server base path (repeatable).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for generated responses (same seed, same bodies).")
@click.option("--validate", "validate_mode", type=click.Choice(["strict", "warn", "off"]),
              default="strict", show_default=True,
              help="strict: reject invalid requests; warn: serve and record; off: no checks.")
@click.option("--admin-token", envvar="CONTRACTKIT_ADMIN_TOKEN", default=None,
              help="Require this token on /__contractkit/ (better: env CONTRACTKIT_ADMIN_TOKEN, "
                   "not visible in ps).")
@click.option("--allowed-host", "allowed_hosts", metavar="NAME", multiple=True,
              help="Also answer admin requests whose Host is NAME (.domain: it and its "
                   "subdomains; *: any). Loopback names and the listened address always work.")
@click.option("--backlog", type=click.IntRange(min=1), default=DEFAULT_BACKLOG,
              show_default=True, help="Connections the kernel queues before they are accepted.")
@click.option("--no-cors", is_flag=True, help="Do not answer CORS preflights or add CORS headers.")
@click.option("--log-format", type=click.Choice(["plain", "json", "off"]), default="plain",
              show_default=True,
              help="One line per request on stderr (beyond 100 a second, a count of the "
                   "others once a second).")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=10 * 1024 * 1024,
              show_default=True, help="Larger request bodies get 413.")
@click.option("--no-reflect", is_flag=True,
              help="Do not copy path parameters into answers (GET /customers/cus_1 answers "
                   "\"id\": \"cus_1\" by default, where the schema allows).")
@click.option("--fixtures", "fixtures", metavar="FILE", default=None,
              help="Lay these values over generated answers, by component schema name "
                   "(`schemas: {Customer: {...}}`; stripe-mock's `resources:` files too).")
@click.option("--optionals", type=click.Choice(["some", "top", "all"]), default="top",
              show_default=True,
              help="Optional properties in generated bodies. top: every one in the body's "
                   "object and the objects in it (a list's items), some below; all: at "
                   "every level; some: each with a 60% chance.")
@click.option("--array-format", "array_formats", metavar="[PREFIX=]FORMAT", multiple=True,
              help="How clients send query arrays where the contract gives no style: auto "
                   "(a=1&a=2, a[]=1, a[0]=1) or comma (also a=1,2); PREFIX= for one mount "
                   "(repeatable).")
@click.option("--lenient", is_flag=True,
              help="Serve a GraphQL schema that fails validation as written, and use the "
                   "--fixtures entries that fit the contract (what is refused is printed); "
                   "without it either is refused.")
@click.option("--watch", is_flag=True,
              help="Reload a contract when its files change (a broken edit keeps the last good).")
@click.option("--scenario", "scenario", metavar="NAME|FILE", default=None,
              help="Misbehave as this scenario: a built-in name (contractkit scenarios list) "
                   "or a scenario file.")
@click.option("--scenarios", "scenario_files", metavar="FILE", multiple=True,
              help="Load more scenario files, to switch to at runtime (repeatable).")
@click.option("--scenario-dir", "scenario_dirs", metavar="DIR", multiple=True,
              type=click.Path(exists=True, file_okay=False),
              help="Load every *.yaml / *.yml scenario file in DIR (repeatable).")
@click.option("--webhooks-to", "webhooks_to", metavar="URL", default=None,
              help="Deliver webhooks (admin POST /__contractkit/webhooks, scenario triggers) "
                   "to this receiver; loopback only unless --allow-remote-receiver.")
@click.option("--webhook-secret", envvar="CONTRACTKIT_WEBHOOK_SECRET", default=None,
              help="Sign deliveries with this secret (better: env CONTRACTKIT_WEBHOOK_SECRET).")
@click.option("--webhook-signing", metavar="SCHEME", default=None,
              help="standard, stripe, github, slack, shopify, twilio or hmac:… (default "
                   "standard when a secret is given).")
@click.option("--webhook-retries", metavar="SCHEDULE", default=None,
              help="Retry schedule (default: the signing provider's; none: one attempt).")
@click.option("--webhook-timeout", type=float, default=None,
              help="Seconds each delivery attempt waits (default: the provider's).")
@click.option("--allow-remote-receiver", is_flag=True,
              help="Let deliveries and callbacks go to hosts other than this machine.")
@click.option("--state", "state", metavar="redis://HOST:PORT/DB", default=None,
              help="Keep scenario counters, rate-limit buckets, sessions and the journal in "
                   "Redis (or Valkey), shared by every mock process using the same URL "
                   "(needs the redis extra). Default: in this process.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes serving the port (SO_REUSEPORT). Each keeps its own state "
                   "unless --state is given.")
@click.option("--loop", "loop_name", type=click.Choice(list(LOOPS)), default="auto",
              show_default=True,
              help="Event loop: auto is uvloop where installed (the fast extra), else asyncio.")
@loading_options
def mock(contracts: tuple[str, ...], host: str, port: int, mount_values: tuple[str, ...],
         seed: int, validate_mode: str, admin_token: str | None,
         allowed_hosts: tuple[str, ...], backlog: int, no_cors: bool,
         log_format: str, max_body_bytes: int, no_reflect: bool, fixtures: str | None,
         optionals: str, array_formats: tuple[str, ...], lenient: bool, watch: bool,
         scenario: str | None,
         scenario_files: tuple[str, ...], scenario_dirs: tuple[str, ...],
         webhooks_to: str | None, webhook_secret: str | None, webhook_signing: str | None,
         webhook_retries: str | None, webhook_timeout: float | None,
         allow_remote_receiver: bool, state: str | None, workers: int, loop_name: str,
         load_options: LoadOptions) -> None:
    """Serve CONTRACTS as a mock API: routed, validated, answered from examples or schemas."""
    mounts = _mounts(mount_values)
    if not contracts and not mounts:
        raise click.UsageError("pass at least one contract file (or --mount PREFIX=FILE)")
    if log_format != "off":
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        loaded = [load(path, **load_options) for path in contracts]
        mounted = {prefix: load(path, **load_options) for prefix, path in mounts.items()}
        loop, factory = loop_factory(loop_name)
        # after loading (the contracts are shared copy-on-write), before any loop or thread
        processes = _fork(workers, host, port) if workers > 1 else None
        if processes is not None:
            port = processes.port
        server = MockServer(*loaded, mounts=mounted, host=host, port=port, seed=seed,
                            validate=validate_mode,  # type: ignore[arg-type]
                            admin_token=admin_token, allowed_hosts=allowed_hosts,
                            backlog=backlog, cors=not no_cors, lenient=lenient,
                            reflect_path_params=not no_reflect, fixtures=fixtures,
                            optionals=optionals,  # type: ignore[arg-type]
                            array_format=_array_formats(array_formats),  # type: ignore[arg-type]
                            max_body_bytes=max_body_bytes, log_format=log_format,
                            scenarios=(*scenario_files, *_scenario_files(scenario_dirs)),
                            scenario=scenario, webhooks_to=webhooks_to,
                            webhook_secret=webhook_secret, webhook_signing=webhook_signing,
                            webhook_retries=webhook_retries, webhook_timeout=webhook_timeout,
                            allow_remote_receiver=allow_remote_receiver, state=state,
                            reuse_port=processes is not None)
    except ContractkitError as error:
        click.echo(f"contractkit mock: {error}", err=True)
        if isinstance(error, ContractLoadError | FixturesError) and len(error.errors) > 1:
            for each in error.errors[:50]:
                click.echo(f"  {each}", err=True)
            if len(error.errors) > 50:
                click.echo(f"  and {len(error.errors) - 50} more", err=True)
        sys.exit(2)
    try:
        run(_serve(server, watch, load_options, processes, loop), factory)
    except OSError as error:
        click.echo(f"contractkit mock: cannot listen on {host}:{port}: {error.strerror}",
                   err=True)
        sys.exit(2)
    except ConfigError as error:
        click.echo(f"contractkit mock: {error}", err=True)
        sys.exit(2)


def _fork(count: int, host: str, port: int) -> Workers:
    try:
        return workers.start(count, host, port)
    except OSError as error:
        click.echo(f"contractkit mock: cannot listen on {host}:{port}: {error.strerror}",
                   err=True)
        sys.exit(2)


def _safe_url(url: str) -> str:
    """A Redis URL without its password."""
    scheme, separator, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}{separator}{rest}"


def _array_formats(values: tuple[str, ...]) -> str | dict[str, str]:
    """``--array-format comma`` (every mount) or ``--array-format /v1=comma`` (each named
    mount; the others read the default, ``auto``)."""
    if not values:
        return "auto"
    pairs = [value.rpartition("=")[::2] for value in values]
    if all(not prefix for prefix, _ in pairs):
        return pairs[-1][1]
    if any(not prefix for prefix, _ in pairs):
        raise click.UsageError("--array-format takes one FORMAT for every mount, or "
                               "PREFIX=FORMAT for each mount named; not both")
    return dict(pairs)


#: What each error `validate` reports means for the mock, which serves the contract anyway.
_CONSEQUENCES = {
    "operation-id-duplicate": "scenario rules and journal entries naming this operationId "
                              "apply to every operation that has it",
    "path-parameter-undeclared": "the variable is matched as any string, unvalidated",
    "parameter-invalid": "the parameter is ignored",
    "graphql-sdl-invalid": "--lenient serves it as written (a field defined twice: the last "
                           "definition)",
    "graphql-schema-invalid": "--lenient serves it as written",
}


def _warn_about_errors(contract: Contract) -> None:
    """The contract's errors, on stderr: served anyway, but the user should know."""
    errors = [problem for problem in contract.problems if problem.severity == "error"]
    for problem in errors[:20]:
        consequence = _CONSEQUENCES.get(problem.code, "served as far as it goes")
        click.echo(f"{problem}; served anyway: {consequence}", err=True)
    if len(errors) > 20:
        click.echo(f"and {len(errors) - 20} more errors; "
                   f"`contractkit validate {contract.source}` lists them all", err=True)


def example_request(contract: Contract, base: str) -> str | None:
    """A ``curl`` command that gets a 2xx from ``contract`` served at ``base``: a GET that
    needs no parameters (a bearer token or an API key header added if it asks for one)."""
    if contract.kind == "graphql":
        return (f"curl -s {base}/graphql -H 'Content-Type: application/json' "
                "-d '{\"query\": \"{ __typename }\"}'")
    for operation in contract.operations:
        if (operation.method != "GET" or "{" in operation.path or "#" in operation.path
                or "?" in operation.path or any(p.required for p in operation.parameters)):
            continue
        headers = ""
        if operation.security and not any(not requirement
                                          for requirement in operation.security):
            scheme = contract.security_schemes.get(next(iter(operation.security[0])))
            if scheme is None:
                continue
            if (scheme.type == "http" and scheme.scheme == "bearer") or scheme.type in (
                    "oauth2", "openIdConnect"):
                headers = " -H 'Authorization: Bearer test'"
            elif scheme.type == "apiKey" and scheme.location == "header":
                headers = f" -H '{scheme.parameter_name}: test'"
            elif scheme.type == "http" and scheme.scheme == "basic":
                headers = " -u user:test"
            else:
                continue
        return f"curl -s {base}{operation.path}{headers}"
    return None


def _webhooks_banner(server: MockServer) -> None:
    webhooks = server.app.webhooks
    found = webhooks.events()
    if not found:
        return
    target = webhooks.target
    where = (f"to {target.url} ({target.scheme.name if target.scheme else 'unsigned'}; "
             f"{target.policy.describe()})" if target is not None and target.url
             else "nowhere yet: --webhooks-to URL, or `to` in the admin request")
    click.echo(f"webhooks: {len(found)} event(s), delivered {where}; "
               f"POST {server.admin_url}/webhooks {{\"event\": \"{found[0][1].name}\"}}")
    for fault in webhooks.scenario().faults:
        click.echo(f"  webhook fault {fault.kind}: {fault.explain()}")


async def _serve(server: MockServer, watch: bool, load_options: LoadOptions,
                 processes: Workers | None = None, loop_name: str = "asyncio") -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await server.start()
    # The loaded contracts are long-lived and acyclic: keep the collector from rescanning
    # them on every collection (it showed as tens of milliseconds at p99 on GitHub's).
    gc.freeze()
    if processes is not None and not processes.first:
        # another worker: the first one prints the banner and stops this one with SIGTERM
        watcher = (asyncio.create_task(watch_contracts(server.app, **load_options))
                   if watch else None)
        orphan = asyncio.create_task(processes.until_orphaned(stop))
        try:
            await stop.wait()
        finally:
            orphan.cancel()
            if watcher is not None:
                watcher.cancel()
            await server.stop()
        return
    try:
        await _banner_and_serve(server, watch, load_options, processes, loop_name, stop)
    finally:
        if processes is not None:
            processes.stop_children()


async def _banner_and_serve(server: MockServer, watch: bool, load_options: LoadOptions,
                            processes: Workers | None, loop_name: str,
                            stop: asyncio.Event) -> None:
    for mount in server.app.mounts_in_order:
        contract = mount.contract
        kind = "GraphQL" if contract.kind == "graphql" else f"OpenAPI {contract.spec_version}"
        click.echo(f"serving {contract.source} ({kind}, {contract.title or 'untitled'} "
                   f"{contract.version}, {len(contract.operations)} operations) at "
                   f"{server.root_url}{mount.prefix or '/'}")
        example = example_request(contract, f"{server.root_url}{mount.prefix}")
        if example:
            click.echo(f"  try: {example}")
    for mount in server.app.mounts_in_order:
        _warn_about_errors(mount.contract)
    left_out = next((m.fixtures.left_out for m in server.app.mounts_in_order
                     if m.fixtures is not None and m.fixtures.left_out), ())
    if left_out:
        click.echo(f"fixtures: left out {len(left_out)} entr"
                   f"{'ies' if len(left_out) > 1 else 'y'} the contract refuses (--lenient):")
        for each in left_out:
            click.echo(f"  {each}")
    active = server.app.scenarios.active()
    if active is not None:
        click.echo(f"scenario {active}: " + "; ".join(
            f"{rule.name}: {rule.describe()}" for rule in server.app.scenarios.get(active).rules))
    _webhooks_banner(server)
    click.echo(f"unreachable on purpose: refused at {server.refused_url}, connect timeout at "
               f"{server.connect_timeout_url}")
    shared = server.app.state
    if processes is not None:
        click.echo(f"workers: {processes.count} processes share port {processes.port} "
                   f"(SO_REUSEPORT, {loop_name} loop)")
    if shared is not None:
        click.echo(f"state: shared in {_safe_url(shared.url)} (scenario counters, rate-limit "
                   "buckets, sessions, journal; metrics stay per process)")
    elif processes is not None:
        click.echo("state: per process: each worker keeps its own journal, scenario "
                   "counters, rate-limit buckets and sessions, and the admin API answers "
                   "from the worker the connection reached; --state redis://HOST:PORT/DB "
                   "shares them")
    click.echo(f"admin API at {server.admin_url}/  (Ctrl-C to stop)")
    sys.stdout.flush()
    watcher = (asyncio.create_task(watch_contracts(server.app, **load_options)) if watch
               else None)
    try:
        await stop.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        await server.stop()
        click.echo("stopped")
