"""The nls schema as a normalised ``pg_dump --schema-only`` (graphile-worker's way): every table, view, function,
comment and grant of schema nls, in pg_dump's stable order, without the lines that name pg_dump's run.

``make schema`` (``python scripts/schema_dump.py tests/schema.sql``) installs nls into a throwaway cluster and writes
the dump to the committed file; tests/test_upgrade.py fails while a fresh install, or an upgrade from the previous
release, gives another schema. A schema change thus shows in review as a diff of tests/schema.sql."""

from __future__ import annotations

import contextlib
import re
import secrets
import subprocess
import sys
from pathlib import Path

from pg_cluster import Cluster, bin_dir

# lines of pg_dump's output that name its run (its version, a random key), not the schema
_RUN_LINES = ("-- Dumped from", "-- Dumped by", "\\restrict", "\\unrestrict")


def normalise(dump: str) -> str:
    """``dump`` without the lines that name pg_dump's run, one blank line at most between statements."""
    lines = [line.rstrip() for line in dump.splitlines() if not line.startswith(_RUN_LINES)]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def objects(dump: str) -> list[str]:
    """The objects of a normalised ``dump`` (each with the comment pg_dump heads it with), sorted: two schemas are
    the same when their objects are, whatever order pg_dump chose (it moves a table ahead of others when objects of
    other schemas, such as typed views, depend on it)."""
    blocks = re.split(r"\n(?=--\n-- Name: )", dump)
    return sorted(b.strip() for b in blocks)


def dump(dsn: str) -> str:
    """The normalised schema nls of the database at ``dsn`` (pg_dump of Debian's PostgreSQL 15, or $NLS_PG_BIN's).
    Raises subprocess.CalledProcessError when pg_dump fails."""
    out = subprocess.run(
        [str(bin_dir() / "pg_dump"), "--schema-only", "--schema=nls", "--no-owner", dsn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return normalise(out)


@contextlib.contextmanager
def fresh_install(dbname: str):
    """A throwaway cluster (scripts/pg_cluster.py) with nls freshly installed by the real installer, without the
    pg_cron jobs, into database ``dbname``; yields its DSN. Raises RuntimeError when the install fails (it has said
    why)."""
    from nls_cli.main import main as nls

    key = secrets.token_hex(32)  # a throwaway cluster's key: it encrypts nothing
    with Cluster(options={"fsync": "off"}, env={"NLS_ENCRYPTION_KEY": key}) as cluster:
        cluster.start()
        cluster.create_database(dbname)
        if nls(["install", "--dsn", cluster.dsn(dbname), "--no-schedule"]) != 0:
            raise RuntimeError(f"nls install into {dbname} failed")
        yield cluster.dsn(dbname)


def main(argv: list[str]) -> int:
    """Write the schema of a fresh install to ``argv[0]``. Returns the exit code."""
    if len(argv) != 1:
        print("usage: schema_dump.py FILE", file=sys.stderr)
        return 2
    try:
        with fresh_install("nls_schema") as dsn:
            Path(argv[0]).write_text(dump(dsn))
    except RuntimeError:
        return 1
    print(f"wrote {argv[0]}: review its diff (git diff {argv[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
