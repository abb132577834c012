"""Client-side pacing (nls_engine.notion.pacing.Pacer) over a stand-in for the budget every backend shares, on a
clock that moves only when the pacer sleeps."""

from __future__ import annotations

import pytest

from fakes import FakeClock
from nls_engine.notion.client import RunDeadline
from nls_engine.notion.pacing import Pacer


class Budget:
    """Answers ``take`` from a script of (seconds, reserved); records holds. ``held`` is what ``hold`` answers."""

    def __init__(self, answers=(), held=True):
        self.answers, self.held, self.holds, self.takes = list(answers), held, [], 0

    def take(self):
        self.takes += 1
        return self.answers.pop(0) if self.answers else (0.0, True)

    def hold(self, scope, seconds):
        self.holds.append((scope, seconds))
        return self.held


def test_each_request_waits_as_long_as_the_shared_budget_says():
    clock = FakeClock()
    p = Pacer(Budget([(0.0, True), (0.5, True), (1.5, True)]), clock=clock, sleep=clock.sleep)
    for _ in range(3):
        p.wait(None)
    assert clock.slept == [0.5, 1.5] and p.waited_s == pytest.approx(2.0)


def test_a_budget_with_no_free_register_is_asked_again_after_its_wait():
    clock, budget = FakeClock(), Budget([(0.2, False), (0.3, True)])
    p = Pacer(budget, clock=clock, sleep=clock.sleep)
    p.wait(None)
    assert budget.takes == 2 and clock.slept == [0.2, 0.3]


def test_a_wait_past_the_deadline_raises_instead_of_sleeping():
    clock = FakeClock()
    p = Pacer(Budget([(5.0, True)]), clock=clock, sleep=clock.sleep)
    with pytest.raises(RunDeadline, match="deadline"):
        p.wait(clock.now + 1.0)
    assert clock.slept == []


def test_a_429_holds_the_budget_of_its_scope_for_every_backend():
    clock, budget = FakeClock(), Budget()
    p = Pacer(budget, clock=clock, sleep=clock.sleep)
    p.throttled(3.0, "workspace", None)
    p.wait(None)  # the budget itself makes the next request wait
    assert budget.holds == [("workspace", 3.0)] and clock.slept == []


def test_a_429_the_budget_could_not_note_is_waited_out_by_this_backend():
    clock, budget = FakeClock(), Budget(held=False)
    p = Pacer(budget, clock=clock, sleep=clock.sleep)
    p.throttled(2.0, "token", None)
    p.wait(None)
    assert clock.slept == [2.0] and p.waited_s == 2.0


def test_a_retry_after_past_the_deadline_raises_at_once():
    clock, budget = FakeClock(), Budget()
    p = Pacer(budget, clock=clock, sleep=clock.sleep)
    with pytest.raises(RunDeadline, match="429"):
        p.throttled(10.0, "token", clock.now + 1.0)
    assert budget.holds == [] and clock.slept == []
