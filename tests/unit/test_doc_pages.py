"""The README and docs/ as a newcomer meets them, without PostgreSQL: the README within 20 KB with every page of docs/
in its index, every relative link of the README, CONTRIBUTING.md and docs/ leading to a file and heading that exist,
product text that speaks of the product (no issue or seed numbers, no story of the team's work), and the markdown
scripts/docs.py writes (escaped, wrapped, a generated part replaced and nothing else). tests/test_docs.py checks the
generated parts against a real install."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from fakes import stand_in

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import docs  # noqa: E402 - after the sys.path line that finds scripts/

README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
LINKED = [README, ROOT / "CONTRIBUTING.md", *PAGES]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HISTORY = re.compile(r"\b(issues?) [0-9]+\b|\bseed 00[0-9]\b|\bseeds?/|\bother engineer|\bengineer's work", re.I)


def _prose(path: Path) -> str:
    """The markdown of ``path`` without its fenced blocks and code spans (where a link is no link)."""
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def _anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of ``path`` (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    out = set()
    for heading in re.findall(
        r"^#{1,6} (.+)$", re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S), flags=re.M
    ):
        slug = docs.anchor(heading.replace("`", ""))
        out.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return out


def test_the_readme_is_at_most_20_kb():
    assert len(README.read_bytes()) <= 20_000, "the README is for a first read: move a topic into docs/"


def test_the_readmes_index_links_every_page_of_docs():
    linked = {(README.parent / target.split("#")[0]).resolve() for target in LINK.findall(_prose(README))}
    assert [p.name for p in PAGES if p.resolve() not in linked] == []


@pytest.mark.parametrize("page", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in LINK.findall(_prose(page)):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, fragment = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        if not path.exists() or (fragment and path.suffix == ".md" and fragment not in _anchors(path)):
            broken.append(target)
    assert broken == []


PRODUCT_TEXT = [
    README,
    ROOT / "CONTRIBUTING.md",
    *PAGES,
    *sorted((ROOT / "sql").glob("*.sql")),
    ROOT / "plpython" / "functions.sql",
]


@pytest.mark.parametrize("path", PRODUCT_TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_product_text_tells_no_history_of_the_project(path):
    found = [line.strip() for line in path.read_text().splitlines() if HISTORY.search(line)]
    assert found == []


def test_comment_text_becomes_one_escaped_paragraph_with_its_names_as_links():
    text = docs.prose(
        "Returns {\"items_*\"} of nls.sync_log and\nnls.sync_status, `nls webhooks serve` <path>; see "
        "nls._take_budget.",
        names={"sync_status"},
    )
    assert " ".join(text.splitlines()) == (
        'Returns {"items\\_\\*"} of `nls.sync_log` and [`nls.sync_status`](#nlssync_status), '
        '`nls webhooks serve` \\<path>; see `nls._take_budget`.'
    )


def test_a_wrapped_line_never_starts_a_list_or_breaks_a_code_span():
    text = docs.wrap("x" * 119 + " - 0.10 no concept, then " + "`a code span with spaces` " * 8)
    lines = text.splitlines()
    assert lines[0].startswith("x" * 119 + " - 0.10") and len(lines) > 2
    assert all(line.count("`") % 2 == 0 for line in lines)
    assert " ".join(lines) == "x" * 119 + " - 0.10 no concept, then " + " ".join(["`a code span with spaces`"] * 8)


def test_the_raises_sentences_are_split_from_what_a_routine_does():
    does, raises = docs.split_raises("Do it, e.g. now. Returns int. Raises 22004 for NULL. Then stops.")
    assert does == "Do it, e.g. now. Returns int. Then stops." and raises == "Raises 22004 for NULL."


def test_arguments_split_at_commas_outside_quotes_and_parentheses():
    assert docs.arguments("a text DEFAULT 'x, y'::text, b numeric(3,2), c jsonb DEFAULT '{}'::jsonb") == [
        "a text DEFAULT 'x, y'::text",
        "b numeric(3,2)",
        "c jsonb DEFAULT '{}'::jsonb",
    ]
    assert docs.arguments("") == []


def test_a_generated_part_is_replaced_and_the_prose_around_it_kept(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    begin = "<!-- generated: settings (scripts/docs.py; make docs writes it) -->"
    page.write_text(f"# Hand-written\n\n{begin}\nstale\n<!-- end of generated: settings -->\n\nMore prose.\n")
    monkeypatch.setitem(docs.GENERATORS, "settings", lambda conn: "| fresh |\n")
    assert docs.regenerate(stand_in(None), [page]) == {
        page: f"# Hand-written\n\n{begin}\n| fresh |\n<!-- end of generated: settings -->\n\nMore prose.\n"
    }
    assert "-stale" in docs.differences(docs.regenerate(stand_in(None), [page]))


def test_a_part_no_generator_makes_is_refused(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- generated: nonesuch (scripts/docs.py; make docs writes it) -->\n<!-- end of generated: nonesuch -->\n"
    )
    with pytest.raises(docs.DocsError, match="no generator of part 'nonesuch'"):
        docs.parts([page])
