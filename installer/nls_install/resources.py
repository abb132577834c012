"""Where the SQL and Python that nls deploys live: inside the installed package (a wheel), or beside it in a
source checkout (``pip install -e .``)."""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``migrations``, ``sql`` or ``plpython``. Raises FileNotFoundError when missing."""
    for candidate in (_HERE / "_data" / name, _HERE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"nls install cannot find its {name}/ folder; reinstall the package")


def sql_files(name: str) -> list[Path]:
    """The repeatable SQL files of ``sql/`` or ``plpython/``, in the order they are applied (by file name)."""
    return sorted(data_dir(name).glob("*.sql"))


def engine_modules() -> dict[str, str]:
    """The nls_engine package's sources by module name (``nls_engine``, ``nls_engine.sync``, ...)."""
    pkg = data_dir("plpython") / "nls_engine"
    out = {}
    for path in sorted(pkg.glob("*.py")):
        name = "nls_engine" if path.stem == "__init__" else f"nls_engine.{path.stem}"
        out[name] = path.read_text()
    return out
