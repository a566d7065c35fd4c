"""The decision engine: triggers, sequences, statistics and replay, on an injected clock."""

from __future__ import annotations

import math

import pytest

from contractkit.scenarios import RequestFacts, ScenarioEngine, load_scenario


def scenario(*rules: dict[str, object], seed: int = 7) -> ScenarioEngine:
    return ScenarioEngine(load_scenario({"name": "t", "seed": seed, "rules": list(rules)}))


def facts(session: str = "default", operation: str = "getPayment", **extra: object
          ) -> RequestFacts:
    return RequestFacts(method="GET", path="/payments/pay_1", operation_id=operation,
                        template="/payments/{id}", session=session, **extra)  # type: ignore[arg-type]


def fired(engine: ScenarioEngine, count: int, **kwargs: object) -> list[bool]:
    return [engine.decide(facts(**kwargs), 0.0).rule is not None  # type: ignore[arg-type]
            for _ in range(count)]


def test_probability_fires_within_binomial_bounds_and_replays_for_a_seed() -> None:
    rule = {"match": {"any": True}, "probability": 0.2, "status": 503}
    n, p = 10_000, 0.2
    first = fired(scenario(rule), n)
    # 4.5 standard deviations: a correct stream fails this about once in 150,000 runs
    bound = 4.5 * math.sqrt(n * p * (1 - p))
    assert abs(sum(first) - n * p) < bound
    assert fired(scenario(rule), n) == first  # the same seed replays the same decisions
    assert fired(scenario(rule, seed=8), n) != first


def test_sessions_draw_independent_streams() -> None:
    rule = {"match": {"any": True}, "probability": 0.5, "status": 503}
    engine = scenario(rule)
    a = fired(engine, 2_000, session="a")
    b = fired(engine, 2_000, session="b")
    assert a != b
    agreement = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    assert 0.45 < agreement < 0.55  # independent fair coins agree half the time


def test_sequence_is_per_session_then_falls_through() -> None:
    engine = scenario(
        {"match": {"operation": "getPayment"},
         "sequence": [{"status": 503}, {"fault": "reset"}, "pass"]},
        {"match": {"any": True}, "latency": "10ms"})
    seen = [engine.decide(facts("a"), 0.0).step.describe() for _ in range(5)]
    assert seen == ["status 503", "reset", "pass", "latency 10ms", "latency 10ms"]
    assert engine.decide(facts("b"), 0.0).step.describe() == "status 503"


@pytest.mark.parametrize(("trigger", "expected"), [
    ({"after": 2}, [False, False, True, True, True, True]),
    ({"times": 2}, [True, True, False, False, False, False]),
    ({"every": 3}, [False, False, True, False, False, True]),
    ({"after": 1, "every": 2, "times": 2}, [False, False, True, False, True, False]),
])
def test_counting_triggers(trigger: dict[str, int], expected: list[bool]) -> None:
    engine = scenario({"match": {"any": True}, "status": 500, **trigger})
    assert fired(engine, len(expected)) == expected


def test_outage_window_on_the_injected_clock() -> None:
    engine = ScenarioEngine(load_scenario("outage"), now=100.0)
    at = [engine.decide(facts(), now).rule is not None for now in (100.0, 129.9, 130.0)]
    assert at == [True, True, False]
    engine.reset(200.0)  # reset restarts the window
    assert engine.decide(facts(), 200.5).rule is not None


def test_matchers() -> None:
    engine = scenario({"match": {"method": "post", "path": "/payments/{paymentId}",
                                 "header": {"X-Mode": "test", "X-Debug": False},
                                 "query": {"expand": True}, "body": {"/amount": 100},
                                 "session": ["s1"]},
                       "status": 409})

    def decide(**changes: object) -> bool:
        base: dict[str, object] = {
            "method": "POST", "path": "/payments/pay_1", "operation_id": "x",
            "template": "/payments/{id}", "headers": {"x-mode": "test"},
            "query": (("expand", "1"),), "body": {"amount": 100}, "session": "s1"}
        return engine.decide(RequestFacts(**{**base, **changes}), 0.0).rule is not None  # type: ignore[arg-type]

    assert decide()
    assert not decide(method="GET")
    assert not decide(template="/refunds/{id}")
    assert not decide(headers={"x-mode": "test", "x-debug": "1"})
    assert not decide(query=())
    assert not decide(body={"amount": 5})
    assert not decide(session="s2")


def test_path_globs_match_the_request_path() -> None:
    engine = scenario({"match": {"path": "/payments/*"}, "status": 500})
    assert engine.decide(facts(), 0.0).rule is not None
    assert engine.decide(RequestFacts(method="GET", path="/refunds/r"), 0.0).rule is None


def test_token_expires_after_uses_per_credential() -> None:
    engine = scenario({"match": {"any": True}, "token_expired": {"after_uses": 2}})
    old = [engine.decide(facts(credential="Bearer old"), 0.0).rule is not None
           for _ in range(3)]
    assert old == [False, False, True]
    assert engine.decide(facts(credential="Bearer new"), 0.0).rule is None


def test_token_expires_after_seconds() -> None:
    engine = scenario({"match": {"any": True}, "token_expired": {"after": "30s"}})
    assert engine.decide(facts(credential="t"), 10.0).rule is None
    assert engine.decide(facts(credential="t"), 39.9).rule is None
    assert engine.decide(facts(credential="t"), 40.0).rule is not None


def test_reset_of_one_session_leaves_the_others() -> None:
    engine = scenario({"match": {"any": True}, "sequence": [{"status": 503}, "pass"]})
    assert fired(engine, 1, session="a") == [True]
    assert fired(engine, 1, session="b") == [True]
    engine.reset(0.0, session="a")
    assert engine.decide(facts("a"), 0.0).step.describe() == "status 503"
    assert engine.decide(facts("b"), 0.0).step.describe() == "pass"


def test_latency_samples_are_seeded_and_capped() -> None:
    engine = scenario({"match": {"any": True},
                       "latency": {"distribution": "lognormal", "median": "100ms",
                                   "sigma": 1.0, "max": "300ms"}})
    from contractkit.server.faults import delay_of

    delays = [delay_of(d, d.rng()) for d in (engine.decide(facts(), 0.0) for _ in range(500))]
    assert max(delays) <= 0.3
    assert 0.07 < sorted(delays)[250] < 0.14  # the median is near 100 ms
    again = scenario({"match": {"any": True},
                      "latency": {"distribution": "lognormal", "median": "100ms",
                                  "sigma": 1.0, "max": "300ms"}})
    assert [delay_of(d, d.rng()) for d in (again.decide(facts(), 0.0) for _ in range(500))] \
        == delays
