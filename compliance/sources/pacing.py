"""Kind to the Hub: bounded concurrency per host, and pacing by the Hub's rate-limit headers.

The Hub limits API calls and file resolves per window (5 minutes on huggingface.co) and says
where a client stands on every answer, in the IETF draft headers that huggingface_hub parses:

    RateLimit: "api";r=<remaining>;t=<seconds until the window resets>
    RateLimit-Policy: "fixed window";"api";q=<requests per window>;w=<window seconds>

A 429 also carries `Retry-After`. One `HostPacer` per host (shared by every thread of the
process) lets at most `concurrency` requests run at once, counts the requests it sends against
the remaining quota the Hub last announced, and when only `reserve` are left (enough for the
requests other threads or processes may have in flight) it waits for the window to reset
instead of running into 429. After a 429 every request of that bucket waits for the time the
Hub named. Each bucket ("api", "resolvers") is paced on its own.

Setting: COMPLIANCE_HUB_CONCURRENCY (requests in flight per host, default 8).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from ..errors import UsageError

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
MAX_WAIT = 600.0  # never sleep longer than this for one announcement, whatever the Hub says

_RATELIMIT = re.compile(r'"(?P<bucket>[\w-]+)"\s*;\s*r\s*=\s*(?P<r>\d+)\s*;\s*t\s*=\s*(?P<t>\d+)')
_POLICY = re.compile(r"q\s*=\s*(?P<q>\d+).*?w\s*=\s*(?P<w>\d+)")


def concurrency_from_env(value: int | None = None) -> int:
    if value is not None:
        return max(1, min(MAX_CONCURRENCY, value))
    raw = os.environ.get("COMPLIANCE_HUB_CONCURRENCY", "").strip()
    if not raw:
        return DEFAULT_CONCURRENCY
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_CONCURRENCY:
        raise UsageError(
            f"COMPLIANCE_HUB_CONCURRENCY={raw!r} must be a whole number from 1 to {MAX_CONCURRENCY}"
        )
    return int(raw)


@dataclass(frozen=True)
class RateLimit:
    bucket: str
    remaining: int
    reset: float  # seconds until the window resets
    limit: int | None = None
    window: int | None = None


def parse_ratelimit(headers: Mapping[str, str]) -> RateLimit | None:
    """The `RateLimit` / `RateLimit-Policy` headers, or None when absent or unreadable."""
    value = headers.get("RateLimit") or headers.get("ratelimit")
    if not value:
        return None
    match = _RATELIMIT.search(value)
    if not match:
        return None
    limit = window = None
    policy = headers.get("RateLimit-Policy") or headers.get("ratelimit-policy")
    if policy and (found := _POLICY.search(policy)):
        limit, window = int(found.group("q")), int(found.group("w"))
    return RateLimit(
        match.group("bucket"), int(match.group("r")), float(match.group("t")), limit, window
    )


def bucket_of(url: str) -> str:
    """The Hub's bucket for a URL: file resolves have their own (higher) limit."""
    return "resolvers" if "/resolve/" in url else "api"


@dataclass
class _Window:
    remaining: int | None = None  # requests left as last announced, less those sent since
    reset_at: float = 0.0  # monotonic time the window resets
    blocked_until: float = 0.0  # after a 429


class HostPacer:
    def __init__(self, concurrency: int, reserve: int | None = None):
        self.concurrency = concurrency
        self.reserve = reserve if reserve is not None else concurrency
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self.waited = 0.0  # seconds spent waiting for a window (bench and tests read it)

    def _wait_time(self, bucket: str, now: float) -> float:
        window = self._windows.setdefault(bucket, _Window())
        if window.blocked_until > now:
            return window.blocked_until - now
        if window.remaining is None:
            return 0.0
        if window.reset_at <= now:  # a new window: unknown until the next answer says
            window.remaining = None
            return 0.0
        if window.remaining > self.reserve:
            window.remaining -= 1
            return 0.0
        return window.reset_at - now

    @contextmanager
    def slot(self, url: str, deadline_left: float | None = None) -> Iterator[None]:
        """Hold one of the host's request slots, after any wait the rate limit asks for. A
        wait longer than `deadline_left` is not made here: the request then goes out and the
        Hub's 429 turns into the usual retry error (fail closed, within the budget)."""
        bucket = bucket_of(url)
        with self._slots:
            while True:
                with self._lock:
                    wait = min(self._wait_time(bucket, time.monotonic()), MAX_WAIT)
                if wait <= 0 or (deadline_left is not None and wait > deadline_left):
                    break
                self.waited += wait
                time.sleep(wait + 0.05)
            yield

    def observe(
        self, url: str, status: int, headers: Mapping[str, str], retry_after: float | None
    ) -> None:
        """Learn from an answer: the quota it announces, and after a 429 how long to hold off."""
        info = parse_ratelimit(headers)
        bucket = info.bucket if info is not None else bucket_of(url)
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault(bucket, _Window())
            if info is not None:
                reset_at = now + min(info.reset, MAX_WAIT)
                if window.remaining is None or reset_at > window.reset_at + 1.0:
                    # The first answer, or one from a new window.
                    window.remaining, window.reset_at = info.remaining, reset_at
                else:  # answers can arrive out of order: the lowest count is the true one
                    window.remaining = min(window.remaining, info.remaining)
            if status == 429:
                hold = retry_after if retry_after is not None else (info.reset if info else None)
                if hold is not None:
                    window.blocked_until = max(window.blocked_until, now + min(hold, MAX_WAIT))


_PACERS: dict[tuple[str, int, int], HostPacer] = {}
_PACERS_LOCK = threading.Lock()


def pacer_for(host: str, concurrency: int, reserve: int | None = None) -> HostPacer:
    """The process's one pacer for `host` (per setting, so tests with other settings get theirs)."""
    key = (host, concurrency, reserve if reserve is not None else concurrency)
    with _PACERS_LOCK:
        pacer = _PACERS.get(key)
        if pacer is None:
            pacer = _PACERS[key] = HostPacer(concurrency, reserve)
        return pacer
