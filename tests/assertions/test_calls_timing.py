"""``Calls`` on hand-built journals: backoff, circuit breaking, timeouts, budgets,
concurrency and pacing. Exact timings, so real-time and virtual-time tolerances can be
checked at their edges."""

from __future__ import annotations

import pytest
from tests.assertions.synthetic import entry, retry_after

from contractkit.assertions import Calls
from contractkit.assertions.virtual_time import Sleep
from contractkit.errors import ConfigError, ContractViolation
from contractkit.journal import JournalEntry


def calls(*entries: JournalEntry, sleeps: tuple[Sleep, ...] = (),
          virtual: bool = False) -> Calls:
    return Calls(entries, operation="getPayment", sleeps=sleeps, virtual=virtual)


def fails(check: Calls, method: str, *args: object, **kwargs: object) -> str:
    with pytest.raises(ContractViolation) as raised:
        getattr(check, method)(*args, **kwargs)
    return str(raised.value)


def attempts_after(*waits: float, status: int = 503, took: float = 0.0) -> list[JournalEntry]:
    """Failing attempts separated by ``waits`` (gaps), then a success."""
    entries, at = [entry(0.0, status, took=took)], took
    for index, wait in enumerate(waits):
        at += wait
        last = index == len(waits) - 1
        entries.append(entry(at, 200 if last else status, took=took))
        at += took
    return entries


def virtual_calls(*waits: float, status: int = 503,
                  first: JournalEntry | None = None) -> Calls:
    """Failing attempts, the client sleeping ``waits`` virtually between them (0: no sleep
    recorded), then a success."""
    entries = [first] if first is not None else []
    at = entries[-1].t_headers + 0.01 if entries else 0.0
    sleeps = []
    entries.append(entry(at, status, took=0.001))
    for index, wait in enumerate(waits):
        at += 0.001
        if wait:
            sleeps.append(Sleep(at + 0.0001, wait, "MainThread"))
        at += wait + 0.0005
        entries.append(entry(at, 200 if index == len(waits) - 1 else status, took=0.001))
    return calls(*entries, sleeps=tuple(sleeps), virtual=True)


def test_bare_backed_off_accepts_every_family_and_fails_a_hot_loop() -> None:
    schedules = {
        "tenacity wait_exponential()": (1.0, 2.0, 4.0),
        "urllib3 Retry(backoff_factor=0.5)": (0.0, 1.0, 2.0),
        "stamina default 0.1·2^i + U(0, 1)": (0.83, 0.21, 1.37),
        "backoff.expo full jitter": (0.61, 0.07, 3.2),
        "AWS decorrelated jitter, base 1": (2.4, 1.1, 3.0),
        "capped": (1.0, 2.0, 4.0, 5.0, 5.0),
    }
    for waits in schedules.values():
        virtual_calls(*waits).backed_off()
        calls(*attempts_after(*waits)).backed_off()
    message = fails(virtual_calls(0, 0, 0), "backed_off")
    assert message.startswith("getPayment: slept nothing before retry 2 (after 503): a retry "
                              "without a wait after a retryable failure is a hot loop")
    assert "only the first retry may be immediate, as urllib3's Retry makes it" in message
    message = fails(calls(*attempts_after(0.001, 0.002, 0.001)), "backed_off")
    assert message.startswith("getPayment: waited 0.002 s, 0.001 s before retry 2, retry 3")
    assert "in real time a wait under 20 ms cannot be told from none" in message
    # one immediate retry among growing ones is a hot loop too, in virtual time
    assert "slept nothing before retry 3" in fails(virtual_calls(0.5, 1.0, 0, 2.0), "backed_off")


def test_backed_off_fails_waits_that_do_not_grow() -> None:
    message = fails(calls(*attempts_after(0.1, 0.1, 0.1)), "backed_off")
    assert message.startswith("getPayment: waited the same 0.100 s before each of its 3 "
                              "retries (retry 1, retry 2, retry 3): a constant delay is not a "
                              "backoff")
    assert "tenacity's min=" in message
    assert "slept the same 0.010 s" in fails(virtual_calls(0.01, 0.01, 0.01), "backed_off")
    calls(*attempts_after(0.3, 0.3)).backed_off("constant", base=0.3)
    calls(*attempts_after(0.3, 0.3)).backed_off("constant")


def test_backed_off_pins_a_family_and_its_bounds() -> None:
    virtual_calls(0.1, 0.2, 0.4).backed_off(base=0.1, jitter="none")
    virtual_calls(0.05, 0.17, 0.02).backed_off(base=0.1, jitter="full")
    virtual_calls(0.06, 0.15, 0.3).backed_off(base=0.1, jitter="equal")
    virtual_calls(0.83, 0.21, 1.37, 1.7).backed_off(base=0.1, jitter="additive")
    virtual_calls(4.9, 5.0, 5.0).backed_off(base=0.1, cap=5, jitter="additive", max_jitter=5)
    virtual_calls(2.4, 1.1, 3.0).backed_off(base=1, jitter="decorrelated")
    message = fails(virtual_calls(0.83, 0.21, 1.37), "backed_off", base=0.1, jitter="full")
    assert message.startswith(
        "getPayment: slept 0.830 s before retry 1 (after 503), above the 0.000–0.100 s "
        "full jitter waits a random part of the delay allows there (exponential backoff, "
        "delay of retry i+1 = base 0.1 × 2^i, jitter='full'); if the client adds its jitter "
        "on top of the delay (stamina")
    message = fails(virtual_calls(0.04, 0.15, 0.3), "backed_off", base=0.1, jitter="equal")
    assert "slept 0.040 s before retry 1 (after 503), below the 0.050–0.100 s equal jitter" \
        in message
    message = fails(virtual_calls(2.4, 1.1, 3.5), "backed_off", base=1, jitter="decorrelated")
    assert "slept 3.500 s before retry 3 (after 503), above the 1.000–3.300 s decorrelated" \
        in message
    message = fails(virtual_calls(0.1, 0.2, 0.4), "backed_off", base=0.1, jitter="full")
    assert "slept exactly the delays (0.100 s, 0.200 s, 0.400 s) with no jitter" in message
    with pytest.raises(ConfigError, match=r"jitter='full'\) needs base=: .*stamina"):
        virtual_calls(0.1, 0.2).backed_off(jitter="full")
    with pytest.raises(ConfigError, match="the jitter families are 'none', 'full'"):
        virtual_calls(0.1, 0.2).backed_off(base=1, jitter="random")  # type: ignore[arg-type]


def test_backed_off_with_a_base_and_no_family_accepts_any_family() -> None:
    virtual_calls(0.83, 0.21, 1.37).backed_off(base=0.1)  # additive fits
    virtual_calls(0.05, 0.17, 0.02).backed_off(base=0.1)  # full fits
    message = fails(virtual_calls(3.0, 0.21, 1.37), "backed_off", base=0.1)
    assert message.startswith("getPayment: its waits fit no jitter family for a exponential "
                              "backoff, delay of retry i+1 = base 0.1 × 2^i: none: slept "
                              "3.000 s before retry 1")
    assert "; additive: slept 3.000 s before retry 1 (after 503), above the 0.100–1.100 s" \
        in message


def test_backed_off_exponential_from_gaps() -> None:
    calls(*attempts_after(0.1, 0.2, 0.4)).backed_off("exponential", base=0.1, factor=2)
    calls(*attempts_after(0.1, 0.3, 0.9)).backed_off(factor=3, jitter="none")
    message = fails(virtual_calls(0.1, 0.2, 0.5), "backed_off", jitter="none")
    assert message.startswith("getPayment: slept 0.500 s before retry 3 (after 503), above "
                              "the 0.400 s no jitter waits exactly the delay allows there")
    assert "(base inferred from the first wait; pass base= to pin it)" in message


def test_backed_off_upper_bound_is_loose_in_real_time() -> None:
    calls(*attempts_after(1.0, 2.4)).backed_off(base=1.0, jitter="none")  # 2.4 <= 2 + 0.5
    message = fails(calls(*attempts_after(1.0, 2.6)), "backed_off", base=1.0, jitter="none")
    assert "waited 2.600 s before retry 2 (after 503), above the 2.000 s no jitter" in message


def test_backed_off_cap_linear_and_constant() -> None:
    calls(*attempts_after(1, 2, 4, 5, 5)).backed_off(base=1, cap=5, jitter="none")
    calls(*attempts_after(0.5, 1.0, 1.5)).backed_off("linear", jitter="none")
    calls(*attempts_after(0.5, 0.7, 0.9)).backed_off("linear", factor=0.2, jitter="none")
    assert "below the 0.300 s no jitter waits exactly the delay" in fails(
        calls(*attempts_after(0.3, 0.1)), "backed_off", "constant", jitter="none")


def test_backed_off_from_virtual_sleeps() -> None:
    # the client slept 1, 2, 4 s virtually; gaps on the clock are the same, the sleeps rule
    entries = attempts_after(1.0, 2.0, 4.0, took=0.01)
    ends = [e.t_resp_end or 0.0 for e in entries]
    sleeps = tuple(Sleep(end + 0.0001, s, "MainThread")
                   for end, s in zip(ends, (1, 2, 4), strict=False))
    calls(*entries, sleeps=sleeps, virtual=True).backed_off(base=1, jitter="none")
    short = tuple(Sleep(s.at, s.seconds - 0.002, s.thread) for s in sleeps)
    message = fails(calls(*entries, sleeps=short, virtual=True), "backed_off", base=1,
                    jitter="none")
    assert message.startswith("getPayment: slept 0.998 s before retry 1 (after 503), below "
                              "the 1.000 s no jitter waits exactly the delay allows there")
    assert "client slept 0.998 s" in message


def test_backed_off_in_virtual_time_without_sleeps_says_why() -> None:
    message = fails(calls(*attempts_after(1.0, 2.0), virtual=True), "backed_off", base=1)
    assert "slept nothing before retry 2" in message
    assert "no sleep was recorded at all: pass virtual time's sleeps to Calls" in message


def test_backed_off_leaves_retry_after_waits_alone() -> None:
    entries = [entry(0.0, 503, answer=retry_after("5"), took=0.0), entry(5.0, 503, took=0.0),
               entry(5.2, 503, took=0.0), entry(5.6, 200)]
    calls(*entries).backed_off(base=0.1, jitter="none")  # waits 0.2 and 0.4: retries 2 and 3
    message = fails(calls(*entries), "backed_off", base=0.2, jitter="none")
    assert "(the wait before retry 1, after a Retry-After, is judged by " \
        "honoured_retry_after)" in message


def test_backed_off_ignores_retries_after_answers_that_are_not_retryable() -> None:
    # a 401 retried at once with a fresh token is a refresh, not a hot loop
    entries = [entry(0.0, 401, took=0.0), entry(0.0, 503, took=0.0), entry(0.1, 503, took=0.0),
               entry(0.3, 503, took=0.0), entry(0.7, 200)]
    calls(*entries).backed_off()


def test_backed_off_with_jitter() -> None:
    calls(*attempts_after(0.07, 0.15, 0.11)).backed_off(base=0.1, jitter=True)
    message = fails(calls(*attempts_after(0.1, 0.2, 0.4)), "backed_off", base=0.1, jitter=True)
    assert "with no jitter: clients that failed together retry together" in message
    with pytest.raises(ConfigError, match="needs base="):
        calls(*attempts_after(0.1, 0.2)).backed_off(jitter=True)


def test_backed_off_needs_enough_retries() -> None:
    message = fails(calls(*attempts_after(0.1)), "backed_off")
    assert message.startswith("getPayment: made 1 retry that a backoff could be judged on")
    assert "2 are needed to tell a backoff" in message
    # urllib3's immediate first retry does not count
    assert "made 1 retry" in fails(virtual_calls(0, 1.0), "backed_off")


def test_circuit_opened_after_n_failures() -> None:
    # 3 quick failures, a 30 s pause, a probe that fails, another 30 s pause, success
    entries = attempts_after(0.1, 0.2, 30.0, 30.0)
    calls(*entries).circuit_opened(after=3)
    calls(*entries).circuit_opened(after=3, reset_timeout=30)
    message = fails(calls(*entries), "circuit_opened", after=3, reset_timeout=60)
    assert message.startswith("getPayment: called the provider again 30.000 s after a "
                              "failure, while its breaker should be open (it opens after 3 "
                              "failures in a row, for 60 s)")


def test_circuit_opened_fails_for_a_client_that_keeps_calling() -> None:
    message = fails(calls(*attempts_after(0.1, 0.1, 0.1, 0.1, 0.1)), "circuit_opened", after=3)
    assert message.startswith("getPayment: kept calling after 3 failures in a row: the next "
                              "request came 0.100 s later, no real pause")
    assert "never failed 9 times in a row" in fails(
        calls(*attempts_after(0.1, 0.1)), "circuit_opened", after=9)


def test_circuit_opened_checks_every_outage() -> None:
    first = attempts_after(0.1, 0.1, 30.0)  # opens, probes after 30 s, recovers
    then = [entry(100.0 + i * 0.1, 503, took=0.0) for i in range(6)]  # hammers next time
    message = fails(calls(*first, *then), "circuit_opened", after=3)
    assert "called the provider again 0.100 s after a failure" in message
    assert "(it opens after 3 failures in a row, for 30 s)" in message  # inferred


def test_half_open_probe_checks_every_probe() -> None:
    # pause, one probe (fails), pause, two probes back to back: the second window is wrong
    entries = attempts_after(0.1, 0.1, 30.0, 30.0, 0.1, 30.0)
    message = fails(calls(*entries), "half_open_probe")
    assert "sent 2 request(s) while half-open (after a 30.000 s pause)" in message


def test_half_open_probe() -> None:
    calls(*attempts_after(0.1, 0.1, 30.0, 30.0)).half_open_probe()
    calls(*attempts_after(0.1, 0.1, 30.0)).half_open_probe(reset_timeout=30)
    # after the pause two requests go out back to back
    message = fails(calls(*attempts_after(0.1, 0.1, 30.0, 0.1, 30.0)), "half_open_probe")
    assert message.startswith("getPayment: sent 2 request(s) while half-open (after a "
                              "30.000 s pause), expected 1 probe(s)")
    assert "never probed the provider after a pause" in fails(
        calls(*attempts_after(0.1, 0.1, 0.1)), "half_open_probe")


def test_timeout_at_most() -> None:
    hang = {"status": None, "fault": "hang (max 30s)"}
    calls(entry(0.0, disconnect_after=0.5, **hang)).timeout_at_most(0.5)  # type: ignore[arg-type]
    calls(entry(0.0, disconnect_after=0.74, **hang)).timeout_at_most(0.5)  # type: ignore[arg-type]
    message = fails(calls(entry(0.0, disconnect_after=0.8, **hang)),  # type: ignore[arg-type]
                    "timeout_at_most", 0.5)
    assert message.startswith("getPayment: gave up on GET /v1/payments/pay_3Nf8aZq2LkP0sT7x "
                              "after 0.800 s, later than 0.5 s")
    # the client's socket timeout runs in real time, even under virtual time
    calls(entry(0.0, disconnect_after=0.7, **hang), virtual=True).timeout_at_most(0.5)  # type: ignore[arg-type]
    capped = entry(0.0, took=30.0, outcome="hang-cap-reached", **hang)  # type: ignore[arg-type]
    assert "has no timeout: GET /v1/payments/pay_3Nf8aZq2LkP0sT7x waited 30.0 s until the mock " \
        "gave up (hang (max 30s))" in fails(calls(capped), "timeout_at_most", 5)
    assert "no request hung" in fails(calls(entry(0.0)), "timeout_at_most", 5)


def test_retry_budget() -> None:
    entries = attempts_after(0.1, 0.2, 0.4, took=0.01)
    calls(*entries).retry_budget(attempts=4, total=1.0)
    message = fails(calls(*entries), "retry_budget", attempts=3)
    assert message.startswith("getPayment: made 4 attempts of one GET "
                              "/v1/payments/pay_3Nf8aZq2LkP0sT7x, more than the budget of 3")
    persistent = [entry(float(i), 503) for i in range(10)]
    assert "kept trying GET /v1/payments/pay_3Nf8aZq2LkP0sT7x for 9.01 s, longer than the " \
        "budget of 5 s" in fails(calls(*persistent), "retry_budget", total=5)
    with pytest.raises(ConfigError, match="needs total="):
        calls(*entries).retry_budget()


def test_max_concurrency() -> None:
    fan_out = [entry(0.0, took=0.5), entry(0.1, took=0.5), entry(0.2, took=0.5),
               entry(0.7, took=0.5)]
    calls(*fan_out).max_concurrency(3)
    message = fails(calls(*fan_out), "max_concurrency", 2)
    assert message.startswith("getPayment: had 3 requests in flight at once (at +0.200 s), "
                              "more than 2")
    # back to back on one connection is one at a time
    calls(*[entry(i * 0.1, took=0.1) for i in range(5)]).max_concurrency(1)


def test_rate_after_429() -> None:
    limited = entry(0.0, 429, answer=retry_after("1"), took=0.0)
    paced = [limited, *(entry(1.0 + i * 0.5, took=0.0) for i in range(6))]
    calls(*paced).rate_after_429(2)
    burst = [limited, *(entry(1.0 + i * 0.1, took=0.0) for i in range(6))]
    message = fails(calls(*burst), "rate_after_429", 2)
    assert message.startswith("getPayment: sent 6 requests within 1 s (from +1.000 s) after a "
                              "429, more than 2 per second allows (2 per 1 s)")
    calls(*burst).rate_after_429(3, per=2.0)
    assert "no answer was a 429" in fails(calls(entry(0.0)), "rate_after_429", 2)
    with pytest.raises(ConfigError, match="rate x per >= 1"):
        calls(*paced).rate_after_429(0.5)


def test_backed_off_with_jitter_is_not_a_client_that_never_waits() -> None:
    message = fails(calls(*attempts_after(0.0, 0.0, 0.0)), "backed_off", base=0.25,
                    jitter=True)
    assert "is a hot loop that hammers a provider that is already failing" in message
