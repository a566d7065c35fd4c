"""Token buckets admit exactly ``limit`` per window; tested on an injected clock."""

from __future__ import annotations

from contractkit.scenarios import RequestFacts, ScenarioEngine, load_scenario
from contractkit.scenarios.faults import RateLimit
from contractkit.scenarios.ratelimit import TokenBucket


def test_window_bucket_admits_exactly_limit_per_window_at_the_boundary() -> None:
    bucket = TokenBucket(RateLimit(limit=5, per=1.0), now=10.0)
    first = [bucket.take(10.0 + i * 0.1).admitted for i in range(7)]
    assert first == [True] * 5 + [False] * 2
    refused = bucket.take(10.999)
    assert not refused.admitted
    assert 0 < refused.reset <= 0.002  # the next window starts at 11.0
    at_boundary = [bucket.take(11.0).admitted for _ in range(6)]
    assert at_boundary == [True] * 5 + [False]


def test_smooth_bucket_refills_one_token_per_interval() -> None:
    bucket = TokenBucket(RateLimit(limit=4, per=2.0, refill="smooth"), now=0.0)
    assert [bucket.take(0.0).admitted for _ in range(5)] == [True] * 4 + [False]
    assert not bucket.take(0.4).admitted  # a token takes 0.5 s to come back
    assert bucket.take(0.5).admitted
    assert not bucket.take(0.5).admitted


def test_headers_count_down_and_say_when() -> None:
    bucket = TokenBucket(RateLimit(limit=2, per=60.0), now=0.0)
    bucket.take(0.0)
    bucket.take(0.0)
    refused = bucket.take(15.0)
    headers = refused.headers(("retry-after", "x-ratelimit", "ietf"), wall_clock=1_000.0)
    assert headers["Retry-After"] == "45"
    assert headers["X-RateLimit-Limit"] == "2"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset"] == "1045"
    assert headers["RateLimit-Policy"] == '"default";q=2;w=60'
    assert headers["RateLimit"] == '"default";r=0;t=45'


def test_buckets_are_keyed_by_credential_session_or_globally() -> None:
    def engine(key: str) -> ScenarioEngine:
        return ScenarioEngine(load_scenario({"name": "r", "rules": [
            {"match": {"any": True}, "rate_limit": {"limit": 1, "per": "1s", "key": key}}]}))

    def refused(e: ScenarioEngine, credential: str, session: str) -> bool:
        facts = RequestFacts("GET", "/x", credential=credential, session=session)
        return e.decide(facts, 0.0).rule is not None

    by_credential = engine("credential")
    assert [refused(by_credential, "a", "s"), refused(by_credential, "b", "s"),
            refused(by_credential, "a", "t")] == [False, False, True]
    by_session = engine("session")
    assert [refused(by_session, "a", "s"), refused(by_session, "b", "s"),
            refused(by_session, "a", "t")] == [False, True, False]
    shared = engine("global")
    assert [refused(shared, "a", "s"), refused(shared, "b", "t")] == [False, True]
