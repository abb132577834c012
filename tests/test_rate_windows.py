"""Notion's request limits as stated now, against the emulator's window budgets: a token's budget per window spent
in bursts once learned, at most one 429 per window across the backends that share the token, and the workspace's
limit (its reason) held for every token of the workspace."""

from __future__ import annotations

from conftest import use_emulator
from test_reliability import Background

WINDOW_S = 5


def _windows(conn, emu, token: str, token_budget: int, workspace_budget: int, workspace_window_s: float):
    emu.api.rate_limits.set(
        {
            "enabled": True,
            "mode": "window",
            "token_budget": token_budget,
            "window_s": WINDOW_S,
            "workspace_budget": workspace_budget,
            "workspace_window_s": workspace_window_s,
        }
    )
    gen = emu.add_generated("creative", pages=3000, seed=12, token=token)
    use_emulator(conn, emu, paced=True)  # nls's defaults: 3 a second times the window, in bursts, until learned
    conn.execute("SELECT nls.set_setting('rate_limit_window_s', %s)", (str(WINDOW_S),))
    conn.execute("SELECT nls.add_integration('duo', %s, workspace_id => %s)", (token, gen.workspace.id))
    dbs = [gen.database_ids[n] for n in ("Characters", "Chat Sessions")]
    for db in dbs:
        conn.execute("SELECT nls.add_source('duo', %s)", (db,))
    emu.api.rate_limits.reset()
    emu.api.reset_log()
    return gen, dbs


def _both(conn, dbs) -> None:
    """The two sources synced at once, each by a backend of its own (sharing the token and the workspace)."""
    for _ in range(4):  # more syncs of each: the budget learned is spent from the first request on
        runs = [Background(conn, "SELECT nls.sync_notion(database_id => %s, full_sync => true)", (db,)) for db in dbs]
        for run in runs:
            run.wait(300)
            assert run.error is None, run.error


def test_two_backends_sharing_a_token_learn_its_window_budget_and_meet_at_most_one_429_a_window(conn, fresh_emulator):
    emu = fresh_emulator
    _, dbs = _windows(conn, emu, "tok-window", token_budget=25, workspace_budget=100000, workspace_window_s=60)
    _both(conn, dbs)
    window = emu.api.rate_limits.window("token", "tok-window")
    refused = [r for r in emu.api.log if r["status"] == 429]
    assert refused and all(r["status"] == 429 for r in refused)
    # the window Notion refused in first can hold the 429s of both backends' requests in flight; after it, one
    first = next(i for i, n in enumerate(window.refused) if n)
    assert window.refused[first] <= 2 and max(window.refused[first + 1 :], default=0) <= 1, window.refused
    assert sum(window.refused[first + 1 :]) <= 2, window.refused  # once learned, the budget is met, not passed
    # bursts: after the learning, windows are spent whole (more than 3 requests a second would give)
    assert max(window.refused) >= 1 and len(window.refused) < len(emu.api.log) / 15 + 2


def test_the_workspace_limit_named_in_a_429_holds_the_workspace(conn, fresh_emulator):
    emu = fresh_emulator
    _, dbs = _windows(conn, emu, "tok-ws", token_budget=100000, workspace_budget=20, workspace_window_s=WINDOW_S)
    conn.execute("SELECT nls.set_setting('rate_limit_per_s', '1000')")  # the token's own limit is far away
    _both(conn, dbs)
    window = emu.api.rate_limits.window("workspace", emu.api.integrations["tok-ws"].workspace.id)
    assert sum(window.refused) >= 1, window.refused
    first = next(i for i, n in enumerate(window.refused) if n)
    assert window.refused[first] <= 2 and max(window.refused[first + 1 :], default=0) <= 1, window.refused
    log = conn.execute("SELECT details FROM nls.sync_log WHERE status = 'completed'").fetchall()
    assert len(log) == 8
