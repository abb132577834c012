"""The file an export writes (nls_export.output.Target), on real files: what is refused at once, and a link or a
FIFO planted between the check and the rename, which must never be followed or waited on."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat

import pytest

from nls_export.output import ExportError, Target


def _victim(tmp_path):
    victim = tmp_path / "elsewhere" / "victim.db"
    victim.parent.mkdir()
    victim.write_bytes(b"precious")
    return victim


def test_a_link_planted_after_the_check_is_replaced_itself_never_written_through(tmp_path):
    victim, out = _victim(tmp_path), tmp_path / "out.db"
    with Target(out) as target:  # checked: nothing there yet
        temp = target.new_temp()
        os.write(temp.fd, b"the new export")
        out.symlink_to(victim)  # planted before the rename
        target.replace(temp)
    assert not out.is_symlink() and out.read_bytes() == b"the new export"
    assert victim.read_bytes() == b"precious"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_link_or_a_fifo_planted_in_place_of_the_previous_export_is_not_read(tmp_path):
    victim, out = _victim(tmp_path), tmp_path / "out.db"
    out.write_bytes(b"an earlier export")
    out.chmod(0o640)
    with Target(out) as target:
        temp = target.new_temp()
        out.unlink()
        out.symlink_to(victim)  # the previous export swapped for a link to another file
        with pytest.raises(ExportError, match="symbolic link"):
            target.copy_previous(temp)
        out.unlink()
        os.mkfifo(out)  # or for a FIFO: opened without waiting, and refused
        with pytest.raises(ExportError, match="FIFO"):
            target.copy_previous(temp)
        assert os.fstat(temp.fd).st_size == 0
        target.discard(temp)
    assert victim.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "out.db"]


def test_the_previous_export_is_copied_and_its_mode_kept(tmp_path):
    out = tmp_path / "out.db"
    out.write_bytes(b"an earlier export")
    out.chmod(0o640)
    with Target(out) as target:
        temp = target.new_temp()
        assert stat.S_IMODE(os.fstat(temp.fd).st_mode) == 0o600
        assert target.copy_previous(temp)
        assert temp.path.read_bytes() == b"an earlier export"
        target.replace(temp)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_a_temporary_file_swapped_for_a_link_is_caught_before_sqlite_writes_to_it(tmp_path):
    victim = tmp_path / "elsewhere" / "victim.db"
    victim.parent.mkdir()
    sqlite3.connect(victim).execute("CREATE TABLE precious (x)").connection.commit()
    before = victim.read_bytes()
    with Target(tmp_path / "out.db") as target:
        temp = target.new_temp()
        os.rename(temp.path, tmp_path / "moved-away")
        temp.path.symlink_to(victim)
        db = sqlite3.connect(temp.path)  # SQLite follows the link: it names the file it opened
        with pytest.raises(ExportError, match="was replaced"):
            target.check_opened(temp, db.execute("PRAGMA database_list").fetchone()[2])
        db.close()
        with pytest.raises(ExportError, match="was replaced"):
            target.replace(temp)
        target.discard(temp)
    assert victim.read_bytes() == before and not (tmp_path / "out.db").exists()


def test_temporary_files_are_unpredictable_exclusive_and_private(tmp_path):
    with Target(tmp_path / "out.db") as target:
        a, b = target.new_temp(), target.new_temp()
        assert a.name != b.name and a.name.startswith(f".out.db.nls-{os.getpid()}-") and a.name.endswith(".tmp")
        assert len(a.name) - len(f".out.db.nls-{os.getpid()}-.tmp") == 16
        assert stat.S_IMODE(os.fstat(a.fd).st_mode) == 0o600
        target.discard(a)
        target.discard(b)
    assert list(tmp_path.iterdir()) == []


def test_exports_into_one_file_hold_one_lock_that_is_gone_afterwards(tmp_path):
    out = tmp_path / "out.db"
    with Target(out):
        lock = tmp_path / ".out.db.nls-lock"
        with open(lock, "rb") as other, pytest.raises(BlockingIOError):  # another export's attempt at the lock
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert list(tmp_path.iterdir()) == []
    with Target(out):  # the lock is free again
        pass


def test_under_the_lock_a_killed_exports_temporary_files_go(tmp_path):
    stale = tmp_path / ".out.db.nls-4242-0123456789abcdef.tmp"
    stale.write_bytes(b"half")
    other = tmp_path / ".other.db.nls-4242-0123456789abcdef.tmp"
    other.write_bytes(b"another file's")
    with Target(tmp_path / "out.db"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name]


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.symlink_to(p.parent / "target.db"), "symbolic link"),
        (lambda p: os.mkfifo(p), "FIFO"),
        (lambda p: p.mkdir(), "folder"),
    ],
)
def test_refused_at_once(tmp_path, make, words):
    out = tmp_path / "out.db"
    make(out)
    with pytest.raises(ExportError, match=words) as e:
        Target(out)
    assert str(out) in str(e.value)


def test_the_folder_is_the_one_named_not_a_links_target(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "via").symlink_to(real)
    target = Target(tmp_path / "via" / "out.db")
    assert target.path == tmp_path / "via" / "out.db" and target.folder == tmp_path / "via"
