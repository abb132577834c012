"""The request budget: every request of every backend waits its turn in the budget its token and its workspace share
with every other backend, so that all of them together never send faster than the budget allows, from the first
request on; a 429 holds every backend of that token (or workspace) until its Retry-After has passed.

Notion allows about 3 requests a second per integration and has a budget per workspace too (NOTION_API.md, "Limits
and errors"). nls paces every token at ``rate_limit_per_s`` and every workspace at ``workspace_rate_limit_per_s``,
``rate_limit_burst`` requests at once at most (one of them kept back for the network's jitter). The budgets live in
the database (``nls._take_budget``, through :class:`nls_engine.integration.Budget`): a state every backend reads
and changes at once, a sync by hand in its caller's transaction as much as a scheduled one, and any other runtime
of the engine that reaches the same database. Each request asks it how long to wait, then waits (interruptibly).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from .client import RunDeadline


class SharedBudget(Protocol):
    """The budget of a token and its workspace as every backend shares it (:class:`nls_engine.integration.Budget`)."""

    def take(self) -> tuple[float, bool]: ...  # (seconds to wait before sending, reserved: False -> ask again)

    def hold(self, scope: str, seconds: float) -> bool: ...  # scope "token" or "workspace"


class Pacer:
    """Makes each request of one client wait its turn in ``budget`` (a :class:`SharedBudget`). ``waited_s`` sums
    the seconds waited (pacing and 429 holds). ``clock`` and ``sleep`` are ``time.monotonic`` and ``time.sleep``
    unless given (the engine gives an interruptible sleep)."""

    def __init__(
        self,
        budget: SharedBudget,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.budget, self.clock, self.sleep = budget, clock, sleep
        self.not_before = 0.0  # a Retry-After this backend waits out itself (when the budget could not note it)
        self.waited_s = 0.0

    def wait(self, deadline: float | None) -> None:
        """Wait this request's turn: out a Retry-After this backend got, then as long as the shared budget says.
        Raises RunDeadline rather than wait past ``deadline`` (a ``clock()`` value)."""
        held = self.not_before - self.clock()
        if held > 0:
            self._pause(held, deadline, "waiting out a 429 (Retry-After)")
        while True:
            seconds, reserved = self.budget.take()
            self._pause(seconds, deadline, "while pacing its requests")
            if reserved:
                return

    def throttled(self, seconds: float, scope: str, deadline: float | None) -> None:
        """Notion answered 429 with ``seconds`` of Retry-After for the ``scope`` ("token" or "workspace"): no
        backend of the scope sends before they have passed (this one's next :meth:`wait` waits them out). Raises
        RunDeadline when they would pass ``deadline``."""
        if deadline is not None and self.clock() + seconds > deadline:
            raise RunDeadline("the run reached its deadline (run_deadline_s) waiting out a 429 (Retry-After)")
        if not self.budget.hold(scope, seconds):
            self.not_before = self.clock() + seconds

    def _pause(self, seconds: float, deadline: float | None, what: str) -> None:
        if seconds <= 0:
            return
        if deadline is not None and self.clock() + seconds > deadline:
            raise RunDeadline(f"the run reached its deadline (run_deadline_s) {what}")
        self.sleep(seconds)
        self.waited_s += seconds
