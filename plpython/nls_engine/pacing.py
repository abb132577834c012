"""The request budget: each backend sends its requests at its share of a token's and a workspace's budget, and a 429
slows every backend of that token (or workspace) until its Retry-After has passed.

Notion allows about 3 requests a second per integration and has a budget per workspace too (NOTION_API.md, "Limits
and errors"). nls paces itself under ``rate_limit_per_s`` per token and ``workspace_rate_limit_per_s`` per workspace,
divided among the syncs of that token and workspace running now, in any backend (``nls._sync_share``: each running
sync holds a shared advisory lock on its token and workspace, so a sync by hand counts as much as a scheduled one).
When Notion answers 429 anyway, the backend that got it holds an exclusive advisory lock on the token (or the
workspace, by ``rate_limit_reason``) while it waits out the Retry-After, and every other backend of that token waits
while the hold lasts; this backend's pace halves, and comes back slowly with each answer that is not a 429.
"""
from __future__ import annotations

import time
from typing import Callable, Protocol

from .client import RunDeadline

MIN_FACTOR = 0.2      # the pace never drops below a fifth of the budget
RECOVERY = 0.02       # each answer that is not a 429 gives back 2% of the budget
HOLD_POLL_S = 0.25    # how often a backend held back by another's 429 looks again


class Holds(Protocol):
    """Holding back every backend of a token or workspace (advisory locks, ``nls._hold_budget``)."""

    def take(self, scope: str) -> bool: ...   # scope: "token" or "workspace"; False when another backend holds it

    def release(self, scope: str) -> None: ...


class Pacer:
    """A token bucket refilled at this backend's share of the request budget, times ``factor`` (lowered by 429s).

    ``share()`` returns (token_share, workspace_share, held): how many running syncs use this token and this
    workspace, and whether another backend holds them back (re-read before each request, or every ``refresh_s``
    seconds). The rate is ``min(rate / token_share, workspace_rate / workspace_share) * factor`` requests a second,
    at most ``burst`` (or its share, at least 1) at once; a new pacer starts with one request's worth, so that syncs
    starting together do not spend the token's burst twice. ``waited_s`` sums the seconds waited (pacing and holds).
    ``clock`` and ``sleep`` are ``time.monotonic`` and ``time.sleep`` unless given (the engine gives an
    interruptible sleep).
    """

    def __init__(self, share: Callable[[], tuple[int, int, bool]], rate: float, workspace_rate: float, burst: float,
                 refresh_s: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, holds: Holds | None = None):
        self.share, self.rate, self.workspace_rate, self.burst = share, rate, workspace_rate, burst
        self.refresh_s, self.clock, self.sleep, self.holds = refresh_s, clock, sleep, holds
        self.current, self.cap, self.factor = rate, burst, 1.0
        self.held = False
        self.tokens: float | None = None   # one request's worth at the first request
        self.stamp = clock()
        self.next_refresh = 0.0
        self.waited_s = 0.0

    def configure(self, share: Callable[[], tuple[int, int, bool]], rate: float, workspace_rate: float, burst: float,
                  sleep: Callable[[float], None] | None = None, holds: Holds | None = None) -> None:
        """Take a new run's settings, share function, sleep and holds; the bucket's level and the pace factor are
        kept (a new run of the same backend does not start a new burst). Re-reads the share at the next request."""
        self.share, self.rate, self.workspace_rate, self.burst = share, rate, workspace_rate, burst
        self.sleep, self.holds = sleep or self.sleep, holds
        self.next_refresh, self.waited_s = 0.0, 0.0

    def wait(self, deadline: float | None) -> None:
        """Take one request's token, waiting while another backend holds the budget and until there is a token.
        Raises RunDeadline rather than wait past ``deadline`` (a ``clock()`` value)."""
        now = self._refreshed()
        while self.held:
            self._pause(HOLD_POLL_S, deadline, "while another backend waits out a 429 of this token")
            now = self._refreshed()
        self.tokens = 1.0 if self.tokens is None else min(self.cap, self.tokens + (now - self.stamp) * self.current)
        self.stamp = now
        if self.tokens < 1.0:
            self._pause((1.0 - self.tokens) / self.current, deadline, "while pacing its requests")
            self.tokens, self.stamp = 1.0, self.clock()
        self.tokens -= 1.0

    def throttled(self, seconds: float, scope: str, deadline: float | None) -> None:
        """Notion answered 429 with ``seconds`` of Retry-After for the ``scope`` ("token" or "workspace"): halve
        the pace and wait the seconds out, holding back every backend of the scope meanwhile (or waiting on the
        backend that already does). Raises RunDeadline rather than wait past ``deadline``."""
        self.factor = max(MIN_FACTOR, self.factor / 2)
        self.tokens, self.next_refresh = 0.0, 0.0
        took = self.holds.take(scope) if self.holds is not None else False
        try:
            self._pause(seconds, deadline, "waiting out a 429 (Retry-After)")
        finally:
            if took:
                self.holds.release(scope)
        self.stamp = self.clock()

    def succeeded(self) -> None:
        """An answer that was not a 429: the pace comes back a little."""
        self.factor = min(1.0, self.factor + RECOVERY)

    def _refreshed(self) -> float:
        now = self.clock()
        if now >= self.next_refresh:
            token_share, workspace_share, self.held = self.share()
            self.current = self.factor * min(self.rate / max(1, token_share),
                                             self.workspace_rate / max(1, workspace_share))
            self.cap = max(1.0, self.burst / max(1, token_share, workspace_share))
            self.next_refresh = now + self.refresh_s
        return now

    def _pause(self, seconds: float, deadline: float | None, what: str) -> None:
        if deadline is not None and self.clock() + seconds > deadline:
            raise RunDeadline(f"the run reached its deadline (run_deadline_s) {what}")
        self.sleep(seconds)
        self.waited_s += seconds
        self.next_refresh = 0.0 if self.held else self.next_refresh
