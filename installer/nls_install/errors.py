"""The installer's errors: what a DBA reads when a check or a step fails, on one line with its fix."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg


class InstallError(Exception):
    """A check failed or a step could not be done. ``fix`` says what the DBA should do."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.fix = fix


class StepFailed(InstallError):
    """A step of an install failed: ``step`` names it (a migration, a file of sql/, the engine modules); ``fix`` is
    the server's hint, when it gave one."""

    def __init__(self, step: str, error: str, fix: str = ""):
        super().__init__(f"{step} failed: {error}", fix)
        self.step = step


def _error_text(e: BaseException) -> str:
    """A database error as one line: its message, detail and SQLSTATE; another error as its text."""
    if isinstance(e, psycopg.Error) and e.diag.message_primary:
        detail = f" ({e.diag.message_detail})" if e.diag.message_detail else ""
        return f"{e.diag.message_primary.strip()}{detail} [SQLSTATE {e.diag.sqlstate}]"
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


@contextmanager
def step(name: str):
    """Run a step of the installer: any failure inside it becomes :class:`StepFailed`, one line naming ``name`` and,
    for a server error, its message and SQLSTATE (its hint becomes the fix), the original error its cause; the
    enclosing transaction rolls back as the error passes. No traceback reaches the DBA."""
    try:
        yield
    except InstallError:
        raise
    except Exception as e:  # the server's, yoyo's, the file system's: each said on one line
        hint = e.diag.message_hint if isinstance(e, psycopg.Error) else ""
        raise StepFailed(name, _error_text(e), hint or "") from e
