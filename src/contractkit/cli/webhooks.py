"""``contractkit webhooks list|send``: the events a contract's provider sends, and one
signed delivery of an event to a receiver."""

from __future__ import annotations

import asyncio
import sys

import click
import orjson

from contractkit.cli._loading import LoadOptions, loading_options
from contractkit.contract.loader import load
from contractkit.errors import ContractkitError
from contractkit.server.webhook_sender import WebhookSender
from contractkit.webhooks.delivery import Delivery, Ids, Target, plan
from contractkit.webhooks.events import events
from contractkit.webhooks.outbox import Attempt, Outbox
from contractkit.webhooks.payloads import media_type_of, payload_for
from contractkit.webhooks.signing import SCHEMES


@click.group()
def webhooks() -> None:
    """The provider's side of webhooks: list a contract's events, deliver one."""


@webhooks.command("list")
@click.argument("contract", type=click.Path())
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@loading_options
def list_events(contract: str, output: str, load_options: LoadOptions) -> None:
    """The events of CONTRACT: `webhooks`, `x-webhooks` and operations' `callbacks`."""
    try:
        loaded = load(contract, **load_options)
        found = events(loaded)
    except ContractkitError as error:
        click.echo(f"contractkit webhooks list: {error}", err=True)
        sys.exit(2)
    rows: list[dict[str, str]] = []
    for event in found:
        media_type, _ = media_type_of(event)
        origin = payload_for(loaded, event).origin
        rows.append({"event": event.name, "kind": event.kind, "method": event.operation.method,
                     "media_type": media_type, "payload": origin,
                     "trigger": event.trigger or "", "url": event.expression or "",
                     "summary": event.summary})
    if output == "json":
        click.echo(orjson.dumps({"contract": contract, "events": rows},
                                option=orjson.OPT_INDENT_2).decode())
        return
    if not rows:
        click.echo(f"{contract}: no webhooks (no `webhooks`, `x-webhooks` or `callbacks`)")
        return
    width = max(len(r["event"]) for r in rows)
    for row in rows:
        where = (f"after {row['trigger']} → {row['url']}" if row["kind"] == "callback"
                 else "webhook")
        click.echo(f"{row['event']:<{width}}  {row['method']:<6} {where}  "
                   f"[{row['media_type']}; payload from {row['payload']}]")
    click.echo(f"{len(rows)} event(s)")


@webhooks.command("send")
@click.argument("contract", type=click.Path())
@click.argument("event")
@click.option("--to", "url", required=True, metavar="URL",
              help="The receiver (loopback only unless --allow-remote-receiver).")
@click.option("--secret", envvar="CONTRACTKIT_WEBHOOK_SECRET", default=None,
              help="Signing secret (better: env CONTRACTKIT_WEBHOOK_SECRET); never printed.")
@click.option("--signing", default=None, metavar="SCHEME",
              help="How to sign: " + ", ".join(SCHEMES) + " (hmac:header=…,algorithm=…); "
                   "default standard when --secret is given, else unsigned.")
@click.option("--retries", default="none", show_default=True, metavar="SCHEDULE",
              help="Retry schedule: none, standard, stripe, shopify, slack, github, twilio or "
                   "exponential:base=1,cap=60,retries=5 (waits are real here).")
@click.option("--timeout", type=float, default=10.0, show_default=True,
              help="Seconds each attempt waits for the receiver's answer.")
@click.option("--payload", default=None, metavar="JSON",
              help="Send this JSON instead of the contract's example or a generated body.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for a generated payload.")
@click.option("--allow-remote-receiver", is_flag=True,
              help="Allow a receiver that is not on this machine.")
@loading_options
def send(contract: str, event: str, url: str, secret: str | None, signing: str | None,
         retries: str, timeout: float, payload: str | None, seed: int,
         allow_remote_receiver: bool, load_options: LoadOptions) -> None:
    """Deliver one EVENT of CONTRACT to a receiver, signed; exit 0 when it answers 2xx,
    1 when it answers another status, 2 when it cannot be reached or does not answer."""
    try:
        loaded = load(contract, **load_options)
        target = Target.build(url, secret=secret, signing=signing, retries=retries,
                              timeout=timeout, allow_remote=allow_remote_receiver)
        given = None
        if payload is not None:
            try:
                given = orjson.loads(payload)
            except orjson.JSONDecodeError as error:
                raise click.BadParameter(f"not JSON: {error}", param_hint="--payload") from None
        delivery = plan(loaded, event, ids=Ids(None), seed=seed, payload=given)
    except ContractkitError as error:
        click.echo(f"contractkit webhooks send: {error}", err=True)
        sys.exit(2)
    attempts = asyncio.run(_deliver(delivery, target))
    for attempt in attempts:
        click.echo(_line(attempt))
    last = attempts[-1]
    if last.ok:
        return
    if last.status is None:
        click.echo(f"contractkit webhooks send: {event} was not delivered: {last.error}",
                   err=True)
        sys.exit(2)
    click.echo(f"contractkit webhooks send: the receiver answered {last.status} to {event}"
               + (f" after {len(attempts)} attempts" if len(attempts) > 1 else ""), err=True)
    sys.exit(1)


async def _deliver(delivery: Delivery, target: Target) -> list[Attempt]:
    sender = WebhookSender(Outbox())
    try:
        return await sender.deliver(delivery, target)
    finally:
        await sender.close()


def _line(attempt: Attempt) -> str:
    answer = str(attempt.status) if attempt.status is not None else attempt.outcome
    scheme = next((name for name in attempt.request_headers
                   if "signature" in name.lower() or "hmac" in name.lower()), "unsigned")
    return (f"{attempt.event} #{attempt.attempt} id={attempt.delivery_id} → {answer} in "
            f"{attempt.answer_seconds * 1000:.0f} ms  ({attempt.body_size} bytes, "
            f"{scheme}; {attempt.outcome})")
