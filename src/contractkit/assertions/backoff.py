"""``backed_off``: do a client's waits before retrying follow a backoff schedule?

A *wait* is judged for each retry that follows a *retryable* failure (no answer, a 5xx, a
408, 425 or 429) without ``Retry-After`` (those waits are
:func:`~contractkit.assertions.retries.honoured_retry_after`'s). It is the sum of the sleeps
recorded between the answer and the retry in virtual time, else the gap on the clock.
Retry *i* counts every retry of its logical operation (0 for the first).

Two rules judge every schedule, so that a hot loop never passes:

- **no immediate retries**: a retry after a wait of 0 fails, except the first retry of an
  operation (urllib3's ``Retry`` makes it at once by design). In real time a wait under the
  lower-bound tolerance (20 ms) cannot be told from none, so there it fails only when every
  wait after the first is that short.
- **growth**: waits that are all the same are a constant delay, not a backoff (unless
  ``kind="constant"`` or ``base=`` pins the schedule).

Then the delay of retry *i* is ``d(i) = min(cap, base × factor^i)`` (``exponential``, factor
2), ``base + factor × i`` (``linear``) or ``base`` (``constant``), and a *jitter family*
says where a wait may fall:

====================  ==================================  =================================
family                wait of retry *i*                   ships as
====================  ==================================  =================================
``none``              exactly ``d(i)``                    tenacity ``wait_exponential``,
                                                          urllib3 ``Retry(backoff_factor)``
``full``              uniform in ``[0, d(i)]``            backoff ``expo`` (its default),
                                                          tenacity ``wait_random_exponential``,
                                                          httpx-retries, AWS full jitter
``equal``             uniform in ``[d(i)/2, d(i)]``       AWS equal jitter,
                                                          httpx-retries ``backoff_jitter=0.5``
``additive``          ``min(cap, raw(i) + U(0, J))``      stamina (its default),
                                                          tenacity ``wait_exponential_jitter``,
                                                          urllib3 ``backoff_jitter``
``decorrelated``      uniform in ``[base, factor × w]``   AWS decorrelated jitter
                      (``w`` the previous wait, factor 3)
====================  ==================================  =================================

``raw(i)`` is ``d(i)`` before the cap and ``J`` is ``max_jitter`` (1 s, stamina's default).
With ``jitter=None`` any family fits; without ``base`` only the two rules above judge (the
family ``none`` infers ``base`` from the first wait it judges). The lower bound is strict and
the upper bound loose, by the observation's tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from contractkit.assertions.attempts import answer_end, answer_start, header
from contractkit.assertions.observation import Finding, Observation
from contractkit.assertions.timeline import describe_answer
from contractkit.errors import ConfigError
from contractkit.journal import JournalEntry

BackoffKind = Literal["exponential", "linear", "constant"]
JitterFamily = Literal["none", "full", "equal", "additive", "decorrelated"]
FAMILIES: tuple[JitterFamily, ...] = get_args(JitterFamily)
#: answers a client may retry after backing off (others are no_retry_on's business; a 401
#: is retried at once with a refreshed token)
RETRYABLE_STATUSES = frozenset({408, 425, 429})
#: waits that differ by less than this fraction (beyond the tolerance) count as the same
SAME_WAIT_FRACTION = 0.02

_WHAT = {
    "none": "no jitter waits exactly the delay",
    "full": "full jitter waits a random part of the delay",
    "equal": "equal jitter waits between half the delay and the delay",
    "additive": "additive jitter waits the delay plus up to max_jitter",
    "decorrelated": "decorrelated jitter waits between base and factor × the previous wait",
}


@dataclass(frozen=True)
class Wait:
    """How long a client waited before retry ``index`` of one logical operation."""

    index: int
    previous: JournalEntry
    attempt: JournalEntry
    seconds: float

    @property
    def retry(self) -> str:
        return f"retry {self.index + 1}"


@dataclass(frozen=True)
class Schedule:
    kind: BackoffKind
    base: float
    factor: float | None
    cap: float | None
    max_jitter: float

    def raw(self, index: int) -> float:
        if self.kind == "constant":
            return self.base
        if self.kind == "linear":
            return self.base + (self.base if self.factor is None else self.factor) * index
        return self.base * (2.0 if self.factor is None else self.factor) ** index

    def delay(self, index: int) -> float:
        return self._capped(self.raw(index))

    def _capped(self, value: float) -> float:
        return value if self.cap is None else min(value, self.cap)

    def formula(self, index: int) -> str:
        if self.kind == "constant":
            text = f"base {self.base:g}"
        elif self.kind == "linear":
            step = self.base if self.factor is None else self.factor
            text = f"base {self.base:g} + {step:g} × {index}"
        else:
            text = f"base {self.base:g} × {2.0 if self.factor is None else self.factor:g}^{index}"
        return text if self.cap is None else f"min(cap {self.cap:g}, {text})"

    def bounds(self, family: JitterFamily, wait: Wait,
               previous: Wait | None) -> tuple[float, float]:
        """Where the wait before retry ``wait.index`` may fall under ``family``."""
        delay = self.delay(wait.index)
        if family == "full":
            return 0.0, delay
        if family == "equal":
            return delay / 2, delay
        if family == "additive":
            return delay, self._capped(self.raw(wait.index) + self.max_jitter)
        if family == "decorrelated":
            factor = 3.0 if self.factor is None else self.factor
            before = self.base if previous is None else max(self.base, previous.seconds)
            return self._capped(self.base), self._capped(factor * before)
        return delay, delay


def _retryable(entry: JournalEntry) -> bool:
    return entry.status is None or entry.status >= 500 or entry.status in RETRYABLE_STATUSES


def waits(seen: Observation) -> tuple[list[list[Wait]], list[Wait]]:
    """The waits to judge, per logical operation, and those left to honoured_retry_after."""
    judged: list[list[Wait]] = []
    deferred: list[Wait] = []
    for operation in seen.operations:
        mine = []
        for index, (previous, attempt) in enumerate(operation.retries):
            if not _retryable(previous):
                continue
            seconds = (seen.slept_between(answer_start(previous), attempt.t_headers)
                       if seen.tolerance.virtual else attempt.t_headers - answer_end(previous))
            wait = Wait(index, previous, attempt, seconds)
            if header(previous, "Retry-After", response=True):
                deferred.append(wait)
            else:
                mine.append(wait)
        judged.append(mine)
    return judged, deferred


def backed_off(seen: Observation, kind: BackoffKind, base: float | None,
               factor: float | None, cap: float | None,
               jitter: JitterFamily | bool | None, max_jitter: float) -> Finding | None:
    family = _family(jitter)
    if base is None and family not in (None, "none"):
        raise ConfigError(
            f"backed_off(jitter={family!r}) needs base=: random waits do not reveal the base "
            "delay (stamina: wait_initial, 0.1 by default; backoff.expo: factor, 1; "
            "tenacity: multiplier; urllib3 and httpx-retries: backoff_factor), or leave "
            "jitter out to accept any family")
    verb = "slept" if seen.tolerance.virtual else "waited"
    per_operation, deferred = waits(seen)
    note = _deferred_note(deferred)
    for operation in per_operation:
        finding = _hot_loop(seen, operation, verb, note)
        if finding is not None:
            return finding
    judged = [[w for w in op if not _immediate_first(seen, w)] for op in per_operation]
    counted = max((len(op) for op in judged), default=0)
    needed = 1 if base is not None else 2
    if counted < needed:
        return Finding(
            f"made {counted} retr{'y' if counted == 1 else 'ies'} that a backoff could be "
            "judged on (after a retryable failure, without Retry-After, not counting an "
            f"immediate first retry){note}; {needed} are needed to tell a backoff: use a "
            "scenario that fails several times in a row "
            "(`sequence: [{status: 503}, {status: 503}, {status: 503}, pass]`)")
    for operation in judged:
        if not operation:
            continue
        if base is None and kind != "constant":
            finding = _constant(seen, operation, verb, note)
            if finding is not None:
                return finding
        if base is None and family is None:
            continue  # any family: only the rules above can judge without a base
        start = base if base is not None else _inferred_base(kind, factor, operation[0])
        schedule = Schedule(kind, start, factor, cap, max_jitter)
        candidates = FAMILIES if family is None else (family,)
        misfits = [_misfit(seen, schedule, f, operation, verb) for f in candidates]
        if all(m is not None for m in misfits):
            return _no_family(schedule, candidates, misfits, base is None, note)
    return None


def _family(jitter: JitterFamily | bool | None) -> JitterFamily | None:
    if jitter is True:
        return "full"
    if jitter is False:
        return "none"
    if jitter is not None and jitter not in FAMILIES:
        raise ConfigError(f"backed_off(jitter={jitter!r}): the jitter families are "
                          + ", ".join(map(repr, FAMILIES)) + " (or None: any of them)")
    return jitter


def _is_zero(seen: Observation, wait: Wait) -> bool:
    # a virtual sleep of any length is recorded; in real time 20 ms is the resolution
    return wait.seconds <= (0.0 if seen.tolerance.virtual else seen.tolerance.early())


def _immediate_first(seen: Observation, wait: Wait) -> bool:
    return wait.index == 0 and _is_zero(seen, wait)


def _hot_loop(seen: Observation, operation: Sequence[Wait], verb: str,
              note: str) -> Finding | None:
    later = [w for w in operation if w.index > 0]
    zeros = [w for w in later if _is_zero(seen, w)]
    if not zeros or (not seen.tolerance.virtual and len(zeros) < len(later)):
        return None
    first = zeros[0]
    if seen.tolerance.virtual:
        how = ("no sleep was recorded at all: pass virtual time's sleeps to Calls, and check "
               "that the client sleeps with time.sleep or asyncio.sleep; "
               if not seen.sleeps else "")
        said = f"{verb} nothing before {first.retry} (after {describe_answer(first.previous)})"
    else:
        how = ("in real time a wait under 20 ms cannot be told from none, so use longer "
               "waits or virtual time if the client does back off; ")
        said = (f"{verb} {', '.join(f'{w.seconds:.3f} s' for w in later)} before "
                f"{', '.join(w.retry for w in later)}")
    return Finding(
        f"{said}: a retry without a wait after a retryable failure is a hot loop that "
        "hammers a provider that is already failing (only the first retry may be "
        f"immediate, as urllib3's Retry makes it){note}; {how}"
        "wait longer before each retry (exponential backoff with jitter)",
        tuple(w.attempt for w in zeros))


def _constant(seen: Observation, operation: Sequence[Wait], verb: str,
              note: str) -> Finding | None:
    if len(operation) < 2:
        return None
    values = [w.seconds for w in operation]
    spread = max(values) - min(values)
    if spread > seen.tolerance.early() + SAME_WAIT_FRACTION * max(values):
        return None
    return Finding(
        f"{verb} the same {values[0]:.3f} s before each of its {len(values)} retries "
        f"({', '.join(w.retry for w in operation)}){note}: a constant delay is not a "
        "backoff, the wait must grow while the provider keeps failing; if the schedule "
        "has a floor or a cap that hides its growth (tenacity's min=), fail more times in "
        "a row so it shows, or pin kind=\"constant\", base=",
        tuple(w.attempt for w in operation))


def _inferred_base(kind: BackoffKind, factor: float | None, wait: Wait) -> float:
    if kind == "constant":
        return wait.seconds
    if kind == "linear":
        return (wait.seconds / (wait.index + 1) if factor is None
                else wait.seconds - factor * wait.index)
    return wait.seconds / (2.0 if factor is None else factor) ** wait.index


def _misfit(seen: Observation, schedule: Schedule, family: JitterFamily,
            operation: Sequence[Wait], verb: str) -> str | None:
    """Why ``operation``'s waits do not fit ``family`` (None when they do)."""
    previous: Wait | None = None
    for wait in operation:
        low, high = schedule.bounds(family, wait, previous)
        where = (f"{verb} {wait.seconds:.3f} s before {wait.retry} (after "
                 f"{describe_answer(wait.previous)})")
        allowed = (f"{low:.3f} s" if low == high else f"{low:.3f}–{high:.3f} s")
        if not seen.tolerance.at_least(wait.seconds, low):
            return f"{where}, below the {allowed} {_WHAT[family]} allows there"
        if not seen.tolerance.at_most(wait.seconds, high):
            return f"{where}, above the {allowed} {_WHAT[family]} allows there"
        previous = wait
    if family in ("full", "equal", "additive") and len(operation) >= 2 and all(
            abs(w.seconds - schedule.delay(w.index)) <= seen.tolerance.early()
            for w in operation):
        return (f"{verb} exactly the delays "
                f"({', '.join(f'{w.seconds:.3f} s' for w in operation)}) with no jitter: "
                "clients that failed together retry together; randomise each wait")
    return None


def _no_family(schedule: Schedule, candidates: Sequence[JitterFamily],
               misfits: Sequence[str | None], inferred: bool, note: str) -> Finding:
    parameters = (f"{schedule.kind} backoff, delay of retry i+1 = {schedule.formula(0)}"
                  .replace("^0", "^i").replace("× 0", "× i"))
    if inferred:
        parameters += " (base inferred from the first wait; pass base= to pin it)"
    if len(candidates) == 1:
        (family,), (why,) = candidates, misfits
        return Finding(f"{why} ({parameters}, jitter={family!r}){note}; "
                       + _advice(family))
    reasons = "; ".join(f"{f}: {m}" for f, m in zip(candidates, misfits, strict=True))
    return Finding(f"its waits fit no jitter family for a {parameters}{note}: {reasons}; "
                   "check base=, factor= and cap=")


def _advice(family: JitterFamily) -> str:
    if family == "none":
        return ("if the client randomises its waits, pass the family it uses (jitter="
                "\"full\", \"equal\", \"additive\" or \"decorrelated\", or None for any)")
    if family == "full":
        return ("if the client adds its jitter on top of the delay (stamina, tenacity's "
                "wait_exponential_jitter, urllib3's backoff_jitter), that is "
                "jitter=\"additive\"; else check base=, factor= and cap=")
    return "check base=, factor=, cap= and max_jitter=, or the family"


def _deferred_note(deferred: Sequence[Wait]) -> str:
    if not deferred:
        return ""
    which = ", ".join(w.retry for w in deferred[:3]) + (", ..." if len(deferred) > 3 else "")
    return (f" (the wait{'s' if len(deferred) > 1 else ''} before {which}, after a "
            "Retry-After, "
            f"{'are' if len(deferred) > 1 else 'is'} judged by honoured_retry_after)")
