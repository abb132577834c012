"""The README's first screen gets a newcomer from `make demo` to a working `nls`: the lines the demo prints at its
end, typed into a fresh shell whose PATH knows nothing of the checkout, give a working ``nls --version`` and
``nls --help`` and the demo's connection in ``NLS_DSN``; the first screen says the same lines. No PostgreSQL: a
shell and the checkout's venv (this test's own Python)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import demo  # noqa: E402 - after the sys.path line that finds scripts/

DSN = "host=127.0.0.1 port=5 user=postgres dbname=nls_demo"
FRESH_SHELL = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/"), "LANG": "C.UTF-8"}


def _first_screen() -> str:
    """The README up to its first second-level heading."""
    return (ROOT / "README.md").read_text().split("\n## ", 1)[0]


def _fresh_shell(script: str) -> subprocess.CompletedProcess:
    """``script`` run by bash -e in the checkout, with a PATH of the system's folders only and no venv active."""
    return subprocess.run(
        ["bash", "-ec", script], cwd=ROOT, env=FRESH_SHELL, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def lines(monkeypatch) -> list[str]:
    """What `make demo` prints for ``DSN``, run from the checkout as make runs it."""
    monkeypatch.chdir(ROOT)
    return demo.shell_lines(DSN)


def test_nls_is_not_on_a_fresh_shells_path():
    """What a newcomer meets without the first screen's line (the test below would pass without its lines else)."""
    assert _fresh_shell("command -v nls").returncode != 0


def test_the_lines_make_demo_prints_give_a_working_nls_in_a_fresh_shell(lines):
    typed = [line for line in lines if not line.startswith("psql")]
    done = _fresh_shell(
        "\n".join(
            [
                *typed,
                'echo "NLS_DSN=$NLS_DSN"',
                "command -v nls",
                "nls --version",
                "nls --help",
                "nls emulator --help > /dev/null",
            ]
        )
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"NLS_DSN={DSN}"
    assert Path(out[1]) == Path(sys.prefix) / "bin" / "nls"
    assert out[2].startswith("nls ") and "unknown" not in out[2]
    assert "usage: nls" in done.stdout and "install" in done.stdout


def test_the_first_screen_says_what_make_demo_prints(lines):
    screen = _first_screen()
    assert "make demo" in screen and ". .venv/bin/activate" in screen and "export NLS_DSN=" in screen
    if Path(sys.prefix) == ROOT / ".venv":  # the Makefile's venv: the very line the demo prints
        assert lines[0] == ". .venv/bin/activate"
    assert lines[1].startswith("export NLS_DSN=") and 'psql "$NLS_DSN"' in screen
