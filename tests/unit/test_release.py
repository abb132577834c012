"""Releases without a database: one place for the release number, the published releases, frozen migrations, the
deploy order, retired signatures dropped only by migrations, and the decisions of the upgrade plan (refusals, module
and schedule changes, what the plan says)."""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

import nls_install
from fakes import stand_in
from nls_install import plan as plans, releases
from nls_install.install import kept_schedule
from nls_install.installed import Installed
from nls_install.resources import DEPLOY_ORDER, ENGINE, Shipped, engine_hash, engine_modules

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
FROZEN = MIGRATIONS / "frozen.txt"


def test_the_release_is_written_once_and_nls_version_prints_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    source = ROOT / project["tool"]["hatch"]["version"]["path"]
    assert source == Path(nls_install.__file__) and re.search(r'^__version__ = "(.*)"$', source.read_text(), re.M)
    out = subprocess.run([sys.executable, "-m", "nls_cli", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"nls {nls_install.__version__}"


def test_the_published_releases_are_older_than_this_one_and_name_their_commit_and_last_migration():
    versions = [releases.key(r.version) for r in releases.RELEASES]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    assert all(v < releases.key(nls_install.__version__) for v in versions)
    shipped = Shipped().migrations
    for r in releases.RELEASES:
        assert re.fullmatch(r"[0-9a-f]{40}", r.commit) and r.last_migration in shipped
    assert releases.previous() == releases.RELEASES[-1]
    assert releases.previous("0.1.0") is None


def test_a_release_key_compares_as_numbers_and_refuses_anything_else():
    assert releases.key("0.10.0") > releases.key("0.9.3") > releases.key("0.2.0")
    for bad in ("0.2", "v0.2.0", "0.2.0rc1", "", None):
        with pytest.raises(ValueError, match="three whole numbers"):
            releases.key(bad)  # type: ignore[arg-type]  # None among the bad input is the point


def test_a_database_names_its_release_by_its_migrations_when_it_does_not_say():
    assert releases.of_migrations(["0001.engine-schema", "0013.webhooks-and-change"]) == "0.1.0"
    assert releases.of_migrations(["0001.engine-schema", "0011.two-way"]) is None
    assert releases.of_migrations([]) is None
    assert (
        Installed(migrations=["0011.two-way"]).describe() == "a build of nls between releases (migration 0011.two-way)"
    )
    assert Installed().describe() == "not installed"
    found = Installed(migrations=["0013.webhooks-and-change"], deployed={"release": "0.3.1", "migrations": []})
    assert found.release == "0.3.1" and found.describe() == "0.3.1 (migration 0013.webhooks-and-change)"


def _frozen() -> dict[str, str]:
    """{file: sha256} of migrations/frozen.txt (sha256sum's format: '<hex>  <file>')."""
    out = {}
    for line in FROZEN.read_text().splitlines():
        found = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        assert found, f"not sha256sum's format: {line!r}"
        digest, name = found.groups()
        out[name] = digest
    return out


def test_every_released_migration_is_frozen_and_unchanged():
    frozen = _frozen()
    changed = [
        name
        for name, digest in frozen.items()
        if not (MIGRATIONS / name).is_file() or hashlib.sha256((MIGRATIONS / name).read_bytes()).hexdigest() != digest
    ]
    assert changed == [], f"released migrations are frozen: never edit or remove {changed}; write a new migration"
    newest = releases.RELEASES[-1].last_migration
    released = sorted(p.name for p in MIGRATIONS.glob("*.sql") if p.name.split(".")[0] <= newest.split(".")[0])
    assert [n for n in released if n not in frozen] == [], "make freeze lists a release's migrations"
    assert len(frozen) >= 26 and all(n.endswith(".sql") for n in frozen)


def test_every_migration_has_its_rollback_and_runs_in_a_transaction():
    ids = Shipped().migrations
    assert ids == sorted(ids) and len({i.split(".")[0] for i in ids}) == len(ids)
    for i in ids:
        assert (MIGRATIONS / f"{i}.rollback.sql").is_file(), i
        assert "transactional: false" not in (MIGRATIONS / f"{i}.sql").read_text(), i


def test_the_deploy_order_lists_every_repeatable_file_once_and_the_privileges_last():
    files = sorted(f"{p.parent.name}/{p.name}" for d in ("sql", "plpython") for p in (ROOT / d).glob("*.sql"))
    steps = [s for s in DEPLOY_ORDER if s != ENGINE]
    assert sorted(steps) == files and len(set(steps)) == len(steps)
    assert DEPLOY_ORDER[-1] == "sql/90_privileges.sql"
    assert DEPLOY_ORDER.index(ENGINE) < DEPLOY_ORDER.index("plpython/functions.sql")


def test_retired_signatures_are_dropped_only_by_migrations():
    files = [*sorted((ROOT / "sql").glob("*.sql")), ROOT / "plpython" / "functions.sql"]
    drops = [
        f"{p.name}:{n}"
        for p in files
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if re.match(r"\s*DROP\s+(FUNCTION|PROCEDURE|ROUTINE|AGGREGATE)\b", line, re.I)
    ]
    assert drops == [], "a function's old signature is dropped by a new migration, not by sql/"


def _shipped() -> Shipped:
    return Shipped(version="0.2.0", modules={"nls_engine": "a", "nls_engine.read": "b"})


def test_code_older_than_the_database_is_refused_with_what_to_do_instead():
    shipped = _shipped()
    newer = Installed(
        schema=True,
        migrations=[*shipped.migrations, "0099.later"],
        deployed={"release": "0.3.0", "migrations": [*shipped.migrations, "0099.later"]},
    )
    refused = plans.refusal(newer, shipped)
    assert str(refused).startswith("database is at 0.3.0 (migration 0099.later), this nls is 0.2.0")
    assert (
        refused is not None
        and "install nls 0.3.0 or later, or restore the backup taken before the upgrade" in refused.fix
    )
    # a newer release deployed over migrations rolled back to ours by hand is refused too
    rolled = Installed(
        schema=True,
        migrations=shipped.migrations,
        deployed={"release": "0.3.0", "migrations": [*shipped.migrations, "0099.later"]},
    )
    assert "this nls is 0.2.0" in str(plans.refusal(rolled, shipped))
    # migrations this nls does not ship, from no known release
    unknown = Installed(schema=True, migrations=[*shipped.migrations, "0099.later"])
    assert "0099.later are not among this nls's" in str(plans.refusal(unknown, shipped))
    for fine in (
        Installed(),
        Installed(schema=True, migrations=shipped.migrations[:13]),
        Installed(
            schema=True, migrations=shipped.migrations, deployed={"release": "0.2.0", "migrations": shipped.migrations}
        ),
    ):
        assert plans.refusal(fine, shipped) is None


def test_the_engine_modules_that_change_and_the_engine_hash():
    found = {"nls_engine": "1", "nls_engine.read": "2", "nls_engine.old": "3"}
    shipped = {"nls_engine": "1", "nls_engine.read": "9", "nls_engine.new": "4"}
    m = plans.module_changes(found, shipped)
    assert (m.added, m.changed, m.removed) == (["nls_engine.new"], ["nls_engine.read"], ["nls_engine.old"])
    assert not plans.module_changes(found, dict(found)).any
    # byte order of the names (nls._load_engine and nls.version() order by name COLLATE "C")
    assert engine_hash({"b": "2", "a_": "1", "a.": "0"}) == hashlib.sha256(b"012").hexdigest()[:16]


def test_the_engine_modules_are_named_by_their_packages_and_a_folder_the_loader_cannot_load_is_refused(tmp_path):
    pkg = tmp_path / "nls_engine"
    for name in ("__init__.py", "run.py", "read/__init__.py", "read/flow.py", "store/__init__.py", "store/base.py"):
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(f"# {name}\n")
    modules = engine_modules(pkg)
    assert sorted(modules) == [
        "nls_engine",
        "nls_engine.read",
        "nls_engine.read.flow",
        "nls_engine.run",
        "nls_engine.store",
        "nls_engine.store.base",
    ]
    assert modules["nls_engine.read"] == "# read/__init__.py\n"
    (pkg / "push").mkdir()
    (pkg / "push" / "flow.py").write_text("")
    with pytest.raises(ValueError, match=r"push holds engine modules but no __init__\.py"):
        engine_modules(pkg)
    (pkg / "push" / "flow.py").rename(pkg / "push" / "__init__.py")  # a package the loader would take for a module
    with pytest.raises(ValueError, match=r"push holds an __init__.py alone: make it a module \(push.py\)"):
        engine_modules(pkg)
    # the engine this nls ships: every package is a module of its own, every module's package is shipped
    shipped = engine_modules()
    assert "nls_engine" in shipped and all(n.rpartition(".")[0] in shipped for n in shipped if n != "nls_engine")


def test_an_install_keeps_the_schedule_and_workers_it_finds_unless_told():
    jobs = {"sync-notion-databases": ("0 3 * * *",), "sync-notion-databases-2": ("0 3 * * *",)}
    assert kept_schedule({}, None, None) == ("*/15 * * * *", 4, "")
    cron, workers, note = kept_schedule(jobs, None, None)
    assert (cron, workers) == ("0 3 * * *", 2) and "your schedule '0 3 * * *' is kept" in note
    cron, workers, note = kept_schedule(jobs, "*/5 * * * *", 3)
    assert (cron, workers) == ("*/5 * * * *", 3)
    assert "from '0 3 * * *' to '*/5 * * * *'" in note and "from 2 to 3" in note


def test_the_plan_of_a_schema_rolled_back_by_hand_says_how_to_get_back():
    shipped = _shipped()
    found = Installed(
        schema=True,
        migrations=shipped.migrations[:-1],
        modules={"nls_engine": "x"},
        deployed={"release": "0.2.0", "migrations": shipped.migrations},
    )
    plan = plans.Plan(found, shipped, [shipped.migrations[-1]], plans.module_changes({}, {}), backup="pg_dump ...")
    text = "\n".join(plan.lines())
    assert text.startswith(f"Repair plan: nls 0.2.0 (migration {shipped.migrations[-2]}) -> 0.2.0")
    assert f"lacks migration(s) {shipped.migrations[-1]} that nls 0.2.0 was deployed with" in text
    assert "applies them again" in text and f"Would apply 1 migration(s): {shipped.migrations[-1]}" in text


def test_the_plan_of_an_upgrade_names_settings_modules_and_the_backup():
    shipped = _shipped()
    found = Installed(schema=True, migrations=shipped.migrations[:13], modules={"nls_engine": "x"})
    settings = [
        plans.Setting("new_one", "new", None, "5"),
        plans.Setting("old_one", "gone", "1", None),
        plans.Setting("read_timeout_s", "reset", "0", "30"),
        plans.Setting("rate", "kept", "2.5", "3"),
    ]
    plan = plans.Plan(
        found,
        shipped,
        shipped.migrations[13:],
        plans.module_changes(found.modules, shipped.module_hashes),
        settings,
        schedule="pg_cron job ... unchanged",
        backup="pg_dump --format=custom ...",
    )
    lines = plan.lines()
    assert (
        lines[0] == f"Upgrade plan: nls 0.1.0 (migration {shipped.migrations[12]}) -> 0.2.0 (migration "
        f"{shipped.migrations[-1]})"
    )
    text = "\n".join(lines)
    for part in (
        "1 changed (nls_engine)",
        "1 added (nls_engine.read)",
        "new_one = '5'",
        "no longer used: old_one",
        "read_timeout_s '0' -> '30'",
        "Keeps 1 setting(s) you changed: rate = '2.5'",
        "pg_cron job ... unchanged",
    ):
        assert part in text, part
    assert lines[-2].startswith("Before upgrading, back up") and lines[-1] == "  pg_dump --format=custom ..."


def test_the_backup_command_dumps_the_whole_database_without_a_password():
    class Info:
        host, port, user, dbname = "/var/run/postgresql", 5432, "postgres", "my db"

    command = plans.backup_command(stand_in(Info), "0.1.0", datetime(2026, 12, 1, 9, 30))
    words = shlex.split(command)
    assert words[:3] == ["pg_dump", "--format=custom", "--file=nls-0.1.0-my_db-20261201-0930.dump"]
    assert words[3].startswith("--dbname=") and len(words) == 4
    assert conninfo_to_dict(words[3][len("--dbname=") :]) == {
        "host": "/var/run/postgresql",
        "port": "5432",
        "user": "postgres",
        "dbname": "my db",
    }
    assert "password" not in command
