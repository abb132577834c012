"""The sample psql sessions of the README and docs/ are what a real run prints: scripts/samples.py runs the demo's
workspace (a throwaway cluster, the emulator, nls installed) and each marked block's queries through psql, and this
test fails with the diff when a committed block differs from that run (uuids, times and ports aside). When it
fails: `make samples` rewrites the blocks; read the diff, and the prose around a block, before committing."""

from __future__ import annotations

import pytest

import samples


def test_every_marked_sample_is_what_a_real_run_prints():
    paths = samples.markdown_files()
    assert {s.name for s in samples.find_samples(paths)} >= {"first-sync", "request-minimum", "trash", "push"}
    outcome = samples.regenerate(paths)
    diff = outcome.differences()
    assert diff == "", "the samples differ from a real run (`make samples` rewrites them):\n" + diff
    if outcome.unchecked:  # Anki's library missing (`make anki`): every other sample was checked
        pytest.skip("; ".join(f"{where} not checked: {why}" for where, why in outcome.unchecked.items()))


def test_a_scene_that_cannot_run_here_leaves_its_samples_and_says_why(monkeypatch):
    monkeypatch.setattr(samples.demo_anki, "available", lambda conn: "no Anki here")
    page = samples.ROOT / "docs" / "anki.md"  # after the README's first sync, which the later scenes build on
    outcome = samples.regenerate([samples.ROOT / "README.md", page])
    assert outcome.unchecked == {"docs/anki.md: sample anki": "no Anki here"}
    assert outcome.texts[page] == page.read_text()
