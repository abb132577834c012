"""The file ``nls export sqlite`` writes, and nothing else (docs/sqlite.md, "The file").

The path is taken as named (made absolute, never resolved): its folder is the folder it names, and its last part is
never followed. Before anything is read from PostgreSQL, :class:`Target` looks at the path with ``lstat`` (opening
nothing, so a FIFO cannot make it wait): a symbolic link, a folder, a FIFO, a device or a socket there is refused,
as is a folder that is missing, not a folder or not writable. Exports into one file take turns: each holds an
exclusive ``flock`` on ``.<name>.nls-lock`` beside it for its whole run (removed when it is done). The new copy is
written to a temporary file of an unpredictable name made in the same folder with ``O_CREAT | O_EXCL |
O_NOFOLLOW`` (mode 0600), and renamed over the path: a link planted at the path meanwhile is itself replaced, never
followed. A previous export is read through a descriptor opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked to be
a regular file. The copy keeps the mode of the file it replaces; a new file is 0600 (it holds one user's data).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path


class ExportError(Exception):
    """The export cannot run as asked (nothing was written; the previous file, if any, is intact)."""


NEW_FILE_MODE = 0o600
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _kind(mode: int) -> str:
    """What a file of ``mode`` is, in words ("a FIFO (named pipe)", ...); "not a regular file" for any other."""
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


@dataclass
class Temp:
    """The temporary file an export writes: its name in the target's folder, its full path (for SQLite, which
    opens files by path) and the descriptor it was created with (the file is known by it, whatever its name does)."""

    name: str
    path: Path
    fd: int


class Target:
    """The output path of one export. ``Target(path)`` checks it at once (:meth:`check`); ``with target:`` opens
    its folder and takes the lock (checking the path again under it), and the methods below work in that folder
    only, through its descriptor. Every error is an :class:`ExportError` naming the path."""

    def __init__(self, path: str | os.PathLike):
        given = os.fspath(path)
        self.path = Path(given).absolute()
        self.folder, self.name = self.path.parent, self.path.name
        if given.endswith(os.sep) or self.name in ("", ".", ".."):
            raise ExportError(f"{given}: names a folder; give the path of the SQLite file to write")
        self.lock_name, self.temp_prefix = f".{self.name}.nls-lock", f".{self.name}.nls-"
        self.dir_fd: int | None = None
        self.lock_fd: int | None = None
        self.mode = NEW_FILE_MODE
        self.check()

    def _error(self, what: str) -> ExportError:
        return ExportError(f"{self.path}: {what}")

    def _lstat(self, name: str) -> os.stat_result | None:
        try:
            if self.dir_fd is None:
                return os.lstat(self.folder / name)
            return os.lstat(name, dir_fd=self.dir_fd)
        except FileNotFoundError:
            return None

    def check(self) -> os.stat_result | None:
        """Refuse what the export must not write over or through; note the mode to keep. Returns the ``lstat`` of
        the file there (a regular file), or None when there is none yet."""
        try:
            folder = os.stat(self.folder)
        except FileNotFoundError:
            raise self._error(f"the folder {self.folder} does not exist") from None
        except OSError as e:
            raise self._error(f"the folder {self.folder} cannot be read: {e.strerror}") from None
        if not stat.S_ISDIR(folder.st_mode):
            raise self._error(f"{self.folder} is not a folder")
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise self._error(f"the folder {self.folder} is not writable by this user")
        st = self._lstat(self.name)
        if st is None:
            return None
        if stat.S_ISLNK(st.st_mode):
            raise self._error(
                "is a symbolic link; the export never writes through one: give the path of a "
                "regular file (or of a new one)"
            )
        if not stat.S_ISREG(st.st_mode):
            raise self._error(
                f"is {_kind(st.st_mode)}, not a regular file; give the path of a SQLite file (or of a new one)"
            )
        self.mode = stat.S_IMODE(st.st_mode) & 0o777
        return st

    # ---- the folder and the lock -------------------------------------------------------------------------------
    def __enter__(self) -> Target:
        try:
            self.dir_fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            self.lock_fd = self._lock()
            self.check()  # again, now that no other export into this file runs
            self._remove_stale_temps()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.lock_fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.lock_name, dir_fd=self.dir_fd)  # while it is held: the next one makes its own
            os.close(self.lock_fd)
            self.lock_fd = None
        if self.dir_fd is not None:
            os.close(self.dir_fd)
            self.dir_fd = None

    def _lock(self) -> int:
        """Wait for the exclusive lock on the lock file; returns its descriptor. A lock file removed by the
        export that held it while this one waited is made again (the lock is on the file the name names)."""
        while True:
            try:
                fd = os.open(
                    self.lock_name,
                    os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                    0o600,
                    dir_fd=self.dir_fd,
                )
            except OSError as e:
                raise self._error(f"cannot make the lock file {self.folder / self.lock_name}: {e.strerror}") from None
            held = os.fstat(fd)
            if not stat.S_ISREG(held.st_mode):
                os.close(fd)
                raise self._error(f"the lock file {self.folder / self.lock_name} is {_kind(held.st_mode)}")
            fcntl.flock(fd, fcntl.LOCK_EX)
            now = self._lstat(self.lock_name)
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                return fd
            os.close(fd)

    def _remove_stale_temps(self) -> None:
        """Temporary files of exports into this file that were killed midway (under the lock, no other runs)."""
        for entry in os.scandir(self.dir_fd):
            if (
                entry.name.startswith(self.temp_prefix)
                and entry.name.endswith(".tmp")
                and not entry.is_dir(follow_symlinks=False)
            ):
                try:
                    os.unlink(entry.name, dir_fd=self.dir_fd)
                except OSError:
                    continue

    # ---- the temporary file ------------------------------------------------------------------------------------
    def new_temp(self) -> Temp:
        """Create the temporary file: ``.<name>.nls-<pid>-<random>.tmp``, O_EXCL, O_NOFOLLOW, mode 0600."""
        name = f"{self.temp_prefix}{os.getpid()}-{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(
                name, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=self.dir_fd
            )
        except OSError as e:
            raise self._error(f"cannot create a temporary file in {self.folder}: {e.strerror}") from None
        return Temp(name, self.folder / name, fd)

    def copy_previous(self, temp: Temp) -> bool:
        """Copy the file at the path (an earlier export, perhaps) into ``temp``, never through a link and never
        waiting on a FIFO. Returns False when there is none."""
        try:
            fd = os.open(self.name, _READ, dir_fd=self.dir_fd)
        except FileNotFoundError:
            return False
        except OSError as e:
            raise self._error(
                "is a symbolic link; the export never writes through one"
                if e.errno == errno.ELOOP
                else f"cannot be read: {e.strerror}"
            ) from None
        with open(fd, "rb") as src:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise self._error(f"is {_kind(st.st_mode)}, not a regular file")
            os.lseek(temp.fd, 0, os.SEEK_SET)
            with open(temp.fd, "wb", closefd=False) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        return True

    def _same(self, temp: Temp, st: os.stat_result | None) -> bool:
        mine = os.fstat(temp.fd)
        return st is not None and (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)

    def check_opened(self, temp: Temp, filename: str) -> None:
        """Make sure the file SQLite opened (``filename``: ``PRAGMA database_list`` names the file it resolved) is
        ``temp`` itself, before anything is written to it."""
        try:
            opened = os.stat(filename)
        except OSError:
            opened = None
        if not self._same(temp, opened):
            raise self._error(f"the temporary file {temp.path} was replaced while the export ran; nothing written")

    def replace(self, temp: Temp) -> None:
        """Give ``temp`` the mode to keep, make it durable and rename it over the path (whatever is there now: a
        link planted there is replaced itself); then make the rename durable."""
        if self.dir_fd is None:
            raise RuntimeError("Target.replace runs inside its with block, which opens the folder")
        os.fchmod(temp.fd, self.mode)
        os.fsync(temp.fd)
        if not self._same(temp, self._lstat(temp.name)):
            raise self._error(f"the temporary file {temp.path} was replaced while the export ran; nothing written")
        os.replace(temp.name, self.name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
        os.fsync(self.dir_fd)
        os.close(temp.fd)
        temp.fd = -1

    def discard(self, temp: Temp) -> None:
        """Remove ``temp`` (an export that failed): the file at the path is as it was."""
        if temp.fd >= 0 and self._same(temp, self._lstat(temp.name)):
            os.unlink(temp.name, dir_fd=self.dir_fd)
        if temp.fd >= 0:
            os.close(temp.fd)
            temp.fd = -1
