"""Rate limits and fault injection: the two ways the emulator says no, as api.notion.com does."""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field


class TokenBucket:
    """A token bucket: ``rate`` tokens a second, at most ``burst`` kept.

    ``take()`` returns 0.0 when a token was taken, or the seconds until one will be free.
    """

    def __init__(self, rate: float, burst: float, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.stamp = clock()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self) -> float:
        with self.lock:
            self._refill()
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.rate


@dataclass
class RateLimits:
    """Per-token and per-workspace buckets. ``enabled`` is off by default in tests, on in the demo and
    benchmarks. Defaults follow Notion: an average of 3 requests a second per integration."""

    enabled: bool = False
    token_rate: float = 3.0
    token_burst: float = 10.0
    workspace_rate: float = 15.0
    workspace_burst: float = 30.0
    _buckets: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _bucket(self, key: tuple, rate: float, burst: float) -> TokenBucket:
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = TokenBucket(rate, burst)
            return b

    def check(self, token: str, workspace_id: str) -> tuple[int, str] | None:
        """None when the request may go on, else ``(retry_after_seconds, reason)``."""
        if not self.enabled:
            return None
        wait = self._bucket(("token", token), self.token_rate, self.token_burst).take()
        if wait:
            return max(1, math.ceil(wait)), "integration_rate_limit"
        wait = self._bucket(("workspace", workspace_id), self.workspace_rate, self.workspace_burst).take()
        if wait:
            return max(1, math.ceil(wait)), "workspace_rate_limit"
        return None

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


FAULT_KINDS = ("500", "502", "503", "504", "529", "429_long", "reset", "stall", "invalid_cursor",
               # the request is carried out (a create happens), then the connection drops before the answer
               "reset_after_write",
               # the request is carried out, then its 200 answer is damaged on the way (as by a broken proxy): the
               # JSON cut short, or an HTML page in its place
               "200_truncated", "200_html")
# the faults that let the request be carried out first
AFTER_THE_REQUEST = ("reset_after_write", "200_truncated", "200_html")


@dataclass
class Fault:
    """One scripted fault: ``kind`` from FAULT_KINDS, applied to requests whose path contains ``path``
    (and whose method is ``method`` when given), ``times`` times."""

    kind: str
    path: str = ""
    method: str | None = None
    times: int = 1

    def __post_init__(self):
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(FAULT_KINDS)}")


class Faults:
    """Scripted faults (taken in order) and random ones (by probability per kind, from a seeded RNG)."""

    def __init__(self, seed: int = 0):
        self.script: list[Fault] = []
        self.probabilities: dict[str, float] = {}
        self.rng = random.Random(seed)
        self.stall_seconds = 30.0
        self.long_retry_after = 120
        self.lock = threading.Lock()

    def add(self, kind: str, path: str = "", method: str | None = None, times: int = 1) -> None:
        with self.lock:
            self.script.append(Fault(kind, path, method, times))

    def set_probabilities(self, probabilities: dict[str, float], seed: int | None = None) -> None:
        for k in probabilities:
            if k not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {k!r}; use one of {', '.join(FAULT_KINDS)}")
        with self.lock:
            self.probabilities = dict(probabilities)
            if seed is not None:
                self.rng = random.Random(seed)

    def clear(self) -> None:
        with self.lock:
            self.script.clear()
            self.probabilities.clear()

    def pick(self, method: str, path: str, has_cursor: bool) -> str | None:
        """The fault to apply to this request, if any."""
        with self.lock:
            for f in self.script:
                if f.path in path and (f.method is None or f.method == method):
                    if f.kind == "invalid_cursor" and not has_cursor:
                        continue
                    f.times -= 1
                    if f.times <= 0:
                        self.script.remove(f)
                    return f.kind
            for kind, p in self.probabilities.items():
                if kind == "invalid_cursor" and not has_cursor:
                    continue
                if self.rng.random() < p:
                    return kind
        return None
