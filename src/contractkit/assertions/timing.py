"""Checks about when the client sent its requests (DESIGN §6): circuit breaking, timeouts,
retry budgets, concurrency and pacing after a 429 (backoff is
:mod:`~contractkit.assertions.backoff`'s).

Durations are compared with the observation's :class:`~contractkit.assertions.tolerance.
Tolerance`. A *gap* is the next request's ``t_headers`` minus the previous answer's end
(:func:`~contractkit.assertions.attempts.answer_end`).
"""

from __future__ import annotations

import math
from itertools import pairwise

from contractkit.assertions.attempts import answer_end, failed
from contractkit.assertions.observation import Finding, Observation
from contractkit.assertions.tolerance import Tolerance
from contractkit.errors import ConfigError
from contractkit.journal import JournalEntry

#: socket timeouts, network and scheduling run in real time even under virtual time, so
#: measurements that include them get the real-time tolerance
REAL_TIME = Tolerance(virtual=False)
#: without ``reset_timeout``, a pause must be this many times the longest earlier gap
PAUSE_FACTOR = 3.0


def _gap(previous: JournalEntry, attempt: JournalEntry) -> float:
    return attempt.t_headers - answer_end(previous)


def _is_pause(seen: Observation, gap: float, earlier: list[float],
              reset_timeout: float | None) -> bool:
    if reset_timeout is not None:
        return seen.tolerance.at_least(gap, reset_timeout)
    longest = max(earlier, default=0.0)
    return bool(earlier) and gap > PAUSE_FACTOR * longest + seen.tolerance.early()


def circuit_opened(seen: Observation, after: int,
                   reset_timeout: float | None) -> Finding | None:
    entries = seen.entries
    pause = reset_timeout
    streak, index, opened = 0, 0, False
    while index < len(entries):
        streak = streak + 1 if failed(entries[index]) else 0
        if streak == after:
            opened = True
            finding, index, pause = _while_open(seen, index, after, pause, reset_timeout)
            if finding is not None:
                return finding
            streak = 0
        index += 1
    if not opened:
        return Finding(
            f"the provider never failed {after} times in a row, so a breaker with "
            f"after={after} had no reason to open; keep failing longer (e.g. `status: 503` "
            "on every call, or the outage scenario)")
    return None


def _while_open(seen: Observation, opened: int, after: int, pause: float | None,
                reset_timeout: float | None) -> tuple[Finding | None, int, float | None]:
    """Check the requests after the breaker opened at ``opened``, until one succeeds (the
    breaker closes). Returns a finding, the index of the last request checked, and the
    pause (the reset timeout, inferred from the first pause when not given)."""
    entries = seen.entries
    # an inferred pause includes some real time: later pauses get the real-time slack
    judge = seen.tolerance if reset_timeout is not None else REAL_TIME
    earlier = [_gap(p, a) for p, a in pairwise(entries[opened - after + 1:opened + 1])]
    index = opened
    for index in range(opened + 1, len(entries)):
        previous, attempt = entries[index - 1], entries[index]
        gap = _gap(previous, attempt)
        if pause is None:
            paused = _is_pause(seen, gap, earlier, None) if earlier else gap > 0
            if not paused:
                return Finding(
                    f"kept calling after {after} failures in a row: the next request came "
                    f"{gap:.3f} s later, no real pause (the gaps before were "
                    f"{', '.join(f'{g:.3f} s' for g in earlier) or 'none'}); an open breaker "
                    "fails fast without calling the provider (pass reset_timeout= to be exact)",
                    (previous, attempt)), index, pause
            pause = gap
        elif not judge.at_least(gap, pause):
            return Finding(
                f"called the provider again {gap:.3f} s after a failure, while its breaker "
                f"should be open (it opens after {after} failures in a row, for "
                f"{pause:.4g} s); an open breaker fails fast without calling",
                (previous, attempt)), index, pause
        if not failed(attempt):
            break
    return None, index, pause


def half_open_probe(seen: Observation, count: int,
                    reset_timeout: float | None) -> Finding | None:
    entries = seen.entries
    judge = seen.tolerance if reset_timeout is not None else REAL_TIME
    threshold = reset_timeout  # inferred from the first pause when not given
    earlier: list[float] = []
    probes = 0
    index = 1
    while index < len(entries):
        previous, probe = entries[index - 1], entries[index]
        gap = _gap(previous, probe)
        paused = (judge.at_least(gap, threshold) if threshold is not None
                  else _is_pause(seen, gap, earlier, None))
        if not (failed(previous) and paused):
            earlier = [*earlier, gap] if failed(previous) else []
            index += 1
            continue
        if threshold is None:
            threshold = gap
        window = [probe]
        last = probe
        following = index + 1
        while following < len(entries):
            attempt = entries[following]
            concurrent = attempt.t_headers < answer_end(probe)
            too_soon = failed(last) and not judge.at_least(_gap(last, attempt), threshold)
            if not (concurrent or too_soon):
                break
            window.append(attempt)
            last = attempt
            following += 1
        probes += 1
        if len(window) != count:
            return Finding(
                f"sent {len(window)} request(s) while half-open (after a {gap:.3f} s pause), "
                f"expected {count} probe(s): a half-open breaker lets {count} request(s) "
                "through, then closes on success or opens again on failure", tuple(window))
        earlier = []
        index = following
    if probes == 0:
        return Finding(
            "never probed the provider after a pause: either the breaker never opened (no "
            "pause between failures) or it never let a request through after its reset "
            "timeout" + ("" if reset_timeout is None else f" of {reset_timeout:g} s")
            + _wall_clock_breaker(seen, reset_timeout))
    return None


def _wall_clock_breaker(seen: Observation, reset_timeout: float | None) -> str:
    """Under virtual time, a client that slept past the reset timeout after its last
    request and never called again has a breaker that does not read the virtual clock."""
    if not seen.tolerance.virtual or not seen.entries:
        return ""
    # from the last request's headers: its answer's end is stamped after the client has it
    last = seen.entries[-1].t_headers
    after = sum(s.seconds for s in seen.sleeps if s.at >= last)
    if after <= 0 or (reset_timeout is not None and not seen.tolerance.at_least(
            after, reset_timeout)):
        return ""
    return (f". The client slept {after:.3g} s of virtual time after its last request and "
            "never called again: its breaker measures the reset timeout with a clock "
            "virtual time does not move, most likely datetime.now() (pybreaker, "
            "aiobreaker); call virtual_time.patch_datetime(<the breaker's module>), e.g. "
            "patch_datetime(pybreaker)")


def timeout_at_most(seen: Observation, seconds: float) -> Finding | None:
    hung = [e for e in seen.entries
            if e.outcome == "hang-cap-reached" or e.t_disconnect is not None]
    if not hung:
        return Finding("no request hung or dripped until the client gave up, so no timeout "
                       "was exercised; use the timeouts scenario or a `hang`/`slow_body` rule")
    for entry in hung:
        if entry.outcome == "hang-cap-reached":
            waited = answer_end(entry) - entry.t_headers
            return Finding(
                f"has no timeout: {entry.method} {entry.path} waited {waited:.1f} s until the "
                f"mock gave up ({entry.fault or 'hang'}); set a read timeout of at most "
                f"{seconds:g} s", (entry,))
        assert entry.t_disconnect is not None
        waited = entry.t_disconnect - entry.t_headers
        if not REAL_TIME.at_most(waited, seconds):
            return Finding(
                f"gave up on {entry.method} {entry.path} after {waited:.3f} s, later than "
                f"{seconds:g} s; lower its timeout", (entry,))
    return None


def retry_budget(seen: Observation, total: float | None,
                 attempts: int | None) -> Finding | None:
    if total is None and attempts is None:
        raise ConfigError("retry_budget() needs total= (seconds) or attempts= (a count)")
    for operation in seen.operations:
        first, last = operation.first, operation.attempts[-1]
        if attempts is not None and len(operation.attempts) > attempts:
            return Finding(
                f"made {len(operation.attempts)} attempts of one {first.method} {first.path}, "
                f"more than the budget of {attempts}; give up after {attempts}",
                operation.attempts[attempts:])
        spent = answer_end(last) - first.t_headers
        if total is not None and not REAL_TIME.at_most(spent, total):
            return Finding(
                f"kept trying {first.method} {first.path} for {spent:.2f} s, longer than the "
                f"budget of {total:g} s; stop retrying once the budget is spent", (last,))
    return None


def max_concurrency(seen: Observation, limit: int) -> Finding | None:
    # an interval ends a little early: a request sent right after an answer, on another
    # connection, may be journaled a moment before that answer's end was recorded
    events = sorted([(e.t_headers, 1, e.seq) for e in seen.entries]
                    + [(answer_end(e) - REAL_TIME.early(), -1, e.seq)
                       for e in seen.entries])
    in_flight: set[int] = set()
    peak: tuple[int, float, frozenset[int]] = (0, 0.0, frozenset())
    for moment, delta, seq in events:
        if delta > 0:
            in_flight.add(seq)
        else:
            in_flight.discard(seq)
        if len(in_flight) > peak[0]:
            peak = (len(in_flight), moment, frozenset(in_flight))
    if peak[0] <= limit:
        return None
    origin = seen.entries[0].t_headers
    return Finding(
        f"had {peak[0]} requests in flight at once (at +{peak[1] - origin:.3f} s), more than "
        f"{limit}; bound the fan-out (a semaphore or a connection pool of {limit})",
        tuple(e for e in seen.entries if e.seq in peak[2]))


def rate_after_429(seen: Observation, rate: float, per: float) -> Finding | None:
    allowed = math.floor(rate * per + 1e-9)
    if allowed < 1:
        raise ConfigError(f"rate_after_429({rate:g}, per={per:g}) allows no request per "
                          "window; choose per so that rate x per >= 1")
    limited = next((e for e in seen.entries if e.status == 429), None)
    if limited is None:
        return Finding("no answer was a 429, so there was no rate limit to slow down for; use "
                       "the rate-limited scenario or a `rate_limit` rule")
    after = [e for e in seen.entries
             if e.t_headers >= answer_end(limited) and e.seq != limited.seq]
    window = per - seen.tolerance.early()
    for index, entry in enumerate(after):
        burst = [e for e in after[index:] if e.t_headers < entry.t_headers + window]
        if len(burst) > allowed:
            origin = seen.entries[0].t_headers
            return Finding(
                f"sent {len(burst)} requests within {per:g} s "
                f"(from +{entry.t_headers - origin:.3f} s) after a 429, more than {rate:g} "
                f"per second allows ({allowed} per {per:g} s); "
                "slow down after a 429: honour Retry-After and the RateLimit headers",
                tuple(burst))
    return None
