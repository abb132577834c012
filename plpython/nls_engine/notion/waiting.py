"""Waiting without holding up PostgreSQL: on the network and on the clock, in short slices, with PostgreSQL's
interrupts processed between them.

A backend notices a cancel, a ``statement_timeout`` or a terminate only when it runs PostgreSQL code
(CHECK_FOR_INTERRUPTS). A Python sleep or a socket read does not, so a sync waiting 30 s on a stalled Notion request
would ignore ``pg_terminate_backend`` for 30 s. Here every wait is cut into slices of at most ``slice_s`` seconds,
and ``check()`` (a trivial statement run through SPI) lets PostgreSQL act between them: a cancel raises
``query_canceled`` out of ``check()``, a terminate ends the backend there. A request runs in a worker thread, which
blocks the signals PostgreSQL listens to so that they reach the backend's own thread; the backend waits on the thread
in slices.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from typing import Any

# the signals a PostgreSQL backend handles (cancel, terminate, timeouts, latches, reload)
_BACKEND_SIGNALS = {
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGQUIT,
    signal.SIGALRM,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGHUP,
}


class Waiter:
    """Sleeps and waits in slices. ``check`` is called between slices (None outside PostgreSQL: waits are then
    plain); ``clock`` and ``sleep`` are ``time.monotonic`` and ``time.sleep`` unless a test gives others."""

    def __init__(
        self,
        check: Callable[[], None] | None = None,
        slice_s: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        join: Callable[[threading.Thread, float], None] | None = None,
    ):
        self.check, self.slice_s, self.clock, self._sleep = check, slice_s, clock, sleep
        self._join = join or (lambda thread, seconds: thread.join(seconds))

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (a float), letting PostgreSQL process interrupts at least every ``slice_s``. Raises
        what ``check`` raises (a cancel)."""
        end = self.clock() + max(0.0, seconds)
        while True:
            left = end - self.clock()
            if left <= 0:
                return
            self._sleep(min(self.slice_s, left))
            if self.check:
                self.check()

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` (a blocking request), run in a worker thread while this thread waits in slices;
        returns its result or raises its exception. When ``check`` raises (a cancel), the request is abandoned to
        its own timeout and the cancel is raised at once."""
        if self.check is None:
            return fn(*args, **kwargs)
        outcome: dict = {}
        worker = threading.Thread(target=_run, args=(fn, args, kwargs, outcome), name="nls-request", daemon=True)
        worker.start()
        while True:
            self._join(worker, self.slice_s)
            if not worker.is_alive():
                break
            self.check()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]


def _run(fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any], outcome: dict) -> None:
    """The worker thread: PostgreSQL's signals stay with the backend's thread; the result or error goes back."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _BACKEND_SIGNALS)
    try:
        outcome["result"] = fn(*args, **kwargs)
    except BaseException as e:  # noqa: BLE001 - handed to the waiting thread, which raises it
        outcome["error"] = e
