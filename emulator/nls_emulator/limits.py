"""Rate limits and fault injection: the two ways the emulator says no, as api.notion.com does."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
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


class WindowBudget:
    """A fixed budget of requests per window, as Notion's request limits now state it: ``budget`` requests in each
    window of ``window_s`` seconds, spent at any pace (evenly or in one burst). A window opens with the first
    request after the last one ended. ``take()`` returns 0.0 when the request is within the budget, else the
    seconds until the window ends. ``spent`` counts the requests of the window open now, ``refused`` the requests
    refused in each window so far (one number a window, in order)."""

    def __init__(self, budget: int, window_s: float, clock=time.monotonic):
        self.budget, self.window_s, self.clock = budget, window_s, clock
        self.ends, self.spent = 0.0, 0
        self.refused: list[int] = []
        self.lock = threading.Lock()

    def take(self) -> float:
        with self.lock:
            now = self.clock()
            if now >= self.ends:
                self.ends, self.spent = now + self.window_s, 0
                self.refused.append(0)
            if self.spent < self.budget:
                self.spent += 1
                return 0.0
            self.refused[-1] += 1
            return self.ends - now


MODES = ("window", "bucket")


@dataclass
class RateLimits:
    """Per-token (per-connection) and per-workspace limits. ``enabled`` is off by default in tests, on in the demo
    and benchmarks. ``mode`` "window" is Notion's request limits as stated now: ``token_budget`` requests per
    ``window_s`` seconds for each token, ``workspace_budget`` per ``workspace_window_s`` for all of a workspace's
    tokens together; past either, 429 with Retry-After the seconds to that window's end. ``mode`` "bucket" is the
    older statement, "an average of 3 requests a second, some bursts allowed": token buckets of ``token_rate``
    requests/s with ``token_burst`` at once (``workspace_rate``, ``workspace_burst`` for the workspace)."""

    enabled: bool = False
    mode: str = "bucket"
    token_rate: float = 3.0
    token_burst: float = 10.0
    workspace_rate: float = 15.0
    workspace_burst: float = 30.0
    token_budget: int = 300
    window_s: float = 60.0
    workspace_budget: int = 1500
    workspace_window_s: float = 120.0
    _buckets: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    SETTABLE = (
        "enabled",
        "mode",
        "token_rate",
        "token_burst",
        "workspace_rate",
        "workspace_burst",
        "token_budget",
        "window_s",
        "workspace_budget",
        "workspace_window_s",
    )

    def set(self, values: dict) -> None:
        """Change the limits (names of SETTABLE) and start every bucket and window afresh. Raises ValueError for
        an unknown name or mode, or a budget, rate or window that is not positive."""
        unknown = set(values) - set(self.SETTABLE)
        if unknown:
            raise ValueError(
                f"unknown rate limit setting(s) {', '.join(sorted(unknown))}; use {', '.join(self.SETTABLE)}"
            )
        if values.get("mode", self.mode) not in MODES:
            raise ValueError(f"unknown rate limit mode {values['mode']!r}; use window or bucket")
        for k, v in values.items():
            if k not in ("enabled", "mode") and not (isinstance(v, (int, float)) and v > 0):
                raise ValueError(f"rate limit setting {k} must be a positive number, not {v!r}")
            setattr(self, k, v)
        self.reset()

    def _limit(self, key: tuple, make) -> TokenBucket | WindowBudget:
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = make()
            return b

    def check(self, token: str, workspace_id: str) -> tuple[int, str] | None:
        """None when the request may go on, else ``(retry_after_seconds, reason)``: Retry-After in whole seconds
        (at least 1), reason ``integration_rate_limit`` or ``workspace_rate_limit``."""
        if not self.enabled:
            return None
        limits: tuple[tuple[tuple[str, str], Callable[[], TokenBucket | WindowBudget], str], ...]
        if self.mode == "window":
            limits = (
                (
                    ("token_window", token),
                    lambda: WindowBudget(int(self.token_budget), self.window_s),
                    "integration_rate_limit",
                ),
                (
                    ("workspace_window", workspace_id),
                    lambda: WindowBudget(int(self.workspace_budget), self.workspace_window_s),
                    "workspace_rate_limit",
                ),
            )
        else:
            limits = (
                (("token", token), lambda: TokenBucket(self.token_rate, self.token_burst), "integration_rate_limit"),
                (
                    ("workspace", workspace_id),
                    lambda: TokenBucket(self.workspace_rate, self.workspace_burst),
                    "workspace_rate_limit",
                ),
            )
        for key, make, reason in limits:
            wait = self._limit(key, make).take()
            if wait:
                return max(1, math.ceil(wait)), reason
        return None

    def spent(self, token: str) -> int | None:
        """Requests of ``token`` in its window open now (window mode), or None."""
        b = self.window("token", token)
        return b.spent if b else None

    def window(self, scope: str, key: str) -> WindowBudget | None:
        """The window budget of a token (scope "token") or a workspace ("workspace"), once it was used."""
        with self._lock:
            return self._buckets.get((scope + "_window", key))

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


FAULT_KINDS = (
    "500",
    "502",
    "503",
    "504",
    "529",
    "429_long",
    "reset",
    "stall",
    "invalid_cursor",
    # the request is carried out (a create happens), then the connection drops before the answer
    "reset_after_write",
    # the request is carried out, then its 200 answer is damaged on the way (as by a broken proxy): the
    # JSON cut short, or an HTML page in its place
    "200_truncated",
    "200_html",
)
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
