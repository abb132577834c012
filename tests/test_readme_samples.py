"""The sample psql sessions of the README and docs/ are what a real run prints: scripts/samples.py runs the demo's
workspace (a throwaway cluster, the emulator, nls installed) and each marked block's queries through psql, and this
test fails with the diff when a committed block differs from that run (uuids, times and ports aside). When it
fails: `make samples` rewrites the blocks; read the diff, and the prose around a block, before committing."""
from __future__ import annotations

import samples


def test_every_marked_sample_is_what_a_real_run_prints():
    paths = samples.markdown_files()
    assert {s.name for s in samples.find_samples(paths)} >= {"first-sync", "request-minimum", "trash"}
    diff = samples.differences(paths)
    assert diff == "", "the samples differ from a real run (`make samples` rewrites them):\n" + diff
