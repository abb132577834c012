"""A published release of nls built from this repository's own history, as the upgrade test and
scripts/upgrade_session.py install it: the files of its commit (``git archive``), and its own ``nls install`` run
from them with this Python (its nls_cli, nls_install and nls_engine, this environment's libraries)::

    why = unavailable(release)            # None when the commit can be had here
    tree = extract(release, folder)
    done = run_installer(tree, dsn, "--schedule", "0 */2 * * *")
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from nls_install.releases import Release

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True)


def unavailable(release: Release) -> str | None:
    """Why ``release``'s files cannot be had from this checkout (no git, no checkout, its commit not in this clone,
    with the fix for a shallow one), or None when they can."""
    if shutil.which("git") is None:
        return "the previous release is built from this repository's history: git is needed"
    checkout = _git("rev-parse", "--git-dir")
    if checkout.returncode != 0:
        return (
            f"the previous release is built from this repository's history, which git cannot read in {ROOT}: "
            f"{checkout.stderr.decode().strip()}"
        )
    if _git("cat-file", "-e", f"{release.commit}^{{commit}}").returncode != 0:
        shallow = _git("rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"
        return f"commit {release.commit} of release {release.version} is not in this clone" + (
            " (a shallow clone: git fetch --unshallow gets it)" if shallow else ""
        )
    return None


def extract(release: Release, folder: Path) -> Path:
    """The files of ``release``'s commit written into ``folder`` (made if missing); returns ``folder``. Raises
    RuntimeError when git cannot archive the commit (see :func:`unavailable`)."""
    archive = _git("archive", "--format=tar", release.commit)
    if archive.returncode != 0:
        raise RuntimeError(f"git archive {release.commit} failed: {archive.stderr.decode().strip()}")
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extraction_filter = getattr(tarfile, "data_filter", None)  # where this Python has it
        tar.extractall(folder)
    return folder


def run_installer(tree: Path, dsn: str, *args: str) -> subprocess.CompletedProcess:
    """Run the release's own ``nls install --dsn DSN ARGS`` from ``tree`` (a folder :func:`extract` wrote) with this
    Python; the finished process (its exit code, stdout and stderr as text)."""
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": os.pathsep.join(str(tree / d) for d in ("installer", "cli", "plpython")),
    }
    return subprocess.run(
        [sys.executable, "-m", "nls_cli", "install", "--dsn", dsn, *args],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
    )
