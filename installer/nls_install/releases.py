"""The releases of nls: this one (:data:`nls_install.__version__`) and the ones before it, each with the commit of
this repository it was released as and the newest migration it shipped.

``nls install`` names the release a database is at from them when the database does not say (a release before
``nls.version()`` existed left only its migrations), and refuses to install over a newer one. The upgrade test
installs the previous release from its commit (``git archive``) and upgrades it. Making a release: see
docs/upgrading.md ("Making a release")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import __version__

_VERSION = re.compile(r"^\d+(\.\d+){2}$")


@dataclass(frozen=True)
class Release:
    """A published release: ``version`` ('0.1.0'), ``commit`` (40 hex digits, the commit it was released as) and
    ``last_migration`` (the id of the newest migration it ships, e.g. '0013.webhooks-and-change')."""

    version: str
    commit: str
    last_migration: str


RELEASES: tuple[Release, ...] = (
    Release("0.1.0", "44fe32773ab93a5ce196315d843182d471ba7254", "0013.webhooks-and-change"),
)


def key(version: str) -> tuple[int, int, int]:
    """'0.2.0' -> (0, 2, 0), for comparing releases. Raises ValueError for anything but three dotted whole
    numbers."""
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ValueError(f"a release is three whole numbers separated by dots (0.2.0), not {version!r}")
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch


def previous(version: str = __version__) -> Release | None:
    """The newest published release older than ``version`` (the one an upgrade to it starts from), or None."""
    older = [r for r in RELEASES if key(r.version) < key(version)]
    return max(older, key=lambda r: key(r.version)) if older else None


def of_migrations(applied: list[str]) -> str | None:
    """The published release whose migrations are exactly up to the newest of ``applied`` (ids), or None when that
    migration ends no release (a build between releases) or nothing is applied."""
    if not applied:
        return None
    last = max(applied)
    return next((r.version for r in RELEASES if r.last_migration == last), None)
