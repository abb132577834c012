"""The engine's two runtimes, and which one an install uses.

- ``server``: the engine runs inside PostgreSQL, in PL/Python (plpython/functions.sql). plpython3u is an untrusted
  language: only a superuser can create it, which no managed service grants.
- ``worker``: the engine runs in ``nls worker`` processes beside the server (worker/functions.sql): each public
  function hands its call to a worker and returns its answer. It needs dblink (a call commits at once through a
  loopback connection, so that a worker sees it while the caller waits) and pgcrypto (a token or password travels
  under a one-time key), which managed services offer, and a role that may create roles. The encryption key lives
  in the workers' environment, never in the database server's.

Both install the same schema, roles, row-level security, views and public functions.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import psycopg
from psycopg import sql

from .errors import InstallError, step

SERVER, WORKER = "server", "worker"
RUNTIMES = (SERVER, WORKER)
WORKER_ROLE = "nls_worker"


@dataclass(frozen=True)
class Choice:
    """The runtime an install uses (``runtime``) and why, in words for ``--check``."""

    runtime: str
    why: str


def _one(conn: psycopg.Connection, query: str, params=None):
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def installed(conn: psycopg.Connection) -> str | None:
    """The runtime nls is installed with in this database (by the language of nls.sync_notion), or None."""
    language = _one(
        conn,
        "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'nls' AND p.proname = 'sync_notion'",
    )  # the catalogue: no privilege
    if language is None:
        return None
    return SERVER if language == "plpython3u" else WORKER


def server_problem(conn: psycopg.Connection) -> str | None:
    """Why the server runtime cannot be installed by this role here, or None when it can."""
    if not _one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        return f"{conn.info.user} is no superuser, and only a superuser can create plpython3u (an untrusted language)"
    if not _one(conn, "SELECT count(*) FROM pg_available_extensions WHERE name = 'plpython3u'"):
        return "plpython3u is not available on this server"
    return None


def worker_problem(conn: psycopg.Connection) -> str | None:
    """Why the worker runtime cannot be installed by this role here, or None when it can."""
    missing = [
        e
        for e in ("dblink", "pgcrypto")
        if not _one(conn, "SELECT count(*) FROM pg_available_extensions WHERE name = %s", (e,))
    ]
    if missing:
        return f"the extension(s) {', '.join(missing)} are not available on this server"
    can = _one(conn, "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    if not can and not _one(conn, "SELECT count(*) FROM pg_roles WHERE rolname = %s", (WORKER_ROLE,)):
        return f"{conn.info.user} may not create roles (CREATEROLE), and the role {WORKER_ROLE} does not exist"
    return None


def choose(conn: psycopg.Connection, asked: str = "auto") -> Choice:
    """The runtime to install with: the one installed here; else ``asked`` ('server', 'worker'), or with 'auto'
    the server runtime wherever this role can create plpython3u and the worker runtime elsewhere. Raises
    InstallError for a runtime that cannot be, or a switch of runtime (not supported in place)."""
    if asked not in (*RUNTIMES, "auto"):
        raise InstallError(f"--runtime {asked}: not a runtime", "use --runtime auto, server or worker")
    found = installed(conn)
    if found is not None:
        if asked not in ("auto", found):
            raise InstallError(
                f"nls is installed here with the {found} runtime; --runtime {asked} would switch it, "
                "which nls install does not do in place",
                f"keep --runtime {found} (or auto); to move a database's nls to the other runtime, "
                "install it into a new database with that runtime and copy the data (docs/managed.md)",
            )
        return Choice(found, f"nls is installed here with the {found} runtime")
    server, worker = server_problem(conn), worker_problem(conn)
    if asked == SERVER and server:
        raise InstallError(f"--runtime server: {server}", "connect as a superuser, or use --runtime worker")
    if asked == WORKER and worker:
        raise InstallError(f"--runtime worker: {worker}", worker_fix(worker))
    if asked == SERVER or (asked == "auto" and server is None):
        return Choice(
            SERVER,
            "asked (--runtime server)"
            if asked == SERVER
            else "plpython3u can be created here: the engine runs inside PostgreSQL",
        )
    if worker:
        raise InstallError(f"neither runtime can be installed here: {server}; and {worker}", worker_fix(worker))
    return Choice(
        WORKER,
        "asked (--runtime worker)"
        if asked == WORKER
        else f"{server}: the engine runs in nls worker processes beside the server",
    )


def worker_fix(problem: str) -> str:
    if "extension" in problem:
        return (
            "enable dblink and pgcrypto in this database (a managed service lists them among its extensions: "
            "CREATE EXTENSION dblink; CREATE EXTENSION pgcrypto as its administrator role)"
        )
    return f"connect as a role with CREATEROLE, or have an administrator create the LOGIN role {WORKER_ROLE}"


def loopback_role(dbname: str) -> str:
    """The loopback's role of a database: ``nls_loopback_<name>`` (63 bytes at most; a hash keeps long names
    apart). One per database, since its password lives in that database."""
    import hashlib

    base = re.sub(r"[^a-z0-9_]", "_", dbname.lower())
    name = f"nls_loopback_{base}"
    if len(name) > 63 or base != dbname:
        name = f"nls_loopback_{base[:40]}_{hashlib.sha256(dbname.encode()).hexdigest()[:8]}"
    return name


def prepare_worker(conn: psycopg.Connection, loopback_host: str | None = None) -> list[str]:
    """The worker runtime's prerequisites, in the install's transaction: pgcrypto and dblink (created when this
    role may), the role nls_worker (LOGIN, no password: the operator gives it one), and the database's loopback
    role with a new random password kept in nls._loopback (which only nls's owner reads), reached at
    ``loopback_host`` (default: the host and port this install connected to). Returns what was done."""
    done = []
    for ext in ("pgcrypto", "dblink"):
        with step(f"CREATE EXTENSION {ext} (the worker runtime needs it)"):
            if not _one(conn, "SELECT count(*) FROM pg_extension WHERE extname = %s", (ext,)):
                conn.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(ext)))
                done.append(f"created extension {ext}")
    with step(f"the role {WORKER_ROLE}"):
        if not _one(conn, "SELECT count(*) FROM pg_roles WHERE rolname = %s", (WORKER_ROLE,)):
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(WORKER_ROLE)
                )
            )
            done.append(
                f"created role {WORKER_ROLE} (LOGIN; give it a password: ALTER ROLE {WORKER_ROLE} PASSWORD '...')"
            )
    role = loopback_role(conn.info.dbname)
    with step(f"the loopback role {role}"):
        done.append(_loopback(conn, role, loopback_host))
    return done


def _loopback(conn: psycopg.Connection, role: str, host: str | None) -> str:
    """Create (or give a new password to) the database's loopback role, and keep how to reach it."""
    password = secrets.token_urlsafe(32)
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
    exists = _one(conn, "SELECT count(*) FROM pg_roles WHERE rolname = %s", (role,))
    verb = (
        "ALTER ROLE {} LOGIN PASSWORD {}"
        if exists
        else "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT"
    )
    conn.execute(sql.SQL(verb).format(sql.Identifier(role), sql.Literal(verifier)))
    info = conn.info
    where = host or info.host or "localhost"
    conninfo = psycopg.conninfo.make_conninfo(host=where, port=str(info.port), user=role, password=password)
    conn.execute(
        "INSERT INTO nls._loopback (only_row, conninfo, role) VALUES (true, %s, %s) ON CONFLICT (only_row) "
        "DO UPDATE SET conninfo = excluded.conninfo, role = excluded.role",
        (conninfo, role),
    )
    return f"loopback role {role} (a new password, kept in nls._loopback) reached at {where}:{info.port}"


def check_loopback(conn: psycopg.Connection) -> str:
    """After a worker runtime's install committed: whether the server reaches itself through its loopback (a
    NOTIFY sent over it). Returns what was checked; raises InstallError with the fix when it does not."""
    role = _one(conn, "SELECT role FROM nls._loopback")
    try:
        conn.execute("SELECT nls._loopback('NOTIFY nls_loopback_check')")
    except psycopg.Error as e:
        detail = (e.diag.message_detail or "").strip()
        raise InstallError(
            f"the worker runtime's loopback (role {role}) does not reach this database: "
            f"{(e.diag.message_primary or str(e)).strip()}" + (f" ({detail})" if detail else ""),
            "run nls install again with --loopback-host set to a name or address at which the "
            "server reaches itself asking for a password (pg_hba md5 or scram-sha-256 for that "
            "address): a managed service's own endpoint or private address (docs/managed.md)",
        ) from e
    return f"the loopback (role {role}) reaches the database: a call commits at once"
