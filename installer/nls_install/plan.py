"""The upgrade plan of ``nls install --check``, read from the database as it is: the releases from and to, the
migrations to apply, the engine modules that change, the settings an install changes or keeps, the backup to take
first; and the refusal of what no install may do (code older than the database). Data and functions: the caller
prints :meth:`Plan.lines`."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.conninfo import make_conninfo

from . import installed, releases
from .install import InstallError
from .installed import Installed
from .resources import Shipped, deploy_file, engine_hash

RESTORE_DOC = "docs/upgrading.md"
# the settings catalogue of sql/06_settings.sql, read as a query (the VALUES list before the upsert that writes it)
_CATALOGUE = re.compile(r"^(WITH catalogue \(.*?\) AS \(VALUES\n.*?\n)\), written AS \(", re.S | re.M)


@dataclass
class Modules:
    """Engine modules an install changes, by name: ``added``, ``changed`` (another source), ``removed``."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Setting:
    """A setting an install touches: ``change`` is 'new' (added at ``default``), 'gone' (no longer in the
    catalogue), 'reset' (``value`` no longer allowed: back to ``default``), 'pinned' (``value`` is the default the
    database was installed with, and this release's default is another: the install keeps ``value``) or 'kept'
    (``value`` set by the DBA)."""

    name: str
    change: str
    value: str | None
    default: str | None


@dataclass
class Plan:
    """What an install of ``shipped`` would do to the database as ``found``: see the module's docstring."""

    found: Installed
    shipped: Shipped
    pending: list[str]
    modules: Modules
    settings: list[Setting] = field(default_factory=list)
    schedule: str = ""  # what the install does to the pg_cron jobs (install.schedule(apply=False)), when it does
    backup: str = ""

    @property
    def missing(self) -> list[str]:
        """Migrations the deployed release was deployed with that the schema no longer has (rolled back by hand)."""
        wanted = (self.found.deployed or {}).get("migrations", [])
        return [m for m in wanted if m not in self.found.migrations]

    @property
    def upgrade(self) -> bool:
        """Whether the install changes the schema or the engine of an installed nls."""
        return bool(self.found.migrations) and bool(
            self.pending or self.modules.any or self.found.release != self.shipped.version
        )

    def lines(self) -> list[str]:
        """The plan in lines for the DBA."""
        to = f"{self.shipped.version} (migration {self.shipped.migrations[-1]})"
        if not self.found.migrations:
            out = [f"New install of nls {to}"]
        elif not self.upgrade:
            out = [f"nls {self.found.describe()} is installed: this install changes no migration and no module"]
        else:
            out = [f"{'Repair' if self.missing else 'Upgrade'} plan: nls {self.found.describe()} -> {to}"]
        if self.missing:
            out.append(
                f"The schema lacks migration(s) {', '.join(self.missing)} that nls {self.found.release} was "
                "deployed with (rolled back by hand): the engine refuses to run until this install applies "
                f"them again and deploys {self.shipped.version}; what the rollback dropped is not restored "
                f"(for that, restore the backup taken before the upgrade: {RESTORE_DOC})"
            )
        if self.found.migrations and not self.found.release:
            out.append(
                f"This database was installed by a build between releases; upgrades are tested from "
                f"{', '.join(r.version for r in releases.RELEASES)}"
            )
        listed = ": " + ", ".join(self.pending) if self.pending else ""
        out.append(f"Would apply {len(self.pending)} migration(s){listed}")
        out.append(self._modules_line())
        out.extend(self._settings_lines())
        if self.schedule:
            out.append(self.schedule)
        if self.upgrade and self.backup:
            out.append(f"Before upgrading, back up the database to go back to (restore: {RESTORE_DOC}):")
            out.append(f"  {self.backup}")
        return out

    def _modules_line(self) -> str:
        m = self.modules
        to = self.shipped.engine
        if not self.found.modules:
            return f"Would deploy {len(self.shipped.modules)} engine modules (engine {to}) and re-apply sql/, plpython/"
        if not m.any:
            return f"Would re-apply sql/ and plpython/; the engine modules are unchanged (engine {to})"
        parts = [
            f"{len(names)} {what} ({', '.join(names)})"
            for what, names in (("changed", m.changed), ("added", m.added), ("removed", m.removed))
            if names
        ]
        return (
            f"Would re-apply sql/ and plpython/ and change engine modules: {'; '.join(parts)} (engine "
            f"{engine_hash(self.found.modules)} -> {to})"
        )

    def _settings_lines(self) -> list[str]:
        by = {c: [s for s in self.settings if s.change == c] for c in ("new", "gone", "reset", "pinned", "kept")}
        out = []
        if by["new"]:
            out.append("Would add setting(s) " + ", ".join(f"{s.name} = '{s.default}'" for s in by["new"]))
        if by["gone"]:
            out.append("Would remove setting(s) no longer used: " + ", ".join(s.name for s in by["gone"]))
        if by["reset"]:
            out.append(
                "Would set back to the default (the value is no longer allowed): "
                + ", ".join(f"{s.name} '{s.value}' -> '{s.default}'" for s in by["reset"])
            )
        for s in by["pinned"]:
            out.append(
                f"Keeps {s.name} = '{s.value}', the default this database was installed with; new installs "
                f"start at '{s.default}' (SELECT nls.set_setting('{s.name}', '{s.default}') moves to it)"
            )
        if by["kept"]:
            out.append(
                f"Keeps {len(by['kept'])} setting(s) you changed: "
                + ", ".join(f"{s.name} = '{s.value}'" for s in by["kept"])
            )
        return out


def refusal(found: Installed, shipped: Shipped) -> InstallError | None:
    """Why this nls must not install over the database as found (its code is older than the database: migrations
    it does not ship, or a newer release deployed), or None."""
    unknown = [m for m in found.migrations if m not in shipped.migrations]
    newer = found.release if found.release and releases.key(found.release) > releases.key(shipped.version) else None
    if not unknown and not newer:
        return None
    detail = f" (migration(s) {', '.join(unknown)} are not among this nls's)" if unknown else ""
    return InstallError(
        f"database is at {found.describe()}, this nls is {shipped.version}{detail}: nothing was changed",
        f"install nls {newer or found.release or 'of the release that made those migrations'} or later, or restore "
        f"the backup taken before the upgrade ({RESTORE_DOC}, 'Stepping back'); nls does not install an older "
        "release over a newer one",
    )


def module_changes(found: dict[str, str], shipped: dict[str, str]) -> Modules:
    """The engine modules that differ between ``found`` and ``shipped`` ({name: sha256} each)."""
    return Modules(
        added=sorted(set(shipped) - set(found)),
        changed=sorted(n for n in shipped if n in found and found[n] != shipped[n]),
        removed=sorted(set(found) - set(shipped)),
    )


def _catalogue() -> str:
    """The settings catalogue of this release as a CTE ``catalogue`` (name, type, unit, default_value, min_value,
    max_value, allowed, description). Raises ValueError when sql/06_settings.sql does not hold it."""
    found = _CATALOGUE.search(deploy_file("sql/06_settings.sql").read_text())
    if found is None:
        raise ValueError("sql/06_settings.sql holds no 'WITH catalogue (...) AS (VALUES ...), written AS (' list")
    return found.group(1) + ")"


def setting_changes(conn: psycopg.Connection, found: Installed) -> list[Setting]:
    """The settings this release's catalogue adds, removes, sets back to their default or keeps, against the ones
    the database has (read only). A value's fit is judged by the database's own nls._setting_fits, when it has one."""
    if not found.settings:
        return []
    fits = (
        "nls._setting_fits(s.value, c.type, c.min_value, c.max_value, c.allowed::text[])"
        if installed.value(
            conn, "SELECT to_regprocedure('nls._setting_fits(text,text,numeric,numeric,text[])') IS NOT NULL"
        )
        else "true"
    )
    old = (
        "s.default_value"
        if installed.value(
            conn,
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('nls.settings') "
            "AND attname = 'default_value' AND NOT attisdropped)",
        )
        else "NULL"
    )
    rows = conn.execute(
        f"{_catalogue()} SELECT coalesce(c.name, s.name), c.name IS NULL, s.name IS NULL, s.value, "
        f"c.default_value, {fits}, {old} FROM catalogue c FULL JOIN nls.settings s ON s.name = c.name "
        "ORDER BY 1"
    ).fetchall()
    out = []
    for name, gone, new, value, default, fit, was in rows:
        change = (
            "gone"
            if gone
            else "new"
            if new
            else "reset"
            if fit is False
            else "pinned"
            if value != default and value == was
            else "kept"
            if value != default
            else None
        )
        if change:
            out.append(Setting(name, change, value, default))
    return out


def backup_command(info: psycopg.ConnectionInfo, release: str | None, when: datetime) -> str:
    """The pg_dump command that backs up the whole database at ``info`` (nls, the typed views' schemas and the
    rest) into one file to restore from; the password comes from PGPASSWORD or ~/.pgpass, never the command."""
    dsn = make_conninfo(host=info.host, port=info.port, user=info.user, dbname=info.dbname)
    name = f"nls-{release or 'backup'}-{re.sub(r'[^A-Za-z0-9_.-]', '_', info.dbname)}-{when:%Y%m%d-%H%M}.dump"
    return shlex.join(["pg_dump", "--format=custom", f"--file={name}", f"--dbname={dsn}"])


def make(conn: psycopg.Connection, found: Installed, shipped: Shipped, schedule: str = "") -> Plan:
    """The plan of installing ``shipped`` over the database at ``conn`` as ``found`` (see :func:`installed.read`),
    with ``schedule`` saying what it does to the pg_cron jobs. Reads only."""
    pending = [m for m in shipped.migrations if m not in found.migrations]
    plan = Plan(found, shipped, pending, module_changes(found.modules, shipped.module_hashes), schedule=schedule)
    plan.settings = setting_changes(conn, found)
    plan.backup = backup_command(conn.info, found.release, datetime.now())
    return plan
