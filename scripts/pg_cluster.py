"""A throwaway PostgreSQL 15 cluster from Debian's binaries, for the tests, the demo and the benchmark.

The binaries come from /usr/lib/postgresql/15/bin (or $NLS_PG_BIN). PostgreSQL refuses to run as root, so when
this process is root the server (initdb, pg_ctl, postgres) runs as the OS user ``postgres``, and its data
directory, socket and log live in a directory that user owns (by default a fresh one under /tmp), never in the
checkout; as an ordinary user it all runs as that user. The server listens on 127.0.0.1 on a free port, trusts
every local connection, and its superuser is ``postgres``. Only the standard library and psycopg are used::

    with Cluster(options={"shared_preload_libraries": "pg_cron"}, env={"NLS_ENCRYPTION_KEY": key}) as pg:
        pg.start()
        pg.create_database("app")
        with pg.connect("app") as conn: ...
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

BIN_ENV = "NLS_PG_BIN"
DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
PACKAGES = "postgresql-15 postgresql-plpython3-15 postgresql-15-cron"
LOCALE = "C.UTF-8"
# a server set up as managed services set theirs up (provide_database): pg_cron in the database postgres, its jobs
# in background workers (no password is needed for them), passwords hashed as the services hash them
MANAGED_OPTIONS = {
    "shared_preload_libraries": "pg_cron",
    "cron.database_name": "postgres",
    "cron.use_background_workers": "on",
    "max_worker_processes": "16",
    "password_encryption": "scram-sha-256",
}


class ClusterError(RuntimeError):
    """The cluster could not be set up, started or stopped; the message says why and what to do."""


def bin_dir() -> Path:
    """The directory holding PostgreSQL's binaries: $NLS_PG_BIN, else Debian's PostgreSQL 15. Not checked."""
    return Path(os.environ.get(BIN_ENV) or DEFAULT_BIN)


def require_binaries() -> Path:
    """bin_dir(), once it is known to hold initdb, pg_ctl and postgres; else a ClusterError naming the fix."""
    where = bin_dir()
    missing = [name for name in ("initdb", "pg_ctl", "postgres") if not os.access(where / name, os.X_OK)]
    if missing:
        raise ClusterError(
            f"PostgreSQL 15 is not installed: {', '.join(missing)} not found in {where}. "
            f"Install the Debian packages {PACKAGES} (as root, `make deps` does it; otherwise "
            f"`sudo apt-get install -y {PACKAGES}`), or set {BIN_ENV} to the directory holding "
            "PostgreSQL 15's initdb and pg_ctl."
        )
    return where


def extension_installed(name: str) -> bool:
    """Whether the server's library directory and extension directory hold extension ``name`` (its ``.so`` and its
    control file), asked of the pg_config beside the binaries."""
    pg_config = bin_dir() / "pg_config"
    if not os.access(pg_config, os.X_OK):
        return False
    out = subprocess.run([str(pg_config), "--pkglibdir", "--sharedir"], capture_output=True, text=True)
    if out.returncode:
        return False
    libdir, sharedir = out.stdout.split()
    return (Path(libdir) / f"{name}.so").exists() and (Path(sharedir) / "extension" / f"{name}.control").exists()


def preload(*names: str) -> str:
    """The value of shared_preload_libraries for ``names``, keeping those installed in this server only (pg_net is
    optional: a missing one would stop the server from starting)."""
    return ",".join(n for n in names if n in ("pg_cron", "pg_stat_statements") or extension_installed(n))


def server_account() -> pwd.struct_passwd | None:
    """The OS account the server must run as: ``postgres`` when this process is root, else None (this user)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            "running as root, the server must run as the OS user postgres, which does not exist: "
            f"install the Debian packages {PACKAGES} (`make deps`)"
        ) from None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL cluster in ``base_dir`` (data in ``base_dir/data``, log ``base_dir/postgres.log``, the Unix
    socket in ``base_dir``). With ``base_dir`` None, start() makes a fresh directory that stop() removes; a given
    ``base_dir`` is kept (its data survives a stop, and a later start reuses it). ``options`` are server settings
    (``-c name=value``); ``env`` is added to the server's environment."""

    host = "127.0.0.1"
    user = "postgres"

    def __init__(
        self,
        base_dir: str | Path | None = None,
        options: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
    ):
        self.base_dir = Path(base_dir).absolute() if base_dir else None
        self.options = dict(options or {})
        self.env = dict(env or {})
        self.port: int | None = None
        self._owns_dir = base_dir is None
        self.account = server_account()

    @property
    def _dir(self) -> Path:
        """``base_dir``, once there is one (given, or made by start())."""
        if self.base_dir is None:
            raise ClusterError("the cluster has no directory before start()")
        return self.base_dir

    @property
    def data_dir(self) -> Path:
        """The data directory (PGDATA)."""
        return self._dir / "data"

    @property
    def logfile(self) -> Path:
        """The server's log (stderr)."""
        return self._dir / "postgres.log"

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        """Leaving a ``with`` block stops the cluster."""
        self.stop()

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq connection string to ``dbname`` as the superuser."""
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def connect(self, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
        """A psycopg connection to ``dbname`` as the superuser (``kwargs`` go to psycopg.connect)."""
        return psycopg.connect(self.dsn(dbname), **kwargs)

    def start(self, port: int | None = None) -> Cluster:
        """Make the directory and run initdb when the data directory is new, then start the server on ``port`` (a
        free one by default) and wait until it accepts connections."""
        bins = require_binaries()
        self._prepare_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                bins / "initdb",
                "-D",
                self.data_dir,
                "-U",
                self.user,
                "--auth=trust",
                "-E",
                "UTF8",
                f"--locale={LOCALE}",
            )
        for attempt in range(3):
            self.port = port or free_port()
            try:
                self._run(
                    bins / "pg_ctl",
                    "-D",
                    self.data_dir,
                    "-l",
                    self.logfile,
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    shlex.join(self._server_args()),
                    "start",
                )
                return self
            except ClusterError as e:  # another process took the free port in between: try another one
                if port or attempt == 2 or "already in use" not in str(e):
                    raise
        return self

    def stop(self) -> None:
        """Stop the server if it runs (fast shutdown); remove the directory when start() made it. Idempotent, and
        a postmaster.pid left by a server that died (e.g. a reboot) is no error."""
        if self.base_dir is None:
            return
        if self.running():
            self._run(bin_dir() / "pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "stop")
        if self._owns_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def restart(self, mode: str = "fast") -> None:
        """Restart the server on the same port: ``mode`` fast (sessions are ended, as pg_ctl stop -m fast) or
        immediate (the server stops at once, without a checkpoint, and recovers on start)."""
        self._run(bin_dir() / "pg_ctl", "-D", self.data_dir, "-m", mode, "-w", "stop")
        self.start(self.port)

    def running(self) -> bool:
        """Whether a server runs on this data directory (pg_ctl status)."""
        if self.base_dir is None or not (self.data_dir / "postmaster.pid").exists():
            return False
        return self._run(bin_dir() / "pg_ctl", "-D", self.data_dir, "status", check=False).returncode == 0

    def require_passwords(self, databases: list[str], trusted: tuple[str, ...] = ("postgres",)) -> None:
        """Make the server ask every role but ``trusted`` for a password (scram-sha-256) in ``databases``, as managed
        services do, and reload it; other databases keep trusting every local connection."""
        hba = self.data_dir / "pg_hba.conf"
        names = ",".join(databases)
        lines = [
            f"{kind} {names} {role}{' 127.0.0.1/32' if kind == 'host' else ''} trust"
            for role in trusted
            for kind in ("host", "local")
        ]
        lines += [f"host {names} all 127.0.0.1/32 scram-sha-256", f"local {names} all scram-sha-256"]
        text = hba.read_text()
        kept = [
            line
            for line in text.splitlines()
            if not line.startswith(f"host {names} ") and not line.startswith(f"local {names} ")
        ]
        hba.write_text("\n".join(lines + kept) + "\n")
        with self.connect(autocommit=True) as c:
            c.execute("SELECT pg_reload_conf()")

    def create_database(self, name: str, template: str | None = None, owner: str | None = None) -> None:
        """CREATE DATABASE ``name`` (a copy of ``template`` when given: its connections are ended first), owned by
        ``owner`` when given."""
        with self.connect(autocommit=True) as c:
            query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                c.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (template,),
                )
                query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            if owner:
                query += sql.SQL(" OWNER {}").format(sql.Identifier(owner))
            c.execute(query)

    def provide_database(self, name: str, owner: str, password: str) -> str:
        """Set this started cluster (MANAGED_OPTIONS) up as a managed service sets up a customer's database: every
        role but the superuser signs in with a password; ``owner`` (LOGIN CREATEROLE ``password``, no superuser, so
        it cannot create plpython3u) owns the new database ``name``; the superuser created pg_cron in ``postgres``
        (USAGE on its schema and EXECUTE on cron.schedule_in_database for ``owner``) and dblink and pgcrypto in
        ``name``, as a provider does. Returns the owner's libpq connection string to ``name``."""
        self.require_passwords(["all"])
        with self.connect(autocommit=True) as c:
            c.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                    sql.Identifier(owner), sql.Literal(password)
                )
            )
            c.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
            c.execute(sql.SQL("GRANT USAGE ON SCHEMA cron TO {}").format(sql.Identifier(owner)))
            c.execute(
                sql.SQL(
                    "GRANT EXECUTE ON FUNCTION cron.schedule_in_database(text, text, text, text, text, boolean) TO {}"
                ).format(sql.Identifier(owner))
            )
        with self.connect(name, autocommit=True) as c:
            c.execute("CREATE EXTENSION dblink")
            c.execute("CREATE EXTENSION pgcrypto")
        return f"host={self.host} port={self.port} user={owner} password={password} dbname={name}"

    def drop_database(self, name: str) -> None:
        """DROP DATABASE ``name`` if it exists, ending its connections."""
        with self.connect(autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def server_tmp_dir(self) -> Path:
        """A fresh directory (inside ``base_dir``) that this process can write to and the server can read from;
        hand each file written there to the server with hand_to_server()."""
        path = Path(tempfile.mkdtemp(prefix="files-", dir=self.base_dir))
        self.hand_to_server(path, 0o700)
        return path

    def hand_to_server(self, path: str | Path, mode: int = 0o600) -> None:
        """Give ``path`` ``mode`` and, when the server runs as another OS user, make that user its owner."""
        os.chmod(path, mode)
        if self.account:
            os.chown(path, self.account.pw_uid, self.account.pw_gid)

    def _prepare_dir(self) -> None:
        """Create ``base_dir`` (under /tmp when root, so that postgres can reach it) owned by the server's user."""
        if self.base_dir is None:
            self.base_dir = Path(tempfile.mkdtemp(prefix="nls-pg-", dir="/tmp" if self.account else None))
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.hand_to_server(self.base_dir, 0o700)

    def _server_args(self) -> list[str]:
        """The postgres command-line options: port, socket directory, logging to the log file, ``options``."""
        settings = {
            "listen_addresses": self.host,
            "unix_socket_directories": str(self.base_dir),
            "log_destination": "stderr",
            "logging_collector": "off",
            **self.options,
        }
        args = ["-p", str(self.port)]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        return args

    def _server_env(self) -> dict[str, str]:
        """This process's environment with a UTF-8 locale, ``env``, and the server account's HOME/USER."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL=LOCALE, LANG=LOCALE, **self.env)
        if self.account:
            env.update(HOME=self.account.pw_dir, USER=self.account.pw_name, LOGNAME=self.account.pw_name)
        return env

    def _run(self, *cmd, check: bool = True) -> subprocess.CompletedProcess:
        """Run one of PostgreSQL's programs as the server's user, in ``base_dir``; with ``check``, a ClusterError
        when it fails."""
        ids: dict[str, Any] = {}
        if self.account:
            ids = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        r = subprocess.run(
            [str(c) for c in cmd], cwd=self.base_dir, env=self._server_env(), capture_output=True, text=True, **ids
        )
        if r.returncode and check:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise ClusterError(
                f"{Path(cmd[0]).name} failed (exit {r.returncode}) in {self.base_dir}:\n"
                f"{r.stdout}{r.stderr}" + (f"\nend of {self.logfile}:\n{log}" if log else "")
            )
        return r


def check_extension(name: str) -> int:
    """Start a throwaway cluster with ``name`` preloaded (as pg_cron is), CREATE EXTENSION it and, for pg_net, wait
    until its background worker is up. Prints what failed; returns a process exit code."""
    try:
        with Cluster(options={"shared_preload_libraries": name}) as pg:
            pg.start()
            with pg.connect(autocommit=True) as c:
                c.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(name)))
                if name == "pg_net":
                    c.execute("SELECT net.wait_until_running()")
    except (ClusterError, psycopg.Error) as e:
        print(f"{name} does not load in a cluster: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "check-extension":
        print("usage: pg_cluster.py check-extension NAME", file=sys.stderr)
        sys.exit(2)
    sys.exit(check_extension(sys.argv[2]))
