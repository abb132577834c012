"""The schedule with many users: ten users, two of them in one workspace, the emulator's rate limits on;
worker procedures run side by side as nls_cron (what pg_cron's worker jobs do). One round syncs every user once,
no token or workspace goes over its rate, and the wall time is near the slowest user's, far from the sum."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any

import psycopg

from conftest import use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import CREATIVE_TARGETS

RATE = 5.0  # requests a second per token, and per workspace (nls's settings and the emulator's limits)
WORKERS = 5


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_ten_users_sync_side_by_side_under_their_rate_limits(conn):
    with Emulator() as emu:
        limits = emu.api.rate_limits
        limits.enabled = True
        limits.token_rate, limits.token_burst = RATE, 5
        limits.workspace_rate, limits.workspace_burst = RATE, 6
        limits.reset()
        use_emulator(conn, emu, paced=True)
        # the older statement of Notion's limits (a rate): paced from the first request on, never above
        conn.execute("SELECT nls.set_setting('rate_limit_model', 'rate')")
        for name, value in (("rate_limit_per_s", RATE), ("workspace_rate_limit_per_s", RATE), ("rate_limit_burst", 3)):
            conn.execute("SELECT nls.set_setting(%s, %s)", (name, str(value)))
        users = [f"user-{i:02d}" for i in range(10)]
        gens: dict[str, Any] = {}
        for i, user in enumerate(users):
            token = f"secret_{user}"
            if i == 1:  # user-00 and user-01: two people of one workspace, each with their own token
                gens[user] = gens[users[0]]
                emu.api.add_integration(token, gens[user].workspace)
            else:
                gens[user] = emu.add_generated("creative", pages=40, seed=100 + i, token=token)
            # the OAuth answer names the workspace; apps store it with the token
            conn.execute(
                "SELECT nls.add_integration(%s, %s, workspace_id => %s)", (user, token, gens[user].workspace.id)
            )
            for name, target in CREATIVE_TARGETS.items():
                conn.execute(
                    "SELECT nls.add_source(%s, %s, %s, with_content => %s)",
                    (user, gens[user].database_ids[name], target, name == "Chat Sessions"),
                )
        emu.api.reset_log()

        errors: list[BaseException] = []

        def worker():
            info = conn.info
            try:
                with psycopg.connect(
                    host=info.host, port=info.port, user="nls_cron", dbname=info.dbname, autocommit=True
                ) as c:
                    c.execute("CALL nls.sync_all_users_notion_databases()")
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        assert errors == []

    # every user synced once, completely, in one round
    rounds = conn.execute("SELECT round, user_id, status, claimed_by FROM nls.sync_rounds").fetchall()
    assert len({r[0] for r in rounds}) == 1
    assert sorted(r[1] for r in rounds) == users and {r[2] for r in rounds} == {"completed"}, rounds
    assert len({r[3] for r in rounds}) > 1  # shared among the workers
    for user in users:
        got = conn.execute("SELECT count(*) FROM nls.stg_notion_pages WHERE user_id = %s", (user,)).fetchone()[0]
        assert got == sum(len(gens[user].page_ids[n]) for n in CREATIVE_TARGETS), user
        # the runs of the user's four sources (and the user's trash listing, a row without a source)
        runs = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'completed') FROM nls.sync_log "
            "WHERE user_id = %s AND sync_type LIKE 'notion_%%' AND source_id IS NOT NULL",
            (user,),
        ).fetchone()
        assert runs == (4, 4), user
    # nobody went over a limit: Notion (the emulator) never answered 429, and no token or workspace sent more in
    # any second than its rate allows (plus the burst)
    log = emu.api.log
    limited = [(e["token"], e["endpoint"], round(e["at"] - log[0]["at"], 2)) for e in log if e["status"] == 429]
    assert limited == [], limited
    by_token, by_workspace = defaultdict(list), defaultdict(list)
    workspace_of = {f"secret_{u}": gens[u].workspace.id for u in users}
    for e in log:
        by_token[e["token"]].append(e["at"])
        by_workspace[workspace_of[e["token"]]].append(e["at"])
    assert len(by_token) == 10 and len(by_workspace) == 9
    for times in list(by_token.values()) + list(by_workspace.values()):
        assert _max_in_window(times, 2.0) <= 2 * RATE + 6
    # side by side: the wall time is near the slowest user's time, far from the sum of all users' times
    spans = dict(
        conn.execute(
            "SELECT user_id, extract(epoch FROM max(completed_at) - min(started_at))::float8 "
            "FROM nls.sync_log WHERE sync_type LIKE 'notion_%' GROUP BY user_id"
        ).fetchall()
    )
    slowest, total = max(spans.values()), sum(spans.values())
    print(f"wall {wall:.1f} s, slowest user {slowest:.1f} s, sum of users {total:.1f} s, requests {len(log)}")
    assert total > 3 * slowest  # the users' work really is rate-bound and spread out
    assert abs(wall - slowest) < abs(total - wall)
    assert wall < total / 2
