"""Client-side pacing (nls_engine.pacing.Pacer) on a clock that moves only when the pacer sleeps."""
from __future__ import annotations

import pytest

from fakes import FakeClock
from nls_engine.client import RunDeadline
from nls_engine.pacing import Pacer


def pacer(clock, rate=3.0, workspace_rate=100.0, burst=3.0, share=(1, 1), refresh_s=0.5):
    return Pacer(lambda: share, rate, workspace_rate, burst, refresh_s=refresh_s, clock=clock, sleep=clock.sleep)


def test_a_burst_goes_at_once_then_requests_follow_the_rate():
    clock = FakeClock()
    p = pacer(clock)
    for _ in range(3):
        p.wait(None)
    assert clock.slept == []
    for _ in range(6):
        p.wait(None)
    assert clock.slept == pytest.approx([1 / 3] * 6) and p.waited_s == pytest.approx(2.0)


def test_the_rate_is_shared_among_the_syncs_of_one_token():
    clock = FakeClock()
    p = pacer(clock, rate=4.0, burst=4.0, share=(2, 2))
    for _ in range(2 + 4):
        p.wait(None)
    # two syncs of one token: each gets 2 requests a second and a burst of 2
    assert clock.slept == pytest.approx([0.5] * 4)


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
    clock.now += 60   # a minute idle
    for _ in range(3):
        p.wait(None)
    assert clock.slept == pytest.approx([0.5])


def test_configure_for_a_new_run_keeps_the_bucket_and_rereads_the_share():
    clock = FakeClock()
    p = pacer(clock, rate=1.0, burst=1.0)
    p.wait(None)
    shares = []
    p.configure(lambda: shares.append(1) or (1, 1), 1.0, 100.0, 1.0)
    p.wait(None)
    assert shares == [1] and clock.slept == pytest.approx([1.0]) and p.waited_s == pytest.approx(1.0)
