"""Client-side pacing: each backend sends its requests at its share of a token's and a workspace's budget.

Notion allows about 3 requests a second per integration (NOTION_API.md, "Rate limits"); nls paces itself under
``rate_limit_per_s`` per token and ``workspace_rate_limit_per_s`` per workspace, shared among the syncs running now
(``nls.active_syncs``), so that Notion rarely has to answer 429.
"""
from __future__ import annotations

import time
from typing import Callable

from .client import RunDeadline


class Pacer:
    """A token bucket refilled at this backend's share of the request budget.

    ``share()`` returns (token_share, workspace_share): how many running syncs use this token and this workspace
    (``nls._sync_share``, re-read every ``refresh_s`` seconds). The rate is ``min(rate / token_share,
    workspace_rate / workspace_share)`` requests a second, at most ``burst`` (or its share, at least 1) at once.
    ``waited_s`` sums the seconds slept. ``clock`` and ``sleep`` are ``time.monotonic`` and ``time.sleep`` unless a
    test gives others.
    """

    def __init__(self, share: Callable[[], tuple[int, int]], rate: float, workspace_rate: float, burst: float,
                 refresh_s: float = 0.5, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.share, self.rate, self.workspace_rate, self.burst = share, rate, workspace_rate, burst
        self.refresh_s, self.clock, self.sleep = refresh_s, clock, sleep
        self.current = rate
        self.cap = burst
        self.tokens: float | None = None   # full at the first request
        self.stamp = clock()
        self.next_refresh = 0.0
        self.waited_s = 0.0

    def configure(self, share: Callable[[], tuple[int, int]], rate: float, workspace_rate: float,
                  burst: float) -> None:
        """Take new settings and a new share function for a new run; the bucket's level is kept (a new run of the
        same backend does not start a new burst). Re-reads the share at the next request."""
        self.share, self.rate, self.workspace_rate, self.burst = share, rate, workspace_rate, burst
        self.next_refresh, self.waited_s = 0.0, 0.0

    def wait(self, deadline: float | None) -> None:
        """Take one request's token, sleeping until there is one. Raises RunDeadline rather than sleep past
        ``deadline`` (a ``clock()`` value)."""
        now = self.clock()
        if now >= self.next_refresh:
            self._refresh(now)
        self.tokens = self.cap if self.tokens is None else min(self.cap, self.tokens + (now - self.stamp) * self.current)
        self.stamp = now
        if self.tokens < 1.0:
            pause = (1.0 - self.tokens) / self.current
            if deadline is not None and now + pause > deadline:
                raise RunDeadline("the run reached its deadline (run_deadline_s) while pacing its requests")
            self.sleep(pause)
            self.waited_s += pause
            self.tokens, self.stamp = 1.0, self.clock()
        self.tokens -= 1.0

    def _refresh(self, now: float) -> None:
        token_share, workspace_share = self.share()
        self.current = min(self.rate / max(1, token_share), self.workspace_rate / max(1, workspace_share))
        self.cap = max(1.0, self.burst / max(1, token_share, workspace_share))
        self.next_refresh = now + self.refresh_s
