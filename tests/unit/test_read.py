"""The paged read of one data source (nls_engine.read.paged) against a stand-in that answers as Notion does: paging,
de-duplication, the 10,000-row cap (here a smaller one) and its created_time windows, and the stale-cursor guard."""

from __future__ import annotations

import time

from fakes import FakeNotion, iso, page
from nls_engine.read.paged import DataSourceRead, query_body
from nls_engine.report import RunReport


def read(notion, since=None, property_ids=None, clock=None):
    report = RunReport("notion_full")
    ds = report.data_source("ds", "Cards", "full")
    batches: list[tuple[list[str], bool]] = []
    reader = DataSourceRead(
        notion,
        "ds",
        ds,
        report,
        property_ids=property_ids,
        clock=clock or (lambda: time.gmtime(1767225600 + 10_000 * 60)),
    )
    outcome = reader.run(since, lambda batch, in_order: batches.append(([p["id"] for p in batch], in_order)))
    return outcome, batches, report, ds


def test_a_whole_read_hands_every_row_on_once_in_edit_order():
    pages = [page(n, edited=n % 17, created=0) for n in range(1, 251)]
    outcome, batches, report, ds = read(FakeNotion(pages))
    ids = [i for b, _ in batches for i in b]
    assert sorted(ids) == sorted(p["id"] for p in pages) and len(ids) == 250
    assert [len(b) for b, _ in batches] == [100, 100, 50] and all(in_order for _, in_order in batches)
    assert outcome.complete and outcome.upto == iso(16) and ds.pages == 250 and not report.limits


def test_an_incremental_read_asks_only_for_rows_edited_since_the_watermark():
    notion = FakeNotion([page(n, edited=n) for n in range(1, 11)])
    outcome, batches, _, _ = read(notion, since=iso(7))
    assert notion.bodies[0]["filter"] == {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": iso(7)}}
    assert len(batches[0][0]) == 4 and outcome.upto == iso(10)


def test_a_row_edited_during_the_read_comes_again_and_counts_again():
    pages = [page(n, edited=1) for n in range(1, 201)]
    notion = FakeNotion(pages)
    first = pages[0]["id"]
    notion.between = lambda answer: notion.edit(first, 5) if answer == 1 else None
    outcome, batches, _, _ = read(notion)
    ids = [i for b, _ in batches for i in b]
    assert ids.count(first) == 2 and outcome.seen[first] == iso(5) and len(outcome.seen) == 200


def test_past_the_cap_the_rest_comes_in_created_time_windows_each_row_once():
    pages = [page(n, edited=1000 + n, created=n) for n in range(1, 351)]
    outcome, batches, report, ds = read(FakeNotion(pages, cap=100))
    ids = [i for b, _ in batches for i in b]
    assert len(ids) == 350 and len(set(ids)) == 350
    assert outcome.complete and ds.windows >= 3 and not report.limits
    # the first query follows last_edited_time; the windows follow created_time and are not in edit order
    assert batches[0][1] is True and all(not in_order for _, in_order in batches[1:])


def test_a_windowed_read_keeps_its_watermark_at_the_minute_the_windows_began():
    pages = [page(n, edited=20_000 + n, created=n) for n in range(1, 151)]
    began = time.gmtime(1767225600 + 15_000 * 60)
    outcome, _, _, _ = read(FakeNotion(pages, cap=100), clock=lambda: began)
    assert outcome.complete and outcome.upto == time.strftime("%Y-%m-%dT%H:%M:00.000Z", began)


def test_the_window_body_filters_by_edit_and_creation_time():
    body = query_body("created_time", iso(3), iso(2))
    assert body["sorts"] == [{"timestamp": "created_time", "direction": "ascending"}]
    assert body["filter"] == {
        "and": [
            {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": iso(3)}},
            {"timestamp": "created_time", "created_time": {"on_or_after": iso(2)}},
        ]
    }
    assert "filter" not in query_body("last_edited_time", None, None)


def test_more_rows_than_the_cap_created_in_one_minute_end_the_read_incomplete():
    pages = [page(n, edited=50 + n, created=7) for n in range(1, 251)]
    outcome, _, report, _ = read(FakeNotion(pages, cap=100))
    assert not outcome.complete and outcome.upto is None
    assert [x["limit"] for x in report.limits] == ["query_result_limit"]


class Stuck:
    """A data source whose cursor keeps handing back the same answer."""

    def __init__(self):
        self.answers = 0

    def query(self, ds_id, body, property_ids=None):
        rows = [page(n, edited=1) for n in range(1, 4)]
        while True:
            self.answers += 1
            yield {"results": rows, "has_more": True, "next_cursor": "same"}


def test_a_cursor_that_stops_advancing_ends_the_read_instead_of_looping():
    stuck = Stuck()
    outcome, batches, report, _ = read(stuck)
    assert not outcome.complete and len(batches) == 1 and stuck.answers == 4
    assert report.limits == [{"limit": "cursor_not_advancing", "data_source_id": "ds", "pages_without_new_rows": 3}]


def test_a_bulk_import_in_one_minute_re_read_at_a_window_start_is_not_a_stuck_cursor():
    # 300 rows created in the same two minutes: each window re-reads the rows of the minute it starts at
    pages = [page(n, edited=100 + n, created=n // 150) for n in range(1, 301)]
    outcome, _, report, _ = read(FakeNotion(pages, cap=160, page_size=10))
    assert outcome.complete and len(outcome.seen) == 300 and not report.limits


def test_property_ids_are_sent_as_filter_properties():
    notion = FakeNotion([page(1, edited=1)])
    read(notion, property_ids=["title", "a%3Bb"])
    assert notion.property_ids == [["title", "a%3Bb"]]


def test_a_refused_cursor_begins_the_query_again_from_the_last_row_losing_none_and_handing_none_on_twice():
    pages = [page(n, edited=n // 3, created=n) for n in range(1, 1051)]
    notion = FakeNotion(pages, refuse_every=5)
    outcome, batches, report, ds = read(notion)
    ids = [i for b, _ in batches for i in b]
    assert len(ids) == 1050 and set(ids) == {p["id"] for p in pages}
    assert outcome.complete and outcome.upto == iso(350) and not report.limits
    assert ds.cursor_restarts == report.counts["cursor_restarts"] >= 2 and ds.as_details()["cursor_restarts"]
    # each restart asks again from the minute of the last row read, without a cursor
    assert notion.bodies[1]["filter"]["last_edited_time"]["on_or_after"] == iso(500 // 3)


def test_a_refused_cursor_in_a_created_time_window_begins_that_window_again():
    pages = [page(n, edited=1000 + n, created=n) for n in range(1, 651)]
    outcome, batches, _report, ds = read(FakeNotion(pages, cap=300, refuse_every=4))
    ids = [i for b, _ in batches for i in b]
    assert len(ids) == 650 and len(set(ids)) == 650 and outcome.complete and ds.cursor_restarts >= 1


def test_restarts_that_bring_no_new_row_end_the_read_incomplete_and_say_why():
    pages = [page(n, edited=1, created=1) for n in range(1, 701)]  # one minute: a restart reads it from its start
    outcome, _, report, _ = read(FakeNotion(pages, refuse_every=5))
    assert not outcome.complete and [x["limit"] for x in report.limits] == ["cursor_refused"]
