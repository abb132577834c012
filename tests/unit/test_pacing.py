"""Client-side pacing (nls_engine.pacing.Pacer) on a clock that moves only when the pacer sleeps."""
from __future__ import annotations

import pytest

from fakes import FakeClock
from nls_engine.client import RunDeadline
from nls_engine.pacing import Pacer


def pacer(clock, rate=3.0, workspace_rate=100.0, burst=3.0, share=(1, 1), refresh_s=0.5, holds=None):
    return Pacer(lambda: (*share, False), rate, workspace_rate, burst, refresh_s=refresh_s, clock=clock,
                 sleep=clock.sleep, holds=holds)


def test_a_new_pacer_sends_one_request_at_once_then_follows_the_rate():
    clock = FakeClock()
    p = pacer(clock)
    for _ in range(7):
        p.wait(None)
    # not the whole burst at once: syncs that start together must not each spend the token's burst
    assert clock.slept == pytest.approx([1 / 3] * 6) and p.waited_s == pytest.approx(2.0)


def test_the_rate_is_shared_among_the_syncs_of_one_token():
    clock = FakeClock()
    p = pacer(clock, rate=4.0, burst=4.0, share=(2, 2))
    for _ in range(6):
        p.wait(None)
    # two syncs of one token: each gets 2 requests a second
    assert clock.slept == pytest.approx([0.5] * 5)


def test_the_workspace_budget_caps_the_rate_when_it_is_tighter():
    clock = FakeClock()
    p = pacer(clock, rate=10.0, workspace_rate=2.0, burst=1.0, share=(1, 4))
    p.wait(None)
    p.wait(None)
    assert clock.slept == pytest.approx([2.0])   # 2 requests/s for four syncs of the workspace: one every 2 s


def test_a_pause_past_the_deadline_raises_instead_of_sleeping():
    clock = FakeClock()
    p = pacer(clock, rate=1.0, burst=1.0)
    p.wait(None)
    with pytest.raises(RunDeadline):
        p.wait(clock.now + 0.5)
    assert clock.slept == []


def test_idle_time_refills_the_bucket_up_to_the_burst_only():
    clock = FakeClock()
    p = pacer(clock, rate=2.0, burst=2.0)
    p.wait(None)
    p.wait(None)
    clock.now += 60   # a minute idle: the burst (2), not 120 requests' worth
    for _ in range(3):
        p.wait(None)
    assert clock.slept == pytest.approx([0.5, 0.5])


def test_configure_for_a_new_run_keeps_the_bucket_and_rereads_the_share():
    clock = FakeClock()
    p = pacer(clock, rate=1.0, burst=1.0)
    p.wait(None)
    shares = []
    p.configure(lambda: shares.append(1) or (1, 1, False), 1.0, 100.0, 1.0)
    p.wait(None)
    assert shares == [1] and clock.slept == pytest.approx([1.0]) and p.waited_s == pytest.approx(1.0)


class Holds:
    def __init__(self, free=True):
        self.free, self.calls = free, []

    def take(self, scope):
        self.calls.append(("take", scope))
        return self.free

    def release(self, scope):
        self.calls.append(("release", scope))


def test_a_429_halves_the_pace_holds_the_budget_while_waiting_and_comes_back_slowly():
    clock, holds = FakeClock(), Holds()
    p = pacer(clock, rate=2.0, burst=1.0, holds=holds)
    p.wait(None)
    p.throttled(3.0, "workspace", None)
    assert holds.calls == [("take", "workspace"), ("release", "workspace")] and clock.slept == [3.0]
    assert p.factor == 0.5
    p.wait(None)
    p.wait(None)
    assert clock.slept[-1] == pytest.approx(1.0)   # 2 requests a second, halved
    for _ in range(10):
        p.succeeded()
    assert p.factor == pytest.approx(0.7)


def test_a_backend_waits_while_another_holds_the_budget_and_gives_up_at_the_deadline():
    clock = FakeClock()
    held = iter([True, True, False])
    p = Pacer(lambda: (1, 1, next(held)), 100.0, 100.0, 1.0, clock=clock, sleep=clock.sleep)
    p.wait(None)
    assert clock.slept == [0.25, 0.25]
    p2 = Pacer(lambda: (1, 1, True), 100.0, 100.0, 1.0, clock=clock, sleep=clock.sleep)
    with pytest.raises(RunDeadline, match="429"):
        p2.wait(clock.now + 1.0)


def test_when_another_backend_already_holds_the_budget_this_one_waits_without_releasing_it():
    clock, holds = FakeClock(), Holds(free=False)
    p = pacer(clock, holds=holds)
    p.throttled(2.0, "token", None)
    assert holds.calls == [("take", "token")] and clock.slept == [2.0]
