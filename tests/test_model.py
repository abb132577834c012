"""The model test: a generated workspace changes while the scheduled sync runs (edits, additions, trashes,
restores, unshares, reshares, renames, type changes, same-minute edits, changes between the pages of a paginated
read), across many runs; no page is ever marked gone while it exists, and after a last quiet run the copy in
PostgreSQL equals the emulator's state exactly. Then the same with the emulator's faults and rate limits on."""

from __future__ import annotations

import random
import threading
import time

import pytest

from conftest import sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import CREATIVE_TARGETS
from nls_emulator.model import render_page

USER = "model-user"
TOKEN = "secret_model_token"
ROUNDS = 8


class Mutator(threading.Thread):
    """Changes the workspace at random while a sync runs, and remembers when each page was reshared."""

    def __init__(self, ws, gen, rng: random.Random, synced: set[str], reshared: dict[str, float]):
        super().__init__(daemon=True)
        self.ws, self.gen, self.rng, self.synced, self.reshared = ws, gen, rng, synced, reshared
        self.stop = threading.Event()
        self.done: list[str] = []

    def run(self):
        ws, rng = self.ws, self.rng
        while not self.stop.is_set():
            pages = [p for p in ws.pages.values() if ws.data_source_of_page(p) and p["id"] not in ws.hidden]
            page = rng.choice(pages)
            kind = rng.choice(
                [
                    "edit",
                    "edit",
                    "edit",
                    "same_minute",
                    "add",
                    "trash",
                    "restore",
                    "unshare",
                    "reshare",
                    "rename",
                    "retype",
                ]
            )
            title = next(k for k, v in page["properties"].items() if v["type"] == "title")
            ds_id = page["parent"]["data_source_id"]
            if kind == "edit":
                ws.update_page(page["id"], {title: f"edited {rng.random():.6f}"})
            elif kind == "same_minute":  # two edits of one page inside one minute: the second must land too
                ws.update_page(page["id"], {title: "first of two"})
                ws.update_page(page["id"], {title: f"second of two {rng.random():.6f}"})
            elif kind == "add":
                ws.create_page(ds_id, {title: f"added {rng.random():.6f}"})
            elif kind == "trash" and page["id"] in self.synced and not page.get("in_trash"):
                ws.trash_page(page["id"])
            elif kind == "restore":
                trashed = [p for p in ws.pages.values() if p.get("in_trash")]
                if trashed:
                    ws.restore_page(rng.choice(trashed)["id"])
            elif kind == "unshare" and page["id"] in self.synced:
                ws.unshare(page["id"])
            elif kind == "reshare" and ws.hidden:
                pid = rng.choice(sorted(ws.hidden))
                self.reshared[pid] = time.time()
                ws.reshare(pid)
            elif kind == "rename":
                props = [k for k, v in ws.data_sources[ds_id]["properties"].items() if v["type"] == "rich_text"]
                if props:
                    old = rng.choice(props)
                    ws.rename_property(ds_id, old, f"{old.split(' #')[0]} #{rng.randint(1, 999)}")
            elif kind == "retype":
                props = [k for k, v in ws.data_sources[ds_id]["properties"].items() if v["type"] == "number"]
                if props:
                    ws.retype_property(
                        ds_id,
                        props[0],
                        "rich_text",
                        lambda v: (
                            []
                            if v is None
                            else [
                                {
                                    "type": "text",
                                    "text": {"content": str(v), "link": None},
                                    "annotations": {},
                                    "plain_text": str(v),
                                    "href": None,
                                }
                            ]
                        ),
                    )
            self.done.append(kind)
            time.sleep(self.rng.uniform(0.002, 0.02))


def _stored(conn) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT page_id, raw_properties, in_trash, deleted_at IS "
            "NOT NULL, last_edited_time FROM nls.stg_notion_pages "
            "WHERE user_id = %s",
            (USER,),
        )
    }


def _check_never_gone_while_existing(conn, ws, reshared: dict[str, float]):
    for pid, gone_at in conn.execute(
        "SELECT page_id, extract(epoch FROM deleted_at)::float8 FROM nls.stg_notion_pages WHERE deleted_at IS NOT NULL"
    ):
        # marked gone: the page is unshared now, or was reshared only after it was marked
        assert pid in ws.hidden or reshared.get(pid, 0) > gone_at - 1, f"page {pid} marked gone while it existed"


@pytest.mark.parametrize("hostile", [False, True], ids=["quiet_network", "faults_and_rate_limits"])
def test_the_copy_equals_notion_after_many_runs_while_the_workspace_changes(conn, hostile):
    rng = random.Random(61 if hostile else 60)
    with Emulator() as emu:
        gen = emu.add_generated("creative", pages=500, seed=62, token=TOKEN)
        ws = gen.workspace
        use_emulator(conn, emu, read_timeout=2.0)
        conn.execute("SELECT nls.set_setting('max_attempts', '8')")
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        for name in CREATIVE_TARGETS:
            conn.execute("SELECT nls.add_source(%s, %s)", (USER, gen.database_ids[name]))
        assert sync(conn, user_id=USER)["success"]
        if hostile:
            emu.api.rate_limits.enabled = True
            emu.api.rate_limits.token_rate, emu.api.rate_limits.token_burst = 40.0, 10
            emu.api.rate_limits.reset()
            emu.api.faults.set_probabilities(
                {"500": 0.03, "502": 0.02, "503": 0.02, "reset": 0.02, "529": 0.02}, seed=7
            )
        reshared: dict[str, float] = {}
        kinds: list[str] = []
        statuses: list[str] = []
        for round_ in range(ROUNDS):
            synced = {r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages")}
            mutator = Mutator(ws, gen, rng, synced, reshared)
            mutator.start()
            try:
                r = sync(conn, user_id=USER, full_sync=(round_ % 3 == 2))  # a reconciling full read now and then
            finally:
                mutator.stop.set()
                mutator.join()
            kinds += mutator.done
            statuses += [x["status"] for x in r["results"]]
            _check_never_gone_while_existing(conn, ws, reshared)
            # a quiet scheduled (incremental) run: every edit and addition so far is in, none lost to a same-minute
            # edit or a change between the pages of a paginated read
            assert sync(conn, user_id=USER)["success"]
            stored = _stored(conn)
            for page in ws.pages.values():
                if ws.data_source_of_page(page) and page["id"] not in ws.hidden and not page.get("in_trash"):
                    title = next(v for v in page["properties"].values() if v["type"] == "title")
                    assert page["id"] in stored, page["id"]
                    props, _, gone, edited = stored[page["id"]]
                    got = next(v for v in props.values() if v["type"] == "title")
                    assert (got["title"], edited.strftime("%Y-%m-%dT%H:%M:%S.000Z")) == (
                        title["title"],
                        page["last_edited_time"],
                    ), page["id"]
        assert {"edit", "same_minute", "add", "trash", "unshare", "reshare", "rename", "retype"} <= set(kinds)
        if hostile:
            assert emu.api.faults.probabilities and any(e["status"] >= 500 for e in emu.api.log)
        # the last, quiet scheduled run, the daily reconciliation due (ids only, a full read where the schema changed)
        emu.api.faults.clear()
        emu.api.rate_limits.enabled = False
        conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")
        final = sync(conn, user_id=USER)
        assert final["success"] and all(
            x["status"] == "success" and x["sync_type"] == "notion_reconcile" for x in final["results"]
        ), final
        _check_never_gone_while_existing(conn, ws, reshared)

        stored = _stored(conn)
        ours = {p["id"]: p for p in ws.pages.values() if ws.data_source_of_page(p)}
        # every page Notion holds (that a sync could ever have seen) is in the copy, once, with its exact values
        for pid, page in ours.items():
            if pid not in stored:
                # only a page added and then trashed or unshared before any sync saw it can be missing
                assert page.get("in_trash") or pid in ws.hidden, pid
                continue
            props, in_trash, gone, edited = stored[pid]
            if pid in ws.hidden:
                assert gone, f"unshared page {pid} not marked gone"
                continue
            assert not gone, pid
            assert in_trash == bool(page.get("in_trash")), pid
            if not in_trash:
                assert props == render_page(page, "2025-09-03", ws, cut=False)["properties"], pid
        assert set(stored) <= set(ours)
        # and every relation is a row of the edge table
        edges = {
            (r[0], r[1]): r[2]
            for r in conn.execute(
                "SELECT page_id, property_id, array_agg(target_page_id "
                "ORDER BY ordinal) FROM nls.notion_relation_edges "
                "GROUP BY 1, 2"
            )
        }
        for pid, page in ours.items():
            if pid in stored and pid not in ws.hidden and not page.get("in_trash"):
                for prop in page["properties"].values():
                    if prop["type"] == "relation" and prop["relation"]:
                        assert edges[(pid, prop["id"])] == [x["id"] for x in prop["relation"]], pid
        print(
            f"{len(kinds)} changes over {ROUNDS} runs ({', '.join(sorted(set(kinds)))}); run statuses "
            f"{sorted(set(statuses))}; {len(stored)} pages stored"
        )
