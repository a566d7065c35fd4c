"""State shared by several mock processes through Redis (or Valkey): ``--state redis://``.

Scenario counters, token buckets, which scenario is active per session and the journal
live in one Redis database under a key prefix, so several workers (or machines behind a
load balancer) behave as one provider. Every update that reads a counter and writes it
back is one Lua script, run atomically by Redis: a limit of 5 per second admits exactly 5
across processes. The time given to a bucket is the server's clock (so an injected clock
still drives it), not Redis ``TIME``; processes sharing a store use a clock aligned to the
epoch (:func:`aligned_clock`) so that their instants compare. The ``redis`` client is an
optional extra (``contractkit[redis]``), imported only when a Redis state is asked for.

Calls are synchronous: a request served with a shared state waits for its round trips
(tens of microseconds on a local Redis) on the event loop.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import orjson

from contractkit.contract.validation import Violation
from contractkit.errors import ConfigError
from contractkit.journal import Journal, JournalEntry, Record
from contractkit.scenarios.faults import RateLimit
from contractkit.scenarios.ratelimit import Admission
from contractkit.scenarios.state import EngineState

#: Keys of a shared state expire after this long without a write (a day), so abandoned
#: sessions do not stay in Redis for ever.
EXPIRE_SECONDS = 24 * 3600
_SEP = "\x1f"

_CLAIM = """
local fired = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local cap = tonumber(ARGV[2])
if cap >= 0 and fired >= cap then return -1 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return fired
"""

# TokenBucket.take (scenarios/ratelimit.py) in Lua; a window only moves forward, since the
# processes' clocks may differ by microseconds
_TAKE = """
local p = ARGV[1]
local limit = tonumber(ARGV[2])
local per = tonumber(ARGV[3])
local refill = ARGV[4]
local now = tonumber(ARGV[5])
local raw = redis.call('HMGET', KEYS[1], p..'t', p..'s', p..'u', p..'w')
local tokens, start, updated, widx
if raw[1] == false then
  tokens = limit; start = now; updated = now; widx = 0
else
  tokens = tonumber(raw[1]); start = tonumber(raw[2]); updated = tonumber(raw[3])
  widx = tonumber(raw[4])
end
local reset
local rate = limit / per
if refill == 'window' then
  local index = math.floor((now - start) / per)
  if index > widx then tokens = limit; widx = index end
  reset = start + (widx + 1) * per - now
else
  if now > updated then
    tokens = math.min(limit, tokens + (now - updated) * rate)
    updated = now
  end
  if tokens >= 1 then reset = 0 else reset = (1 - tokens) / rate end
end
local admitted = 0
local remaining = 0
if tokens >= 1 then
  tokens = tokens - 1
  admitted = 1
  remaining = math.floor(tokens)
  if refill == 'smooth' then reset = (limit - tokens) / rate end
end
redis.call('HSET', KEYS[1], p..'t', string.format('%.17g', tokens),
  p..'s', string.format('%.17g', start), p..'u', string.format('%.17g', updated), p..'w', widx)
redis.call('EXPIRE', KEYS[1], ARGV[6])
return {admitted, remaining, string.format('%.17g', reset)}
"""

# KEYS: seq, entries (hash seq -> JSON), order (list of seqs), dropped, cleared-at
# ARGV: JSON, capacity, t_headers
_APPEND = """
local seq = redis.call('INCR', KEYS[1])
local cleared = redis.call('GET', KEYS[5])
if cleared and tonumber(ARGV[3]) < tonumber(cleared) then return -seq end
redis.call('HSET', KEYS[2], seq, ARGV[1])
redis.call('RPUSH', KEYS[3], seq)
if redis.call('LLEN', KEYS[3]) > tonumber(ARGV[2]) then
  local oldest = redis.call('LPOP', KEYS[3])
  redis.call('HDEL', KEYS[2], oldest)
  redis.call('INCR', KEYS[4])
end
return seq
"""

_UPDATE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 0
"""


def aligned_clock() -> Callable[[], float]:
    """A monotonic clock in epoch seconds: monotonic within the process, and comparable
    between the processes (and, to NTP's accuracy, machines) that share a store."""
    offset = time.time() - time.monotonic()
    return lambda: offset + time.monotonic()


def connect(url: str) -> Any:
    """A Redis client for ``redis://HOST:PORT/DB``, checked with a PING; ConfigError (one
    line) when the URL is malformed, the client missing or the server unreachable."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "valkey"):
        raise ConfigError(f"--state {url!r}: expected redis://HOST:PORT/DB")
    try:
        port = parts.port
        database = int(parts.path.strip("/") or 0)
    except ValueError:
        raise ConfigError(f"--state {url!r}: expected redis://HOST:PORT/DB (the port and "
                          "the database are numbers)") from None
    if not parts.hostname:
        raise ConfigError(f"--state {url!r}: expected redis://HOST:PORT/DB (no host)")
    try:
        import redis  # noqa: PLC0415 - an optional extra
    except ImportError:
        raise ConfigError("--state redis:// needs the redis client: install contractkit "
                          "with the redis extra (pip install -e '.[redis]')") from None
    client = redis.Redis(host=parts.hostname, port=port or 6379, db=database,
                         password=parts.password, ssl=parts.scheme == "rediss",
                         socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as error:
        raise ConfigError(f"--state: cannot reach Redis at {parts.hostname}:{port or 6379} "
                          f"(database {database}): {error}") from None
    return client


class RedisState:
    """Everything a mock keeps that must be global to be true, in one Redis database."""

    shared = True

    def __init__(self, client: Any, prefix: str = "contractkit") -> None:
        self.client = client
        self.prefix = prefix
        self.url = ""
        self._claim = client.register_script(_CLAIM)
        self._take = client.register_script(_TAKE)
        self._append = client.register_script(_APPEND)
        self._update = client.register_script(_UPDATE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "contractkit") -> RedisState:
        state = cls(connect(url), prefix)
        state.url = url
        return state

    def run_scripts(self, calls: Sequence[tuple[Any, Sequence[Any], Sequence[Any]]]
                    ) -> list[Any]:
        """Each (registered script, keys, args) in order, in one round trip (EVALSHA in a
        pipeline: redis-py's script calls in a pipeline ask SCRIPT EXISTS first, a round
        trip more). A script Redis no longer has (restarted, SCRIPT FLUSH) is loaded and
        only the calls it refused are run again, in order."""
        from redis.exceptions import NoScriptError  # noqa: PLC0415 - an optional extra

        results = self._evalsha(calls)
        refused = [i for i, result in enumerate(results)
                   if isinstance(result, NoScriptError)]
        if refused:
            for script in {id(calls[i][0]): calls[i][0] for i in refused}.values():
                script.sha = self.client.script_load(script.script)
            for index, result in zip(refused, self._evalsha([calls[i] for i in refused]),
                                     strict=True):
                results[index] = result
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results

    def _evalsha(self, calls: Sequence[tuple[Any, Sequence[Any], Sequence[Any]]]
                 ) -> list[Any]:
        pipe = self.client.pipeline(transaction=False)
        for script, keys, args in calls:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
        return list(pipe.execute(raise_on_error=False))

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def clear(self) -> None:
        """Forget everything under the prefix (a mock starting afresh)."""
        keys = list(self.client.scan_iter(match=self.key("*"), count=1000))
        for start in range(0, len(keys), 500):
            self.client.delete(*keys[start:start + 500])

    def journal(self, capacity: int) -> RedisJournal:
        return RedisJournal(self, capacity)

    # -- ScenarioState -----------------------------------------------------------------

    def server(self) -> str | None:
        return _text(self.client.get(self.key("server")))

    def set_server(self, name: str | None) -> None:
        if name is None:
            self.client.delete(self.key("server"))
        else:
            self.client.set(self.key("server"), name)

    def session(self, session: str) -> str | None:
        return _text(self.client.hget(self.key("sessions"), session))

    def set_session(self, session: str, name: str | None) -> None:
        if name is None:
            self.client.hdel(self.key("sessions"), session)
        else:
            self.client.hset(self.key("sessions"), session, name)
            self.client.expire(self.key("sessions"), EXPIRE_SECONDS)

    def clear_sessions(self) -> None:
        self.client.delete(self.key("sessions"))

    def for_request(self, session: str) -> str | None:
        pipe = self.client.pipeline(transaction=False)
        pipe.hget(self.key("sessions"), session)
        pipe.get(self.key("server"))
        own, server = pipe.execute()
        return _text(own) or _text(server)

    def in_use(self) -> bool:
        return True  # another process may activate one at any time: every request asks

    def reset(self, now: float, session: str | None = None) -> None:
        for key in self.client.scan_iter(match=self.key("engine", "*"), count=1000):
            name = key.decode().split(":", 2)[2]
            RedisEngineState(self, name).reset(now, session)

    def engine_state(self, scenario: str, now: float) -> EngineState:
        engine = RedisEngineState(self, scenario)
        self.client.hsetnx(engine.hash, "started", repr(now))
        return engine

    def publish(self, name: str, source: Mapping[str, Any]) -> None:
        try:
            payload = orjson.dumps(source)
        except TypeError:
            return  # not JSON (a mapping built in Python): this process only
        self.client.hset(self.key("published"), name, payload)

    def published(self, name: str) -> Mapping[str, Any] | None:
        raw = self.client.hget(self.key("published"), name)
        return orjson.loads(raw) if raw else None


class RedisEngineState:
    """One scenario's counters in one Redis hash (``PREFIX:engine:NAME``)."""

    def __init__(self, store: RedisState, scenario: str) -> None:
        self.store = store
        self.client = store.client
        self.hash = store.key("engine", scenario)

    def started(self) -> float:
        raw = self.client.hget(self.hash, "started")
        return float(raw) if raw else 0.0

    def _count(self, field: str) -> int:
        pipe = self.client.pipeline(transaction=False)
        pipe.hincrby(self.hash, field, 1)
        pipe.expire(self.hash, EXPIRE_SECONDS)
        return int(pipe.execute()[0])

    def ordinal(self, session: str, target: str) -> int:
        return self._count(_SEP.join(("o", session, target)))

    def matched(self, index: int, session: str) -> int:
        return self._count(_SEP.join(("m", str(index), session)))

    def fired(self, index: int, session: str) -> int:
        raw = self.client.hget(self.hash, _SEP.join(("f", str(index), session)))
        return int(raw) if raw else 0

    def claim(self, index: int, session: str, cap: int | None) -> int | None:
        before = int(self.store._claim(
            keys=[self.hash],
            args=[_SEP.join(("f", str(index), session)), -1 if cap is None else cap,
                  EXPIRE_SECONDS]))
        return None if before < 0 else before

    def take(self, index: int, key: str, policy: RateLimit, now: float) -> Admission:
        prefix = _SEP.join(("b", str(index), key, ""))
        admitted, remaining, reset = self.store._take(
            keys=[self.hash],
            args=[prefix, policy.limit, repr(float(policy.per)), policy.refill, repr(now),
                  EXPIRE_SECONDS])
        return Admission(bool(admitted), policy.limit, int(remaining), float(reset),
                         policy.per)

    def use_credential(self, index: int, credential: str, now: float) -> tuple[float, int]:
        first = _SEP.join(("c", str(index), credential, "first"))
        uses = _SEP.join(("c", str(index), credential, "uses"))
        pipe = self.client.pipeline(transaction=True)
        pipe.hsetnx(self.hash, first, repr(now))
        pipe.hincrby(self.hash, uses, 1)
        pipe.hget(self.hash, first)
        _, count, seen = pipe.execute()
        return float(seen), int(count)

    def reset(self, now: float, session: str | None = None) -> None:
        if session is None:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(self.hash)
            pipe.hset(self.hash, "started", repr(now))
            pipe.execute()
            return
        mine = []
        for raw in self.client.hscan_iter(self.hash, count=1000):
            field = raw[0].decode("utf-8", "surrogateescape")
            parts = field.split(_SEP)
            if (parts[0] == "o" and parts[1] == session) or (
                    parts[0] in ("m", "f") and parts[2] == session) or (
                    parts[0] == "b" and parts[2] == f"session:{session}"):
                mine.append(raw[0])
        if mine:
            self.client.hdel(self.hash, *mine)


class RedisJournal(Journal):
    """The journal in Redis, bounded like the in-process ring: every process appends to one
    sequence, and reading from any of them shows every exchange once.

    An entry is written when the exchange is recorded (before its answer leaves); its end
    (``t_resp_end``) is written by the same process at its next append or read. The raw
    records (for :meth:`received_secrets`) stay in this process's own ring."""

    def __init__(self, store: RedisState, capacity: int) -> None:
        super().__init__(capacity)
        self.store = store
        self.client = store.client
        self._keys = [store.key("journal", part)
                      for part in ("seq", "entries", "order", "dropped", "cleared")]
        self._pending: deque[Record] = deque()
        self._pending_lock = threading.Lock()

    @property
    def dropped(self) -> int:
        """Entries evicted to make room, by every process (kept in Redis)."""
        raw = self.client.get(self._keys[3])
        return int(raw) if raw else 0

    def append(self, item: JournalEntry | Record) -> int:
        super().append(item)  # this process's ring (bounds the bodies too)
        entry = item.entry() if isinstance(item, Record) else item
        # one round trip: the ends of the exchanges finished since, then this one
        calls = [(self.store._update, [self._keys[1]], [record.seq, _dumps(record.entry())])
                 for record in self._finished()]
        calls.append((self.store._append, self._keys,
                      [_dumps(entry), self.capacity, repr(entry.t_headers)]))
        seq = int(self.store.run_scripts(calls)[-1])
        if isinstance(item, Record):
            item.seq = abs(seq)
            if seq > 0 and item.t_resp_end is None:
                with self._pending_lock:
                    self._pending.append(item)
        return abs(seq)

    def _finished(self) -> list[Record]:
        """The exchanges this process finished since their entries were written (their
        ends still to write), no longer pending."""
        with self._pending_lock:
            done = [r for r in self._pending if r.t_resp_end is not None]
            if done:
                kept = [r for r in self._pending if r.t_resp_end is None]
                self._pending.clear()
                self._pending.extend(kept)
        return done

    def _flush(self) -> None:
        """Write the ends of the exchanges this process finished since."""
        done = self._finished()
        if done:
            self.store.run_scripts([
                (self.store._update, [self._keys[1]], [record.seq, _dumps(record.entry())])
                for record in done])

    def entries(
        self, *, session: str | None = None, operation_id: str | None = None,
        status: int | None = None, since_seq: int = 0, since_time: float | None = None,
    ) -> list[JournalEntry]:
        self._flush()
        raw = self.client.hgetall(self._keys[1])
        found = sorted((_loads(int(seq), payload) for seq, payload in raw.items()),
                       key=lambda e: e.seq)
        return [
            e for e in found
            if e.seq > since_seq
            and (session is None or e.session == session)
            and (operation_id is None or e.operation_id == operation_id)
            and (status is None or e.status == status)
            and (since_time is None or e.t_headers >= since_time)
        ]

    def wait_for(self, predicate: Callable[[list[JournalEntry]], bool], timeout: float, *,
                 session: str | None = None) -> list[JournalEntry]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.entries(session=session)
            remaining = deadline - time.monotonic()
            if predicate(found) or remaining <= 0:
                return found
            with self._changed:  # woken by this process's appends; others are polled
                self._wait(min(remaining, 0.05))

    def clear(self, session: str | None = None, *, at: float | None = None) -> None:
        super().clear(session, at=at)
        if session is None:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(self._keys[1], self._keys[2], self._keys[3])
            if at is not None:
                pipe.set(self._keys[4], repr(at))
            pipe.execute()
            return
        mine = [str(e.seq) for e in self.entries(session=session)]
        if mine:
            pipe = self.client.pipeline(transaction=True)
            pipe.hdel(self._keys[1], *mine)
            for seq in mine:
                pipe.lrem(self._keys[2], 0, seq)
            pipe.execute()

    def __len__(self) -> int:
        return int(self.client.hlen(self._keys[1]))


def _text(raw: bytes | None) -> str | None:
    return raw.decode() if raw else None


def _dumps(entry: JournalEntry) -> bytes:
    data = entry.to_dict()
    data.pop("seq")
    return orjson.dumps(data)


def _loads(seq: int, payload: bytes) -> JournalEntry:
    data = orjson.loads(payload)
    return JournalEntry(
        seq=seq, session=data["session"], connection_id=data["connection_id"],
        method=data["method"], path=data["path"],
        query=tuple((k, v) for k, v in data["query"]),
        request_headers=data["request_headers"],
        request_body_size=data["request_body_size"],
        request_body_sha256=data["request_body_sha256"],
        operation_id=data["operation_id"], mount=data["mount"], status=data["status"],
        response_headers=data["response_headers"],
        response_body_size=data["response_body_size"],
        response_body_sha256=data["response_body_sha256"],
        t_headers=data["t_headers"], t_body_end=data["t_body_end"],
        t_resp_start=data["t_resp_start"], t_resp_end=data["t_resp_end"],
        t_disconnect=data["t_disconnect"],
        violations=tuple(Violation(v["location"], v["pointer"], v["message"])
                         for v in data["violations"]),
        correlation_id=data["correlation_id"], client=data["client"],
        logical_key=data["logical_key"], fault=data["fault"], rule=data["rule"],
        outcome=data["outcome"],
    )
