"""The request budget's decisions in the engine (nls_engine.integration.Budget) between the window budgets and the
pacing every backend shares, over a store that answers from a script, on a clock that moves only when the pacer
sleeps: a window spent waits for its end, a window budget lifts the pacing of its scope, a rate limit's burst is
paced, a 429 teaches the scope it names."""

from __future__ import annotations

from types import SimpleNamespace

from fakes import FakeClock, stand_in
from nls_engine.integration import UNPACED, Budget
from nls_engine.notion.pacing import Pacer

SETTINGS = SimpleNamespace(
    rate_limit_per_s=3.0,
    workspace_rate_limit_per_s=3.0,
    rate_limit_burst=3.0,
    rate_limit_window_s=60.0,
    rate_limit_model="window",
)


class Store:
    """``take_window`` answers from ``windows`` ({scope: [(wait_s, budget, paced), ...]}, the last one repeated);
    ``take_budget`` and ``learn_window`` record their calls."""

    def __init__(self, windows: dict, learned: int = 25):
        self.windows, self.learned = windows, learned
        self.asked: list[tuple] = []
        self.paced: list[tuple] = []
        self.learns: list[tuple] = []
        self.holds: list[tuple] = []

    def take_window(self, kind, key, window_s, default):
        self.asked.append((kind, key, window_s, default))
        answers = self.windows[kind]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def take_budget(self, user_id, workspace_id, rate, workspace_rate, burst):
        self.paced.append((rate, workspace_rate, burst))
        return 0.0, True

    def learn_window(self, kind, key, retry_after_s, window_s):
        self.learns.append((kind, key, retry_after_s, window_s))
        return self.learned

    def hold_budget(self, kind, key, seconds, rate, burst):
        self.holds.append((kind, key, seconds, rate, burst))
        return True


def test_until_a_budget_is_learned_each_scope_asks_its_window_with_3_a_second_times_the_window():
    store = Store({"token": [(0.0, 180, False)], "workspace": [(0.0, 180, False)]})
    Pacer(Budget(stand_in(store), "ann", "ws-1", stand_in(SETTINGS))).wait(None)
    assert store.asked == [("token", "ann", 60.0, 180), ("workspace", "ws-1", 60.0, 180)]
    assert store.paced == [(UNPACED, UNPACED, 3.0)]  # both in window budgets: spent in a burst


def test_a_spent_window_waits_for_its_end_then_the_request_goes():
    clock = FakeClock()
    store = Store({"token": [(12.5, 25, False), (0.0, 25, False)], "workspace": [(0.0, 180, False)]})
    Pacer(Budget(stand_in(store), "ann", "ws-1", stand_in(SETTINGS)), clock=clock, sleep=clock.sleep).wait(None)
    assert clock.slept == [12.5]
    assert [a[0] for a in store.asked] == ["token", "token", "workspace"]  # the workspace only once the token may


def test_a_rate_limit_is_paced_at_the_settings_rate_with_the_burst_its_429_showed():
    store = Store({"token": [(0.0, 9, True)], "workspace": [(0.0, 0, True)]})
    Pacer(Budget(stand_in(store), "ann", "ws-1", stand_in(SETTINGS))).wait(None)
    assert store.paced == [(3.0, 3.0, 10.0)]


def test_a_workspace_not_known_yet_has_no_window_and_is_paced():
    store = Store({"token": [(0.0, 180, False)]})
    Pacer(Budget(stand_in(store), "ann", None, stand_in(SETTINGS))).wait(None)
    assert [a[0] for a in store.asked] == ["token"] and store.paced == [(UNPACED, 3.0, 3.0)]


def test_a_429_teaches_the_scope_it_names():
    store = Store({"token": [(0.0, 180, False)], "workspace": [(0.0, 180, False)]}, learned=40)
    budget = Budget(stand_in(store), "ann", "ws-1", stand_in(SETTINGS))
    pacer = Pacer(budget)
    pacer.wait(None)
    pacer.throttled(38.0, "workspace", None)
    assert budget.known == {"token": 180, "workspace": 40}
    store.learned = -9  # the token's limit turned out a rate that let 9 through at once
    pacer.throttled(2.0, "token", None)
    assert store.learns == [("workspace", "ws-1", 38.0, 60.0), ("token", "ann", 2.0, 60.0)]
    assert budget.known == {"token": 0, "workspace": 40} and budget.paced == {"token": True, "workspace": False}
    # held as the next request takes it: a window budget unpaced, a rate at its rate with the burst it showed
    assert store.holds == [("workspace", "ws-1", 38.0, UNPACED, 3.0), ("token", "ann", 2.0, 3.0, 10.0)]


def test_with_the_rate_model_only_the_pacing_is_asked_and_a_429_teaches_nothing():
    store = Store({"token": [(0.0, 180, False)], "workspace": [(0.0, 180, False)]})
    rate_model = stand_in(SimpleNamespace(**{**vars(SETTINGS), "rate_limit_model": "rate"}))
    pacer = Pacer(Budget(stand_in(store), "ann", "ws-1", rate_model))
    pacer.wait(None)
    pacer.throttled(5.0, "token", None)
    assert store.asked == [] and store.learns == [] and store.paced == [(3.0, 3.0, 3.0)]
