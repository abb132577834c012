"""scripts/samples.py without PostgreSQL: finding the marked sample blocks of a markdown file, their queries, the
block written from psql's answers, and what counts as a difference from a run (a count does; a uuid made anew,
a time, a port or psql's padding does not). tests/test_readme_samples.py runs it for real."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import samples

STABLE = "8afd2973-f863-4958-8e75-f4ba60d6c766"
DOC = f"""# A page

Some prose.

<!-- sample: trash -->
```
nls_demo=# CALL nls.sync_all_users_notion_databases();
CALL
nls_demo=# SELECT page_id, in_trash
nls_demo-#   FROM nls.stg_notion_pages WHERE page_id = '{STABLE}';  -- the trashed card
 stale output
```

```
nls_demo=# SELECT 'an unmarked block is left alone';
```
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text)
    return path


def test_a_marked_block_is_found_with_its_steps(tmp_path):
    [sample] = samples.find_samples([_write(tmp_path, DOC)])
    assert sample.name == "trash"
    assert sample.steps == [
        ("sql", "CALL nls.sync_all_users_notion_databases();"),
        (
            "sql",
            f"SELECT page_id, in_trash\n  FROM nls.stg_notion_pages WHERE page_id = '{STABLE}';  -- the trashed card",
        ),
    ]
    assert DOC[sample.start : sample.end] == sample.body and sample.body.endswith(" stale output\n")


def test_a_shell_line_is_a_step_of_its_own(tmp_path):
    doc = (
        "<!-- sample: export -->\n```\n$ nls export sqlite --user demo-user demo.db\ndemo.db: full export\n"
        "nls_demo=# SELECT 1;\n```\n"
    )
    [sample] = samples.find_samples([_write(tmp_path, doc)])
    assert sample.steps == [("sh", "nls export sqlite --user demo-user demo.db"), ("sql", "SELECT 1;")]
    assert samples.render(sample, ["demo.db: written", " ?column?"]) == (
        "$ nls export sqlite --user demo-user demo.db\ndemo.db: written\nnls_demo=# SELECT 1;\n ?column?\n"
    )


def test_a_block_of_an_unknown_scene_or_without_a_query_is_refused(tmp_path):
    with pytest.raises(samples.SampleError, match="sample nonesuch: no such scene"):
        samples.find_samples([_write(tmp_path, DOC.replace("sample: trash", "sample: nonesuch"))])
    with pytest.raises(samples.SampleError, match="no line starts with"):
        samples.find_samples([_write(tmp_path, "<!-- sample: trash -->\n```\njust text\n```\n")])


def test_a_query_without_its_semicolon_is_refused_before_psql_runs():
    with pytest.raises(samples.SampleError, match="does not end with ';'"):
        samples.psql_session("host=/nonexistent", ["SELECT 1  -- a comment; not the end"], "page.md: sample x")


def test_the_block_is_written_from_the_answers_under_its_queries(tmp_path):
    [sample] = samples.find_samples([_write(tmp_path, DOC)])
    answer = f"               page_id                | in_trash\n{'-' * 38}+{'-' * 10}\n {STABLE} | t\n(1 row)"
    body = samples.render(sample, ["CALL", answer])
    assert body == (
        "nls_demo=# CALL nls.sync_all_users_notion_databases();\nCALL\n"
        "nls_demo=# SELECT page_id, in_trash\n"
        f"nls_demo-#   FROM nls.stg_notion_pages WHERE page_id = '{STABLE}';  -- the trashed card\n"
        f"{answer}\n"
    )
    assert "stale output" not in body


def test_what_varies_between_runs_is_no_difference_but_a_count_or_a_stable_id_is():
    old = (
        f" a0b1c2d3-0000-4000-8000-000000000001 | {STABLE} | 127.0.0.1:50547 | 2026-11-30T11:48:07.340Z |  3\n"
        " NLS-48F54C3C0211 | 2026-11-30 11:50:00+00 | 10:48:46 | host=127.0.0.1 port=60325"
    )
    new = (
        f" 9f8e7d6c-1111-4222-8333-444455556666 | {STABLE} | 127.0.0.1:41000 | 2026-12-04T03:02:22.736Z |  3\n"
        " NLS-0123456789AB | 2026-12-04 03:04:00+00 | 03:04:00 | host=127.0.0.1 port=39281"
    )
    stable = {STABLE}
    assert samples.comparable(old, stable) == samples.comparable(new, stable)
    assert samples.comparable(old, stable) == samples.comparable(old.replace("|  3", "|    3"), stable)  # padding
    assert samples.comparable(old, stable) != samples.comparable(old.replace("|  3", "|  4"), stable)
    other_card = old.replace(STABLE, "71267943-96e8-4022-b58a-ceea78e1f2b1")
    assert samples.comparable(old, stable) != samples.comparable(other_card, stable)
    assert samples.comparable("written, 0.21 s", stable) == samples.comparable("written, 12.50 s", stable)


def test_the_checkouts_markdown_files_include_the_readme_and_docs_but_no_hidden_folder():
    files = [p.relative_to(samples.ROOT) for p in samples.markdown_files()]
    assert Path("README.md") in files and any(p.parts[0] == "docs" for p in files)
    assert not any(part.startswith(".") for p in files for part in p.parts)


def test_every_scene_has_a_sample_in_the_checkout():
    """A block moved to another page keeps its marker: each scene of scripts/samples.py still shows somewhere."""
    found: dict[str, list] = {}
    for sample in samples.find_samples(samples.markdown_files()):
        found.setdefault(sample.name, []).append(sample.where())
    assert sorted(found) == sorted(samples.SCENES)
