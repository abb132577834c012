"""`nls install`'s steps: check the server, create the extensions, apply migrations (yoyo), deploy ``sql/``,
the Python engine and ``plpython/``, schedule pg_cron. Everything goes over one libpq connection (plus one to
pg_cron's database when that is another); nothing is copied onto the server's file system."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql
from yoyo import get_backend, read_migrations

from . import installed, runtime
from .errors import InstallError, StepFailed, step  # noqa: F401 - the installer's errors, named ins.* by callers
from .resources import ENGINE, Shipped, data_dir, deploy_file, deploy_order, sha256

JOB_NAME = "sync-notion-databases"
JOB_COMMAND = "CALL nls.sync_all_users_notion_databases()"
# the job that applies the webhook events, every minute; with nothing waiting a run costs one statement
WEBHOOK_JOB_NAME = "apply-notion-webhooks"
WEBHOOK_JOB_COMMAND = "CALL nls.apply_all_webhook_events()"
WEBHOOK_SCHEDULE = "* * * * *"
DEFAULT_SCHEDULE = "*/15 * * * *"
DEFAULT_WORKERS = 4
CRON_ROLE = "nls_cron"
MIN_SERVER = 140000


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    optional: bool = False  # a failed optional check says what a feature needs; it does not stop the install


@dataclass
class Report:
    """The checks of the server (:func:`check`), in the order they ran."""

    checks: list[Check] = field(default_factory=list)
    choice: runtime.Choice | None = None  # the runtime the install uses (check)

    def failed(self, scheduled: bool = True) -> list[Check]:
        """The failed checks that stop an install: every one that is not optional, but pg_cron's only when the
        install schedules the pg_cron jobs (``scheduled``; ``--no-schedule`` installs without pg_cron)."""
        return [c for c in self.checks if not c.ok and not c.optional and (scheduled or c.name != "pg_cron")]


def connect(dsn: str) -> psycopg.Connection:
    """A libpq connection from a DSN or URL (``PG*`` environment variables fill what it leaves out), speaking UTF-8
    whatever the database's encoding (in a SQL_ASCII database the server's own would make psycopg return text as
    bytes). Raises InstallError when the server cannot be reached."""
    try:
        return psycopg.connect(dsn, autocommit=True, client_encoding="UTF8")
    except psycopg.OperationalError as e:
        raise InstallError(
            f"cannot connect to PostgreSQL: {' '.join(str(e).split())}",
            "check --dsn (or PGHOST, PGPORT, PGUSER, PGDATABASE) and that the server is running",
        ) from e
    except psycopg.ProgrammingError as e:  # libpq could not read the DSN
        raise InstallError(
            f"--dsn is not a connection string: {' '.join(str(e).split())}",
            "give --dsn as 'host=... port=... user=... dbname=...' or 'postgresql://user@host/db'",
        ) from e


def _one(conn: psycopg.Connection, query: str, params=None):
    row = conn.execute(query, params).fetchone()
    return row[0] if row else None


def _try_python(conn: psycopg.Connection, code: str) -> str | None:
    """Run PL/Python ``code`` in a transaction that is rolled back; returns the error text, or None."""
    return _try_sql(
        conn,
        "CREATE EXTENSION IF NOT EXISTS plpython3u",
        sql.SQL("DO {} LANGUAGE plpython3u").format(sql.Literal(code)),
    )


def check(conn: psycopg.Connection, asked: str = "auto") -> Report:
    """The checks of ``nls install --check``: each with what is wrong and the fix, and the runtime the install
    uses (``report.choice``: ``asked`` is auto, server or worker; see :mod:`nls_install.runtime`)."""
    r = Report()
    r.checks.append(encoding_check(conn))
    version = conn.info.server_version
    r.checks.append(
        Check(
            "server version",
            version >= MIN_SERVER,
            _one(conn, "SHOW server_version"),
            "nls needs PostgreSQL 14 or later",
        )
    )
    try:
        r.choice = runtime.choose(conn, asked)
    except InstallError as e:
        r.checks.append(Check("runtime", False, str(e), e.fix))
        return r
    r.checks.append(Check("runtime", True, f"{r.choice.runtime}: {r.choice.why}"))
    if r.choice.runtime == runtime.SERVER:
        server_checks(conn, r)
    else:
        worker_checks(conn, r)
    r.checks.append(pg_net_check(conn, r.choice.runtime))
    return r


def pg_net_check(conn: psycopg.Connection, runtime_name: str) -> Check:
    """Whether pg_net sends the events' webhooks here (docs/events.md), and what nls does without it: optional (the
    events go out on NOTIFY nls_events whatever the answer). In the worker runtime the workers send them."""
    if runtime_name != runtime.SERVER:
        return Check("pg_net", True, "not needed: the nls workers deliver the events' webhooks themselves")
    here = conn.info.dbname
    row = installed.row(
        conn,
        "SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pg_net'), "
        "(SELECT default_version FROM pg_available_extensions WHERE name = 'pg_net'), "
        "(SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'), "
        "coalesce((SELECT setting FROM pg_settings WHERE name = 'pg_net.database_name'), "
        "'postgres')",
    )
    created, available, preload, served = row
    # a role that may not read the server's settings (pg_settings hides them): pg_net created here is taken as loaded
    preloaded = bool(created) if preload is None else "pg_net" in [p.strip() for p in preload.split(",")]
    without = "without it, events go out on NOTIFY nls_events only and their webhooks stay pending"
    setup = (
        f"add pg_net to shared_preload_libraries, set pg_net.database_name = '{here}', restart the server, "
        "then CREATE EXTENSION pg_net in this database as a superuser"
    )
    if created and preloaded and served == here:
        return Check(
            "pg_net",
            True,
            f"pg_net {created} serves this database: nls sends the events' webhooks "
            "through it (nls.deliver_events, after each user's round and every minute)",
        )
    if created or available:
        what = (
            (f"pg_net {created} is created here" if created else f"pg_net {available} is available")
            + ("" if preloaded else " but not in shared_preload_libraries")
            + ("" if served == here else f"; its worker serves database '{served}', not this one")
        )
        return Check("pg_net", False, f"{what}: {without}", setup, optional=True)
    return Check(
        "pg_net",
        False,
        f"pg_net is not installed on this server: {without}",
        "build it from https://github.com/supabase/pg_net with PGXS (make deps does, from its source "
        f"tarball; docs/events.md), then {setup}",
        optional=True,
    )


def server_checks(conn: psycopg.Connection, r: Report) -> None:
    """The server runtime's checks: a superuser, plpython3u, pg_cron, the server's Python modules, Anki's library,
    the encryption key in the server's environment."""
    superuser = _one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    r.checks.append(
        Check(
            "privileges",
            bool(superuser),
            f"connected as {conn.info.user}" + (" (superuser)" if superuser else " (not a superuser)"),
            "plpython3u is an untrusted language: only a superuser can create its functions. Connect as "
            "a superuser (e.g. --dsn 'postgresql://postgres@host/db') to install",
        )
    )
    if not superuser:
        return  # the remaining checks read settings and run PL/Python, which need a superuser
    avail = _one(conn, "SELECT count(*) FROM pg_available_extensions WHERE name = 'plpython3u'")
    r.checks.append(
        Check(
            "plpython3u",
            bool(avail),
            "available" if avail else "not available on this server",
            "install the server package with PL/Python (Debian/Ubuntu: apt-get install "
            "postgresql-plpython3-15, matching the server's major version); managed services without "
            "untrusted languages cannot run nls",
        )
    )
    preload = _one(conn, "SHOW shared_preload_libraries") or ""
    has_cron = "pg_cron" in [p.strip() for p in preload.split(",")]
    r.checks.append(
        Check(
            "pg_cron",
            has_cron,
            f"shared_preload_libraries = '{preload}'",
            "install pg_cron (Debian/Ubuntu: apt-get install postgresql-15-cron), add pg_cron to "
            "shared_preload_libraries in postgresql.conf, set cron.database_name, and restart the "
            "server; or run nls install --no-schedule and call the sync yourself",
        )
    )
    if has_cron:
        r.checks.append(Check("cron.database_name", True, _one(conn, "SHOW cron.database_name")))
    if avail and superuser:
        err = _try_python(conn, "import requests, urllib3, cryptography")
        r.checks.append(
            Check(
                "server Python modules",
                err is None,
                "requests, urllib3 and cryptography import in the server's Python" if err is None else err,
                "install them for the Python PostgreSQL runs (/usr/bin/python3 on Debian): apt-get "
                "install python3-requests python3-cryptography",
            )
        )
        r.checks.append(anki_check(conn))
        r.checks.append(key_check(conn))


def key_check(conn: psycopg.Connection) -> Check:
    """Whether the server's Python finds the encryption key: the key file, when the setting names one, wins over
    the environment (crypto.load_ring)."""
    key_file = installed.setting(conn, "encryption_key_file", "")
    code = (
        f"import os\nkf = {key_file!r}\nif (kf and not os.path.isfile(kf)) or (not kf and not os.environ.get("
        "'NLS_ENCRYPTION_KEY')):\n    plpy.error('no encryption key')\n"
    )
    err = _try_python(conn, code)
    return Check(
        "encryption key",
        err is None,
        "NLS_ENCRYPTION_KEY is set in the server's environment"
        if err is None and not key_file
        else (
            f"key file {key_file}"
            if err is None
            else f"the key file {key_file} is not readable by the server"
            if key_file
            else "neither NLS_ENCRYPTION_KEY in the server's environment nor a key file"
        ),
        "generate one (openssl rand -hex 32), put NLS_ENCRYPTION_KEY=<key> in the server's "
        "environment (e.g. /etc/postgresql/15/main/environment) and restart it, or after "
        "installing run SELECT nls.set_setting('encryption_key_file', '/path/readable/by/postgres')",
    )


def _worker_extension_checks(conn: psycopg.Connection) -> list[Check]:
    """dblink and pgcrypto, each present or created here."""
    out = []
    for ext, why in (
        ("dblink", "a call commits at once through a loopback connection, so that a worker sees it"),
        ("pgcrypto", "a token or password passes to the workers under a one-time key"),
    ):
        err = (
            None
            if _one(conn, "SELECT count(*) FROM pg_extension WHERE extname = %s", (ext,))
            else _try_sql(conn, f"CREATE EXTENSION {ext}")
        )
        out.append(
            Check(
                ext,
                err is None,
                f"{'present' if err is None else err}: {why}",
                f"enable {ext} in this database (a managed service lists it among its extensions; "
                f"as its administrator role: CREATE EXTENSION {ext})",
            )
        )
    return out


def worker_checks(conn: psycopg.Connection, r: Report) -> None:
    """The worker runtime's checks: dblink and pgcrypto, the roles, pg_cron, and where the encryption key is."""
    r.checks += _worker_extension_checks(conn)
    problem = runtime.worker_problem(conn)
    r.checks.append(
        Check(
            "roles",
            problem is None,
            problem
            or f"{conn.info.user} may create the roles "
            f"{runtime.WORKER_ROLE} and {runtime.loopback_role(conn.info.dbname)}",
            runtime.worker_fix(problem or ""),
        )
    )
    has_cron, where = worker_cron(conn)
    r.checks.append(
        Check(
            "pg_cron",
            has_cron,
            where + (f"; its jobs run as {conn.info.user} and only open each round" if has_cron else ""),
            "enable pg_cron (a managed service: its parameter or flag, then CREATE EXTENSION pg_cron "
            "in cron.database_name as its administrator role) and grant this role USAGE on schema "
            "cron; or run nls install --no-schedule",
            optional=not has_cron,
        )
    )
    r.checks.append(
        Check(
            "encryption key",
            True,
            "kept by the workers (NLS_ENCRYPTION_KEY in the environment of nls worker), never by the database server",
        )
    )
    logged = has_parameter_privilege(conn)
    r.checks.append(
        Check(
            "parameters kept out of the server log",
            logged,
            "nls sets log_parameter_max_length = 0"
            if logged
            else f"{conn.info.user} may not set log_parameter_max_length: a bound token "
            "could reach the server log where statements are logged with their parameters",
            "ask the service to set log_parameter_max_length = 0 and log_parameter_max_length_on_error "
            "= 0 for this database (or grant SET on them)",
            optional=True,
        )
    )


def worker_cron(conn: psycopg.Connection) -> tuple[bool, str]:
    """(whether this role can schedule pg_cron jobs, where pg_cron is, in words), for the worker runtime."""
    database = cron_database(conn)
    try:
        cconn, _ = cron_target(conn, conn.info.password)
    except psycopg.Error as e:
        return False, f"cannot connect to pg_cron's database {database}: {(e.diag.message_primary or str(e)).strip()}"
    try:
        if not _one(cconn, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'"):
            return False, f"pg_cron is not created in database {database}"
        usable = _one(cconn, "SELECT has_schema_privilege('cron', 'USAGE')")
        return bool(usable), f"pg_cron in database {database}" + (
            "" if usable else f", but {conn.info.user} has no USAGE on schema cron"
        )
    finally:
        if cconn is not conn:
            cconn.close()


def has_parameter_privilege(conn: psycopg.Connection) -> bool:
    return bool(_one(conn, "SELECT has_parameter_privilege('log_parameter_max_length', 'SET')"))


def shown(conn: psycopg.Connection, name: str) -> str | None:
    """A server setting (SHOW), or None when it is unset or this role may not read it (a role that is no superuser
    reads neither shared_preload_libraries nor cron.database_name without pg_read_all_settings)."""
    try:
        with conn.transaction():
            return _one(conn, "SELECT current_setting(%s, true)", (name,))
    except psycopg.errors.InsufficientPrivilege:
        return None


def cron_loaded(conn: psycopg.Connection) -> bool | None:
    """Whether pg_cron is in shared_preload_libraries (None: this role may not read it)."""
    preload = shown(conn, "shared_preload_libraries")
    return None if preload is None else "pg_cron" in [p.strip() for p in preload.split(",")]


def cron_database(conn: psycopg.Connection) -> str:
    """The database pg_cron lives in (cron.database_name; for a role that may not read it: this database when it
    holds schema cron, else pg_cron's default, postgres)."""
    name = shown(conn, "cron.database_name")
    if name:
        return name
    return conn.info.dbname if _one(conn, "SELECT to_regnamespace('cron') IS NOT NULL") else "postgres"


def _try_sql(conn: psycopg.Connection, *statements) -> str | None:
    """Run ``statements`` in a transaction that is rolled back; returns the error text, or None."""
    try:
        with conn.transaction(force_rollback=True):
            for statement in statements:
                conn.execute(statement)
        return None
    except psycopg.Error as e:
        return (e.diag.message_primary or str(e)).strip()


def encoding_check(conn: psycopg.Connection) -> Check:
    """Whether the database's encoding is UTF8, with the statement that makes one that is (the first check: the
    migrations fail in any other)."""
    encoding = _one(conn, "SHOW server_encoding")
    name = conn.info.dbname
    new = sql.Identifier(f"{name}_utf8").as_string(conn)
    why = "keeps as bytes it never checks" if encoding == "SQL_ASCII" else "cannot hold all of"
    return Check(
        "database encoding",
        encoding == "UTF8",
        f"database {name} is {encoding}"
        + (
            ""
            if encoding == "UTF8"
            else f", not UTF8: nls needs UTF8, since Notion's text is Unicode "
            f"(every script, emoji), which {encoding} {why}"
        ),
        f"create a UTF8 database and install nls there: CREATE DATABASE {new} ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0; (template0: other templates keep "
        "their own encoding), then nls install --dsn naming that database",
    )


ANKI_REQUIREMENT = "anki==26.9.3"  # Anki's library, AGPL-3.0: the optional Anki sync
ANKI_PATH = "/usr/local/lib/nls/anki-python"  # the default of the setting anki_python_path


def anki_check(conn: psycopg.Connection) -> Check:
    """Whether the server's Python imports Anki's library from the folder the setting anki_python_path names (its
    default before the first install): optional, since only the Anki sync needs it."""
    path = installed.setting(conn, "anki_python_path", ANKI_PATH)
    code = (
        f"import sys\np = {path!r}\nif p and p not in sys.path:\n    sys.path.append(p)\n"
        "import anki.buildinfo\nfrom anki.collection import Collection\n"
        "plpy.notice('anki ' + anki.buildinfo.version)\n"
    )
    err = _try_python(conn, code)
    where = f" from {path}" if path else ""
    return Check(
        "Anki's library (optional: the Anki sync)",
        err is None,
        f"anki imports in the server's Python{where}"
        if err is None
        else f"anki does not import in the server's Python{where}: {err}; the Notion sync works without it",
        f"as root on the database server: /usr/bin/python3 -m pip install --target {path or ANKI_PATH} "
        f"'{ANKI_REQUIREMENT}' (Anki's library is AGPL-3.0; the folder must be readable by the server's "
        "OS user)" + ("" if path else f", then SELECT nls.set_setting('anki_python_path', '{ANKI_PATH}')"),
        optional=True,
    )


def yoyo_url(conn: psycopg.Connection, password: str | None) -> str:
    info = conn.info
    user = quote(info.user or "", safe="")
    auth = user + (":" + quote(password, safe="") if password else "")
    host = info.host or ""
    netloc = f"{auth}@" + ("" if host.startswith("/") else host) + (f":{info.port}" if not host.startswith("/") else "")
    query = "?schema=nls" + (f"&host={quote(host, safe='')}&port={info.port}" if host.startswith("/") else "")
    return f"postgresql+psycopg://{netloc}/{quote(info.dbname, safe='')}{query}"


def migrate(conn: psycopg.Connection, password: str | None, apply: bool = True) -> list[str]:
    """Apply pending migrations with yoyo (its bookkeeping tables live in schema nls); returns their ids."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS nls")
    backend = get_backend(yoyo_url(conn, password))
    migrations = read_migrations(str(data_dir("migrations")))
    with backend.lock():
        pending = backend.to_apply(migrations)
        ids = [m.id for m in pending]
        if apply and pending:
            backend.apply_migrations(pending)
    return ids


def rollback_all(conn: psycopg.Connection, password: str | None) -> list[str]:
    backend = get_backend(yoyo_url(conn, password))
    migrations = read_migrations(str(data_dir("migrations")))
    with backend.lock():
        applied = backend.to_rollback(migrations)
        backend.rollback_migrations(applied)
    return [m.id for m in applied]


def stamp(conn: psycopg.Connection, shipped: Shipped) -> None:
    """Record in the database what is deployed: ``nls._deployed()`` returns {"release", "migrations"} (the ids the
    schema must have for this engine), read by nls.version() and by the engine's check of its schema."""
    record = json.dumps({"release": shipped.version, "migrations": shipped.migrations})
    body = sql.SQL("SELECT {}::jsonb").format(sql.Literal(record)).as_string(conn)
    conn.execute(
        sql.SQL(
            "CREATE OR REPLACE FUNCTION nls._deployed() RETURNS jsonb LANGUAGE sql IMMUTABLE "
            "PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS {}"
        ).format(sql.Literal(body))
    )


def deploy_engine(conn: psycopg.Connection, modules: dict[str, str]) -> str:
    """Write the engine's ``modules`` ({name: source}) into nls._python_module (only the changed ones; the ones
    no longer shipped removed). Returns what was done."""
    changed = 0
    for name, source in modules.items():
        cur = conn.execute(
            "INSERT INTO nls._python_module (name, source, sha256) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET source = excluded.source, sha256 = excluded.sha256, deployed_at = now() "
            "WHERE nls._python_module.sha256 <> excluded.sha256",
            (name, source, sha256(source)),
        )
        changed += cur.rowcount
    gone = conn.execute("DELETE FROM nls._python_module WHERE name <> ALL (%s)", (list(modules),)).rowcount
    return f"deployed {len(modules)} engine modules ({changed} changed, {gone} removed) into nls._python_module"


def deploy(conn: psycopg.Connection, shipped: Shipped | None = None, runtime_name: str | None = None) -> list[str]:
    """Re-apply ``sql/``, the engine's Python modules and the runtime's entry points (``runtime_name``: the one
    installed, by default) in their deploy order (:func:`resources.deploy_order`), record the release
    (:func:`stamp`) and check that the engine loads (the server runtime; in the worker runtime a worker loads it),
    in one transaction (a savepoint of the caller's, when it has one). Raises :class:`StepFailed` naming the step
    that failed; then nothing of it is left."""
    shipped = shipped or Shipped()
    runtime_name = runtime_name or runtime.installed(conn) or runtime.SERVER
    done = []
    with conn.transaction():
        with step("the record of the release (nls._deployed())"):
            stamp(conn, shipped)
        for name in deploy_order(runtime_name):
            with step("the engine modules" if name == ENGINE else name):
                if name == ENGINE:
                    done.append(deploy_engine(conn, shipped.modules))
                else:
                    conn.execute(deploy_file(name).read_text())
                    done.append(f"applied {name}")
        if runtime_name == runtime.SERVER:
            with step("the engine's load check (SELECT nls.engine_status())"):
                status = _one(conn, "SELECT nls.engine_status()")
            done.append(f"engine loads in the server: {json.dumps(status)}")
    return done


def cron_target(conn: psycopg.Connection, password: str | None) -> tuple[psycopg.Connection, str]:
    """(connection to pg_cron's database, the job name prefix: the database's name is added when pg_cron lives
    in another database)."""
    cron_db = cron_database(conn)
    here = conn.info.dbname
    if cron_db == here:
        return conn, JOB_NAME
    params: dict[str, Any] = dict(conn.info.get_parameters())
    params["dbname"] = cron_db
    if password:
        params["password"] = password
    other = psycopg.connect(**params, autocommit=True)
    return other, f"{JOB_NAME} ({here})"


def job_names(prefix: str, workers: int) -> list[str]:
    """The worker jobs' names: ``sync-notion-databases``, ``sync-notion-databases-2``, ... (followed by the
    database's name in parentheses when pg_cron lives in another database)."""
    base, _, suffix = prefix.partition(" ")
    return [prefix] + [f"{base}-{i}" + (f" {suffix}" if suffix else "") for i in range(2, workers + 1)]


def _jobs(cconn: psycopg.Connection, prefix: str) -> dict[str, tuple]:
    """This database's worker jobs: {name: (schedule, command, database, username, jobid)}."""
    base, _, suffix = prefix.partition(" ")
    rows = cconn.execute("SELECT jobname, schedule, command, database, username, jobid FROM cron.job").fetchall()
    mine = {}
    for name, *rest in rows:
        head, _, tail = name.partition(" ")
        number = head[len(base) + 1 :] if head.startswith(base + "-") else ""
        if tail == suffix and (head == base or number.isdigit()):
            mine[name] = tuple(rest)
    return mine


def kept_schedule(have: dict[str, tuple], cron: str | None, workers: int | None) -> tuple[str, int, str]:
    """The schedule and number of worker jobs an install sets, and why: what was asked (``cron``, ``workers``), else
    what the worker jobs ``have`` ({name: (schedule, ...)}, see :func:`_jobs`) run at, else the defaults. Returns
    (schedule, workers, a note for the DBA: '' when nothing is kept or changed)."""
    now = have[min(have)][0] if have else None
    cron_out = cron or now or DEFAULT_SCHEDULE
    workers_out = workers or len(have) or DEFAULT_WORKERS
    notes = []
    if have and cron is None:
        notes.append(f"your schedule '{now}' is kept: --schedule changes it")
    elif have and cron != now:
        notes.append(f"the schedule changes from '{now}' to '{cron}'")
    if have and workers is None:
        notes.append(f"your {len(have)} worker job(s) are kept: --workers changes them")
    elif have and workers != len(have):
        notes.append(f"the worker jobs change from {len(have)} to {workers}")
    return cron_out, workers_out, "; ".join(notes)


def schedule(
    conn: psycopg.Connection,
    password: str | None,
    cron: str | None = None,
    workers: int | None = None,
    apply: bool = True,
    runtime_name: str = runtime.SERVER,
) -> str:
    """Create or update the pg_cron jobs: in the server runtime ``workers`` jobs, each running the worker procedure as
    role nls_cron at ``cron`` (extra ones from an earlier, larger --workers are removed); in the worker runtime one
    job, as the installing role (pg_cron lets a role that is no superuser schedule only as itself), that opens the
    round the workers run. None keeps what the jobs have (the defaults for new jobs: :func:`kept_schedule`).
    Returns what was (or would be) done."""
    if workers is not None and workers < 1:
        raise InstallError(f"--workers {workers}: at least one worker job is needed", "use --workers 1 or more")
    role = CRON_ROLE if runtime_name == runtime.SERVER else None
    cconn, prefix = cron_target(conn, password)
    here, who = conn.info.dbname, role or conn.info.user
    try:
        if apply:
            cconn.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
        elif not _one(cconn, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'"):
            return (
                f"would create extension pg_cron in {cconn.info.dbname} and schedule "
                f"{workers or DEFAULT_WORKERS} worker job(s) at '{cron or DEFAULT_SCHEDULE}'"
            )
        hooks = schedule_webhooks(cconn, prefix, here, apply, role)
        have = _jobs(cconn, prefix)
        cron, workers, note = kept_schedule(have, cron, workers if role else 1)
        note = f" ({note})" if note else ""
        want = job_names(prefix, workers)
        if sorted(have) == sorted(want) and all(have[n][:4] == (cron, JOB_COMMAND, here, who) for n in want):
            return (
                f"pg_cron job '{prefix}' and {workers - 1} more worker(s) already run '{JOB_COMMAND}' at "
                f"'{cron}' in {here} as {who}: unchanged{note}; {hooks}"
            )
        if not apply:
            return (
                f"would schedule {workers} pg_cron worker job(s) '{prefix}' at '{cron}' in {here} as {who}"
                f"{note}; {hooks}"
            )
        for job in have.values():  # by id: a job owned by nls_cron is not found by name from here
            cconn.execute("SELECT cron.unschedule(%s::bigint)", (job[4],))
        for name in want:
            _schedule_job(cconn, name, cron, JOB_COMMAND, here, role)
        return (
            f"scheduled pg_cron job '{prefix}' and {workers - 1} more worker(s) at '{cron}': {JOB_COMMAND} "
            f"in database {here} as role {who}{note}; {hooks}"
        )
    finally:
        if cconn is not conn:
            cconn.close()


def _schedule_job(
    cconn: psycopg.Connection, name: str, cron: str, command: str, database: str, role: str | None
) -> None:
    """One pg_cron job: in ``database`` as ``role`` (None: the role scheduling it; with no other database to name,
    plain cron.schedule, which every pg_cron offers)."""
    if role is None and cconn.info.dbname == database:
        cconn.execute("SELECT cron.schedule(%s, %s, %s)", (name, cron, command))
    else:
        cconn.execute(
            "SELECT cron.schedule_in_database(%s, %s, %s, %s, %s, true)", (name, cron, command, database, role)
        )


def webhook_job_name(prefix: str) -> str:
    """The webhook job's name: ``apply-notion-webhooks``, followed by the database's name in parentheses as the
    worker jobs are when pg_cron lives in another database."""
    _, _, suffix = prefix.partition(" ")
    return WEBHOOK_JOB_NAME + (f" {suffix}" if suffix else "")


def schedule_webhooks(
    cconn: psycopg.Connection, prefix: str, here: str, apply: bool, role: str | None = CRON_ROLE
) -> str:
    """Create or keep the job that applies the webhook events every minute, as ``role`` (None: the installing role,
    in the worker runtime, where the job wakes the workers). Returns what was done."""
    name = webhook_job_name(prefix)
    rows = cconn.execute(
        "SELECT jobid, schedule, command, database, username FROM cron.job WHERE jobname = %s", (name,)
    ).fetchall()
    who = role or cconn.info.user
    if len(rows) == 1 and tuple(rows[0][1:]) == (WEBHOOK_SCHEDULE, WEBHOOK_JOB_COMMAND, here, who):
        return f"pg_cron job '{name}' already runs '{WEBHOOK_JOB_COMMAND}' every minute: unchanged"
    if not apply:
        return f"would schedule pg_cron job '{name}' every minute: {WEBHOOK_JOB_COMMAND}"
    for row in rows:
        cconn.execute("SELECT cron.unschedule(%s::bigint)", (row[0],))
    _schedule_job(cconn, name, WEBHOOK_SCHEDULE, WEBHOOK_JOB_COMMAND, here, role)
    return f"scheduled pg_cron job '{name}' every minute: {WEBHOOK_JOB_COMMAND} in database {here} as {who}"


def unschedule(conn: psycopg.Connection, password: str | None) -> str:
    if cron_loaded(conn) is False:
        return "pg_cron is not loaded: no job to remove"
    cconn, prefix = cron_target(conn, password)
    try:
        if not _one(cconn, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'"):
            return "pg_cron is not installed: no job to remove"
        have = _jobs(cconn, prefix)
        for job in have.values():
            cconn.execute("SELECT cron.unschedule(%s::bigint)", (job[4],))
        hooks = cconn.execute(
            "SELECT jobid, jobname FROM cron.job WHERE jobname = %s", (webhook_job_name(prefix),)
        ).fetchall()
        for jobid, name in hooks:
            cconn.execute("SELECT cron.unschedule(%s::bigint)", (jobid,))
            have[name] = ()
        return f"removed pg_cron job(s) {', '.join(sorted(have))}" if have else f"no pg_cron job '{prefix}'"
    finally:
        if cconn is not conn:
            cconn.close()


NLS_ROLES = (
    "nls_admin",
    "nls_app",
    "nls_cron",
    "nls_webhook",
    "nls_worker",
)  # migrations 0006 and 0013; the worker runtime
# the database settings sql/90_privileges.sql gives this database, with the value it gives them
DATABASE_SETTINGS = {"log_parameter_max_length": "0", "log_parameter_max_length_on_error": "0"}


@dataclass
class Removal:
    """What ``nls install --uninstall`` did (``removed``) and what it left in place (``stays``), each with why and
    the statement that removes it: a line each for the DBA."""

    removed: list[str] = field(default_factory=list)
    stays: list[str] = field(default_factory=list)


def uninstall(conn: psycopg.Connection, password: str | None) -> Removal:
    """Remove what nls made in this database: its pg_cron jobs, the schema nls (everything synced), the schemas nls
    created for typed views (each when nothing but nls's views was in it) and the database settings nls set. The
    roles (cluster-wide) and the extensions stay; :func:`lasting` says how to drop them. A second run finds nothing
    to remove and says so."""
    out = Removal()
    out.removed.append(unschedule(conn, password))
    with conn.transaction():
        has_nls = _one(conn, "SELECT to_regnamespace('nls') IS NOT NULL")
        schemas = (
            [r[0] for r in conn.execute("SELECT schema_name FROM nls.typed_view_schemas ORDER BY 1")]
            if has_nls and _one(conn, "SELECT to_regclass('nls.typed_view_schemas') IS NOT NULL")
            else []
        )
        loopback = (
            _one(conn, "SELECT role FROM nls._loopback")
            if has_nls and _one(conn, "SELECT to_regclass('nls._loopback') IS NOT NULL")
            else None
        )
        if has_nls:
            conn.execute("DROP SCHEMA nls CASCADE")
        out.removed.append(
            "dropped schema nls (its tables, views, functions and everything synced)" if has_nls else "no schema nls"
        )
        if loopback:  # the worker runtime's role of this database alone
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(loopback)))
            out.removed.append(f"dropped role {loopback} (the worker runtime's loopback of this database)")
        for name in schemas:
            _drop_typed_view_schema(conn, name, out)
        out.removed.append(_reset_database_settings(conn))
    out.stays += lasting(conn)
    return out


def _drop_typed_view_schema(conn: psycopg.Connection, name: str, out: Removal) -> None:
    """Drop a schema nls created for typed views (its views went with schema nls); one that holds objects of
    someone else's stays, without the grants nls gave on it."""
    ident = sql.Identifier(name)
    try:
        with conn.transaction():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {}").format(ident))
        out.removed.append(f"dropped schema {name} (nls created it for typed views)")
    except psycopg.errors.DependentObjectsStillExist:
        roles = [
            r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY (%s)", (list(NLS_ROLES),))
        ]
        if roles:
            conn.execute(
                sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(ident, sql.SQL(", ").join(map(sql.Identifier, roles)))
            )
        held = _one(
            conn,
            "SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c "
            "WHERE c.relnamespace = to_regnamespace(%s) AND c.relkind NOT IN ('i', 'I', 't')",
            (ident.as_string(conn),),
        )
        out.stays.append(
            f"schema {name}, which nls created for typed views: it holds objects nls did not make "
            f"({held or 'functions or types'}); DROP SCHEMA {ident.as_string(conn)} CASCADE drops "
            "them with it"
        )


def _reset_database_settings(conn: psycopg.Connection) -> str:
    """Reset the database settings nls set (DATABASE_SETTINGS) that still have the value nls gave them."""
    rows = conn.execute(
        "SELECT unnest(setconfig) FROM pg_db_role_setting WHERE setrole = 0 AND setdatabase = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    ).fetchall()
    current = dict(r[0].split("=", 1) for r in rows)
    ours = [name for name, value in DATABASE_SETTINGS.items() if current.get(name) == value]
    for name in ours:
        conn.execute(
            sql.SQL("ALTER DATABASE {} RESET {}").format(sql.Identifier(conn.info.dbname), sql.Identifier(name))
        )
    if not ours:
        return "no database setting of nls's left to reset"
    return f"reset {', '.join(ours)} of database {conn.info.dbname} (nls had set them to 0)"


def lasting(conn: psycopg.Connection) -> list[str]:
    """What nls made that ``--uninstall`` leaves in place, a line each with why and the statement that drops it:
    the nls roles (cluster-wide: with the databases whose objects or privileges still name them, where DROP ROLE
    would fail) and the extensions plpython3u and pg_cron of this database."""
    roles = conn.execute(
        "SELECT r.rolname, (SELECT string_agg(DISTINCT d.datname, ', ') FROM pg_shdepend s JOIN pg_database d "
        "ON d.oid = CASE WHEN s.classid = 'pg_database'::regclass THEN s.objid ELSE s.dbid END "
        "WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = r.oid) "
        "FROM pg_roles r WHERE r.rolname = ANY (%s) ORDER BY 1",
        (list(NLS_ROLES),),
    ).fetchall()
    out = []
    if roles:
        users = sorted({d for _, dbs in roles if dbs for d in dbs.split(", ")})
        drop = f"DROP ROLE {', '.join(r for r, _ in reversed(roles))};"
        out.append(
            f"roles {', '.join(r for r, _ in roles)}: a role belongs to the whole cluster, and the nls of "
            "every database of it uses the same ones; "
            + (
                f"database(s) {', '.join(users)} still hold objects or privileges of theirs (nls installed "
                f"there, or grants of your own): once they do not, {drop} drops them"
                if users
                else f"no database of this cluster uses them any more: {drop} drops them (the logins granted "
                "them lose those memberships)"
            )
        )
    exts = [
        r[0]
        for r in conn.execute(
            "SELECT extname FROM pg_extension WHERE extname IN ('plpython3u', 'pg_cron', "
            "'dblink', 'pgcrypto') "
            "ORDER BY 1"
        )
    ]
    if exts:
        out.append(
            f"extension(s) {', '.join(exts)} of database {conn.info.dbname}: other code may use them; "
            + " ".join(f"DROP EXTENSION {e};" for e in exts)
            + " drops them"
        )
    return out
