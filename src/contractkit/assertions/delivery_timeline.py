"""The timeline a failing receiver assertion prints: each delivery attempt, in order.

One line per attempt: ``+t`` since the first attempt, the event, the delivery id and
attempt number, the fault that made it, whether its signature was genuine or how it was
forged, what the receiver answered (a status, or why there was none), how long the answer
took, and what a correct receiver does with it. Lines an assertion blames are marked
with ``>``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from contractkit.webhooks.outbox import Attempt

#: beyond this many attempts, only the first and last half are shown
MAX_LINES = 40
_DOES = {"accept": "2xx", "reject": "4xx", "either": "2xx or 4xx"}


def signature_of(attempt: Attempt) -> str:
    """``genuine``, or how the attempt was forged (``forged: bad-signature``, ``replay``)."""
    if attempt.forgery is None:
        return "genuine"
    return "replay" if attempt.forgery == "replay" else f"forged: {attempt.forgery}"


def answer_of(attempt: Attempt) -> str:
    """What the receiver answered: the status, or the outcome of an attempt without one."""
    return str(attempt.status) if attempt.status is not None else attempt.outcome


def render_deliveries(attempts: Sequence[Attempt], *, marked: Collection[int] = ()) -> str:
    """The timeline of ``attempts`` (oldest first), marking those whose ``seq`` is in
    ``marked``."""
    if not attempts:
        return "timeline: no delivery attempts were recorded"
    origin = attempts[0].t_start
    shown: list[Attempt | None] = list(attempts)
    if len(attempts) > MAX_LINES:
        half = MAX_LINES // 2
        shown = [*attempts[:half], None, *attempts[-half:]]
    header = (" ", "+t", "event", "delivery", "fault", "signature", "answer", "in",
              "correct answer")
    rows: list[tuple[str, ...] | str] = []
    for attempt in shown:
        if attempt is None:
            rows.append(f"... {len(attempts) - MAX_LINES} more attempts ...")
            continue
        rows.append((">" if attempt.seq in marked else " ",
                     f"+{attempt.t_start - origin:.3f} s", attempt.event,
                     f"{attempt.delivery_id} #{attempt.attempt}", attempt.fault or "-",
                     signature_of(attempt), answer_of(attempt),
                     f"{attempt.answer_seconds * 1000:.0f} ms", _DOES[attempt.expected]))
    table = [header, *(r for r in rows if isinstance(r, tuple))]
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width)
                         for cell, width in zip(row, widths, strict=True)).rstrip()

    plural = "s" if len(attempts) != 1 else ""
    lines = [f"timeline ({len(attempts)} delivery attempt{plural}, t since the first):",
             line(header)]
    lines += [line(row) if isinstance(row, tuple) else "  " + row for row in rows]
    errors = [a for a in attempts if a.error and a.seq in marked]
    lines += [f"  #{a.seq}: {a.error}" for a in errors[:5]]
    return "\n".join(lines)
