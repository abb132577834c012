"""The ``nls`` command line: subcommands, their --help, the aliases, --dsn's default, the emulator extra, and
that a production install pulls in no web framework. No PostgreSQL and no network: each test runs in milliseconds."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nls_cli import main as nls
from nls_cli.commands.emulator import alias as emulator_alias

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
WEB_FRAMEWORKS = {"werkzeug", "starlette", "uvicorn", "flask", "fastapi", "aiohttp"}
EXTRA_MESSAGE = "pip install 'notion-learning-sync[emulator]'"


def _help(capsys, argv: list[str]) -> str:
    """What ``nls argv`` prints, with ``argv`` ending in --help (argparse exits 0)."""
    with pytest.raises(SystemExit) as exit_:
        nls.main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


def _requirement_names(requirements: list[str]) -> set[str]:
    """The distribution names of PEP 508 requirement strings, lower case."""
    return {re.split(r"[^A-Za-z0-9_.-]", r, maxsplit=1)[0].lower() for r in requirements}


def test_nls_help_lists_the_subcommands(capsys):
    out = _help(capsys, ["--help"])
    assert "install" in out and "emulator" in out and "--dsn" in out


def test_nls_install_help(capsys):
    out = _help(capsys, ["install", "--help"])
    assert out.startswith("usage: nls install")
    for opt in (
        "--dsn",
        "--check",
        "--schedule",
        "--workers",
        "--no-schedule",
        "--uninstall",
        "--yes",
        "NLS_DSN",
        "PGSERVICE",
    ):
        assert opt in out


def test_nls_emulator_help(capsys):
    pytest.importorskip("werkzeug")
    out = _help(capsys, ["emulator", "--help"])
    assert out.startswith("usage: nls emulator")
    assert "--port" in out and "--pages" in out and "--workspace" in out


def _script(name: str, *args: str) -> subprocess.CompletedProcess:
    """Run the console script ``name`` of pyproject.toml's [project.scripts] as pip's launcher does (import its
    function, ``sys.exit(function())`` with ``args`` in sys.argv), whatever the venv's launchers were made from."""
    module, _, function = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"][name].partition(":")
    code = f"import sys\nfrom {module} import {function}\nsys.exit({function}())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)


def _options(help_text: str) -> list[str]:
    return sorted(set(re.findall(r"--[a-z][a-z-]*", help_text)))


def test_nls_install_and_its_alias_show_the_same_help_and_options(capsys):
    ours = _help(capsys, ["install", "--help"])
    alias = _script("nls-install", "--help")
    assert alias.returncode == 0, alias.stderr
    assert (
        _options(alias.stdout)
        == _options(ours)
        == [
            "--check",
            "--dsn",
            "--help",
            "--loopback-host",
            "--no-schedule",
            "--runtime",
            "--schedule",
            "--uninstall",
            "--workers",
            "--yes",
        ]
    )
    assert alias.stdout == ours


def test_nls_install_and_its_alias_exit_alike_on_a_bad_option_or_value(capsys):
    for argv in (["--no-such-option"], ["--workers", "many"]):
        with pytest.raises(SystemExit) as exit_:
            nls.main(["install", *argv])
        ours = capsys.readouterr().err
        alias = _script("nls-install", *argv)
        assert exit_.value.code == alias.returncode == 2
        assert alias.stderr == ours and argv[-1] in ours


def _imports(path: Path) -> set[str]:
    """The modules ``path`` imports (``from . import x`` as the relative module)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            out.add("." * node.level + (node.module or ""))
    return out


def test_the_installer_never_imports_the_command_line():
    """One layer: nls_cli's install subcommand calls nls_install; nls_install names no module of nls_cli, neither
    in its source nor once every module of it is imported."""
    files = sorted((ROOT / "installer" / "nls_install").rglob("*.py"))
    assert len(files) >= 8
    named = {f"{p.name}: {m}" for p in files for m in _imports(p) if m.split(".")[0] == "nls_cli"}
    assert named == set()
    code = (
        "import importlib, pkgutil, sys\nimport nls_install\n"
        "for m in pkgutil.walk_packages(nls_install.__path__, 'nls_install.'):\n    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'nls_cli'))\n"
        "print(len([n for n in sys.modules if n.startswith('nls_install.')]))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    loaded, modules = out.split("\n")[:2]
    assert loaded == "[]" and int(modules) >= 7


def test_the_dsn_default_is_nls_dsn_else_empty_for_libpq(monkeypatch):
    monkeypatch.setenv("NLS_DSN", "service=nls")
    assert nls.build_parser().parse_args(["install"]).dsn == "service=nls"
    monkeypatch.delenv("NLS_DSN")
    assert nls.build_parser().parse_args(["install"]).dsn == ""
    assert nls.build_parser().parse_args(["install", "--dsn", "host=x"]).dsn == "host=x"


def _hide(monkeypatch, *packages: str) -> list[str]:
    """Make ``import`` of ``packages`` fail as if they were not installed, and forget the modules of nls that
    imported them; returns the names of the modules this test must forget again afterwards."""
    ours = [m for m in sys.modules if m.split(".")[0] in (*packages, "nls_emulator", "nls_webhooks")]
    for name in ours:
        monkeypatch.delitem(sys.modules, name)
    for package in packages:
        monkeypatch.setitem(sys.modules, package, None)
    return ours


@pytest.fixture
def without_extras(monkeypatch):
    """Neither the emulator's extra (werkzeug) nor the webhooks' (starlette, uvicorn) importable; afterwards
    sys.modules is put back as it was."""
    ours = _hide(monkeypatch, "werkzeug", "starlette", "uvicorn")
    yield
    for name in [m for m in sys.modules if m.split(".")[0] in ("nls_emulator", "nls_webhooks") and m not in ours]:
        del sys.modules[name]  # imported (or half-imported) while the extras were hidden


EMULATOR_RUNS = [lambda a: nls.main(["emulator", *a]), emulator_alias]


@pytest.mark.parametrize("run", EMULATOR_RUNS, ids=["nls", "alias"])
def test_emulator_without_werkzeug_says_which_extra_to_install(without_extras, capsys, run):
    assert run(["--port", "0", "--pages", "20"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nls emulator: needs the 'emulator' extra (no module named 'werkzeug')")
    assert EXTRA_MESSAGE in err and "'.[emulator]'" in err and err.count("\n") == 1


@pytest.mark.parametrize("run", EMULATOR_RUNS, ids=["nls", "alias"])
def test_emulator_help_without_werkzeug_shows_the_options_and_the_extra(without_extras, capsys, run):
    with pytest.raises(SystemExit) as exit_:
        run(["--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert out.startswith("usage: nls emulator")
    for opt in (
        "--port",
        "--pages",
        "--workspace",
        "--rate-limit",
        "--hard",
        "Needs the 'emulator' extra",
        EXTRA_MESSAGE,
    ):
        assert opt in out
    assert sys.modules.get("werkzeug") is None


def test_webhooks_serve_without_the_extra_says_which_to_install(without_extras, capsys):
    assert nls.main(["webhooks", "serve", "--dsn", "host=x", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nls webhooks serve: needs the 'webhooks' extra (no module named 'starlette')")
    assert "pip install 'notion-learning-sync[webhooks]'" in err and err.count("\n") == 1


def test_webhooks_serve_without_uvicorn_says_which_extra_to_install(monkeypatch, capsys):
    pytest.importorskip("starlette")
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert nls.main(["webhooks", "serve", "--dsn", "host=x", "--port", "0"]) == 1
    assert "needs the 'webhooks' extra (no module named 'uvicorn')" in capsys.readouterr().err


def test_webhooks_serve_help_without_the_extra_shows_the_options_and_the_extra(without_extras, capsys):
    out = " ".join(_help(capsys, ["webhooks", "serve", "--help"]).split())
    assert out.startswith("usage: nls webhooks serve")
    for opt in (
        "--dsn",
        "--host",
        "--port",
        "--max-body-bytes",
        "--log-level",
        "nls_webhook",
        "SIGTERM",
        "Needs the 'webhooks' extra: pip install 'notion-learning-sync[webhooks]'",
    ):
        assert opt in out


def test_nls_help_says_which_commands_need_an_extra(capsys):
    for argv, extra in (
        (["--help"], "emulator"),
        (["webhooks", "--help"], "webhooks"),
        (["export", "--help"], "export"),
    ):
        assert f"(needs the '{extra}' extra)" in " ".join(_help(capsys, argv).split())


def test_a_subcommand_is_one_registration(monkeypatch, capsys):
    """How a flow adds one: ``command("example serve", ...)`` in a module of nls_cli/commands, as
    ``webhooks serve`` is."""
    monkeypatch.setattr(nls, "COMMANDS", dict(nls.COMMANDS))
    monkeypatch.setattr(nls, "GROUPS", dict(nls.GROUPS))

    def build(p):
        nls.add_dsn_argument(p)
        p.add_argument("--port", type=int, default=8080)

    nls.group("example", "an example group")
    nls.command("example serve", "serve an example", build, lambda args: args.port)
    assert nls.main(["example", "serve", "--dsn", "host=x", "--port", "5"]) == 5
    assert "example" in _help(capsys, ["--help"]) and "serve" in _help(capsys, ["example", "--help"])
    with pytest.raises(ValueError, match="nls example serve is registered twice"):
        nls.command("example serve", "again", build, lambda args: 0)


def test_nls_help_imports_no_subcommand():
    code = (
        "import sys\nfrom nls_cli.main import main\ntry: main(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('werkzeug', 'nls_emulator', 'nls_install', 'psycopg') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_production_install_pulls_in_no_web_framework():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert not _requirement_names(project["dependencies"]) & WEB_FRAMEWORKS
    extras = project["optional-dependencies"]
    assert "werkzeug" in _requirement_names(extras["emulator"])
    assert any("[emulator]" in r for r in extras["test"])  # make test, demo and bench install .[test]
    assert {"nls", "nls-install", "nls-notion-emulator"} <= set(project["scripts"])
    # the webhook receiver is an extra of its own, which the tests install
    assert {"starlette", "uvicorn"} <= _requirement_names(extras["webhooks"])
    assert any("[webhooks]" in r for r in extras["test"])


def test_nls_webhooks_serve_help(capsys):
    pytest.importorskip("starlette")
    out = _help(capsys, ["webhooks", "serve", "--help"])
    assert out.startswith("usage: nls webhooks serve")
    for opt in ("--dsn", "--host", "--port", "--max-body-bytes", "nls_webhook", "SIGTERM"):
        assert opt in out
