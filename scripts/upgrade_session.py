"""The real session of docs/upgrading.md (an upgrade from the previous release, checked, backed up, failed once under
a lock, done, rolled back by hand and undone by the restore), recorded from a run: `make upgrade-session` rewrites
it. Run it for each release, after its last migration (a run takes half a minute; no test runs it).

Each block of the session is a fenced block of docs/upgrading.md opened by a marker naming it (the prose around the
blocks is written by hand)::

    <!-- upgrade-session: plan -->
    ```
    $ nls --version
    nls 0.2.0
    ```

The run: a throwaway cluster (scripts/pg_cluster.py, pg_cron preloaded, an encryption key in the server's
environment) with a database ``mydb``; the previous release (``releases.previous()``) built from this repository's
history and installed by its own installer (scripts/release_tree.py) with ``--schedule '0 */2 * * *' --workers 2``;
the Notion emulator in this process with one user's creative data source, synced, and nls's settings pointed at it
(retries fast, pacing lifted). Then the commands of SESSION, block by block, each run by bash in a scratch folder as
a DBA would type it: ``nls`` is this checkout's (the new release), ``psql``, ``pg_dump``, ``pg_restore`` and
``dropdb`` are the cluster's PostgreSQL's, ``$DSN`` names the database, ``PGHOST``/``PGPORT``/``PGUSER`` the server,
``$MIGRATIONS`` this release's migrations. What each prints replaces the block; the server's checks that
``nls install`` prints are shown once, the first time. Values that differ from run to run (ports, times, the dump's
name and size, the Anki path of the machine) are compared as placeholders (as scripts/samples.py compares its
samples), so a block that changed in nothing else stays as it is.

    python scripts/upgrade_session.py            # rewrite the blocks that differ
    python scripts/upgrade_session.py --check    # exit 1 with a diff when a committed block differs
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import re
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from nls_emulator import Emulator
from nls_install import __version__, releases
from nls_install.installed import value
from nls_install.resources import Shipped
from pg_cluster import Cluster, bin_dir, preload
from release_tree import extract, run_installer, unavailable
from samples import VARYING, check_or_write, comparable, marked_blocks, with_bodies

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "upgrading.md"
MARKER = "upgrade-session"
DATABASE = "mydb"
USER = "ada"
TOKEN = "secret_ada_token"
SCHEDULE = "0 */2 * * *"
PREVIOUS = releases.previous()
JOBS = f"FROM cron.job WHERE database = '{DATABASE}' ORDER BY jobname"
BACKUP = "{backup}"  # in a command: the pg_dump command that `nls install --check` printed
DUMPS = f"nls-{PREVIOUS.version if PREVIOUS else ''}-{DATABASE}-*.dump"  # the backup it makes
# the upgrade's first migration: a yoyo rollback to it takes back what the upgrade applied
UPGRADE_FIRST = next((m for m in Shipped().migrations if PREVIOUS and m > PREVIOUS.last_migration), "")

# the blocks of the session, in order, and the commands of each as the doc shows them
SESSION: dict[str, list[str]] = {
    "plan": [
        'psql "$DSN" -Atc "SELECT max(migration_id) FROM nls._yoyo_migration"',
        "nls --version",
        'nls install --dsn "$DSN" --check',
        f'psql -d postgres -c "SELECT jobname, schedule, cron.alter_job(jobid, active := false) {JOBS}"',
        f"{BACKUP} && ls -sh {DUMPS}",
    ],
    "upgrade": [
        '(psql "$DSN" -qc "BEGIN; LOCK TABLE nls.sync_log; SELECT pg_sleep(15); COMMIT" > /dev/null &); sleep 1; '
        "PGOPTIONS='-c lock_timeout=2s' nls install --dsn \"$DSN\"",
        "psql \"$DSN\" -Atc \"SELECT max(migration_id), to_regprocedure('nls.version()') FROM nls._yoyo_migration\"",
        'nls install --dsn "$DSN"',
        f'psql -d postgres -c "SELECT jobname, cron.alter_job(jobid, active := true) {JOBS}"',
        'psql "$DSN" -c "SELECT nls.version()"',
    ],
    "step-back": [
        'yoyo rollback --batch --no-config-file --database '
        f'"postgresql+psycopg://postgres@127.0.0.1:$PGPORT/{DATABASE}?schema=nls" '
        f'--revision {UPGRADE_FIRST} "$MIGRATIONS"',
        f"psql \"$DSN\" -c \"SELECT nls.sync_notion(user_id => '{USER}')\"",
        'psql "$DSN" -Atc "SELECT jsonb_pretty(nls.version())"',
        'nls install --dsn "$DSN" --check',
        f'psql -d postgres -c "SELECT jobname, cron.alter_job(jobid, active := false) {JOBS}"',
        f"dropdb --force {DATABASE} && pg_restore --create --dbname=postgres --exit-on-error {DUMPS}",
        f'psql -d postgres -c "SELECT jobname, cron.alter_job(jobid, active := true) {JOBS}"',
        "psql \"$DSN\" -Atc \"SELECT max(migration_id), to_regprocedure('nls.version()') FROM nls._yoyo_migration\"",
        f"psql \"$DSN\" -Atc \"SELECT nls.sync_notion(user_id => '{USER}')->'results'->0->>'status'\"",
    ],
}

# what each block must show for the prose around it to be true; a run that shows otherwise writes nothing
EXPECTED: dict[str, list[str]] = {
    "plan": ["Upgrade plan: nls ", "Would apply ", f"your schedule '{SCHEDULE}' is kept", "pg_dump --format=custom"],
    "upgrade": ["lock timeout", "Nothing was changed", "nls is installed", '"schema_matches": true'],
    "step-back": ["rolled back by hand", '"schema_matches": false', "Repair plan", "success"],
}

# besides samples.py's: the backup's name and size, the machine's Anki folder
SESSION_VARYING = [
    *VARYING,
    (re.compile(r"(?<=-)\d{8}-\d{4}(?=\.dump)"), "<date>"),
    (re.compile(r"^\d+(\.\d+)?[KMG]?(?= nls-)", re.M), "<size>"),
    (re.compile(r"(?<=Python from )/\S+"), "<path>"),
]


class SessionError(RuntimeError):
    """The session cannot be recorded: no previous release here, a step of the set-up failed, or a block does not
    show what the doc says it shows."""


@dataclass
class Session:
    """The run's state: the scratch folder the commands run in, their environment, and what earlier steps printed
    that later commands use (the backup command)."""

    folder: Path
    env: dict[str, str]
    backup: str = ""
    checks_shown: bool = False
    transcript: list[str] = field(default_factory=list)


def shell_env(pg: Cluster, dsn: str) -> dict[str, str]:
    """The commands' environment: this environment without its libpq variables, the cluster's PostgreSQL programs
    and this checkout's ``nls`` and ``yoyo`` first on PATH, the server and database named, no psqlrc or pager."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    path = os.pathsep.join([str(bin_dir()), str(Path(sys.prefix) / "bin"), env.get("PATH", "")])
    env.update(
        PATH=path,
        DSN=dsn,
        PGHOST=pg.host,
        PGPORT=str(pg.port),
        PGUSER=pg.user,
        LC_ALL="C.UTF-8",
        PGCLIENTENCODING="UTF8",
        PSQLRC=os.devnull,
        PAGER="",
        PSQL_PAGER="",
        MIGRATIONS=str(Shipped().migrations_dir),
    )
    return env


def run_command(session: Session, command: str) -> str:
    """What ``command`` (its ``{backup}`` filled in) prints, stdout and stderr as a terminal shows them, trailing
    blanks dropped and the scratch folder's paths relative; the server's checks folded to ``  ...`` after the first
    time. A command may fail (the session shows failures): its output says so."""
    command = command.replace(BACKUP, session.backup)
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=session.folder,
        env=session.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    lines = [line.rstrip() for line in done.stdout.replace(f"{session.folder}{os.sep}", "").rstrip().splitlines()]
    backup = [line.strip() for line in lines if line.strip().startswith("pg_dump --format=custom")]
    if backup and not session.backup:  # the first plan's: the backup of the previous release
        session.backup = backup[0]
    if "Checking the server" in lines:
        lines = fold_checks(lines) if session.checks_shown else lines
        session.checks_shown = True
    session.transcript += [f"$ {command}", *lines]
    return "\n".join([f"$ {command}", *lines])


def fold_checks(lines: list[str]) -> list[str]:
    """``lines`` with the indented check lines after ``Checking the server`` as one line ``  ...``."""
    start = lines.index("Checking the server") + 1
    end = start
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return [*lines[:start], "  ...", *lines[end:]]


def record(session: Session) -> dict[str, str]:
    """{block: its new body}: each block's commands run in order, checked against EXPECTED."""
    bodies = {}
    for name, commands in SESSION.items():
        body = "\n".join(run_command(session, command) for command in commands) + "\n"
        missing = [text for text in EXPECTED[name] if text not in body]
        if missing:
            raise SessionError(
                f"block {name} does not show {missing}; what the run printed:\n" + "\n".join(session.transcript)
            )
        bodies[name] = body
    return bodies


@contextlib.contextmanager
def previous_release(folder: Path) -> Iterator[Session]:
    """A throwaway cluster with the previous release in database ``mydb``, installed by its own installer with
    SCHEDULE and two workers, and the emulator serving one user's creative data source, synced once. Yields the
    :class:`Session` the commands run in (in ``folder``); stops the cluster and the emulator after."""
    if PREVIOUS is None:
        raise SessionError(f"nls {__version__} has no previous release to upgrade from")
    why = unavailable(PREVIOUS)
    if why:
        raise SessionError(why)
    tree = extract(PREVIOUS, folder / f"nls-{PREVIOUS.version}")
    options = {
        "shared_preload_libraries": preload("pg_cron", "pg_stat_statements", "pg_net"),
        "cron.database_name": "postgres",
        "pg_net.database_name": DATABASE,
        "fsync": "off",
    }
    with Cluster(options=options, env={"NLS_ENCRYPTION_KEY": secrets.token_hex(32)}) as pg, Emulator() as emu:
        pg.start()
        pg.create_database(DATABASE)
        dsn = pg.dsn(DATABASE)
        if "pg_net" in options["shared_preload_libraries"]:  # the events' webhooks go out through it here
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION pg_net")
        done = run_installer(tree, dsn, "--schedule", SCHEDULE, "--workers", "2")
        if done.returncode != 0:
            raise SessionError(f"nls {PREVIOUS.version}'s install failed:\n{done.stdout}{done.stderr}")
        with psycopg.connect(dsn, autocommit=True) as conn:
            give_it_a_user(conn, emu)
        work = folder / "session"
        work.mkdir()
        yield Session(work, shell_env(pg, dsn))


def give_it_a_user(conn: psycopg.Connection, emu: Emulator) -> None:
    """The user USER with a creative data source of the emulator, synced; nls pointed at the emulator (fast
    retries, pacing lifted) and, where Anki's library for the server's Python is elsewhere than the setting's
    default, that folder (NLS_ANKI_PYTHON_PATH, as the Makefile sets it, where it exists)."""
    gen = emu.add_generated("creative", pages=40, seed=1, token=TOKEN)
    settings = {
        "api_base_url": emu.url,
        "rate_limit_per_s": "100000",
        "workspace_rate_limit_per_s": "100000",
        "rate_limit_burst": "100000",
        "read_timeout_s": "20",
        "backoff_base_s": "0.05",
    }
    anki = os.environ.get("NLS_ANKI_PYTHON_PATH")
    default = value(conn, "SELECT default_value FROM nls.settings WHERE name = 'anki_python_path'")
    if anki and Path(anki).is_dir() and anki != default:
        settings["anki_python_path"] = anki
    for name, setting in settings.items():
        conn.execute("SELECT nls.set_setting(%s, %s)", (name, setting))
    conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
    conn.execute("SELECT nls.add_source(%s, %s)", (USER, gen.database_ids["Stories"]))
    result = value(conn, "SELECT nls.sync_notion(user_id => %s)", (USER,))
    if not result["success"]:
        raise SessionError(f"the first sync under the previous release failed: {result}")


def session_blocks(text: str) -> list[tuple[str, int, int, str]]:
    """The marked blocks of ``text`` (docs/upgrading.md), as :func:`samples.marked_blocks` gives them. SessionError
    unless they are SESSION's blocks, each once, in its order."""
    blocks = marked_blocks(text, MARKER)
    names = [name for name, *_ in blocks]
    if names != list(SESSION):
        raise SessionError(
            f"{os.path.relpath(DOC, ROOT)} marks the blocks {names} (<!-- {MARKER}: NAME -->); "
            f"scripts/upgrade_session.py records {list(SESSION)}, in that order"
        )
    return blocks


def regenerate(text: str, bodies: dict[str, str]) -> str:
    """``text`` (docs/upgrading.md) with each marked block whose body differs from ``bodies``' (as
    :func:`samples.comparable` sees it, with SESSION_VARYING) replaced."""
    new = {}
    for name, start, end, body in session_blocks(text):
        if comparable(bodies[name], set(), SESSION_VARYING) != comparable(body, set(), SESSION_VARYING):
            new[start, end] = bodies[name]
    return with_bodies(text, new)


def main(argv: list[str] | None = None) -> int:
    """Record the session and rewrite (or with --check, compare) its blocks of docs/upgrading.md; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 with a diff when a block differs")
    args = parser.parse_args(argv)
    text = DOC.read_text()
    session_blocks(text)  # before the minutes of the run
    with (
        tempfile.TemporaryDirectory(prefix="nls-upgrade-session-") as folder,
        previous_release(Path(folder)) as session,
    ):
        bodies = record(session)
    texts = {DOC: regenerate(text, bodies)}
    name = os.path.relpath(DOC, ROOT)

    def differences() -> str:
        return "".join(
            difflib.unified_diff(text.splitlines(True), texts[DOC].splitlines(True), name, f"{name} (this run)")
        )

    return check_or_write(texts, differences, args.check, "the upgrade session")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SessionError as e:
        sys.exit(f"upgrade-session: {e}")
