"""Where the SQL and Python that nls deploys live: inside the installed package (a wheel), or beside it in a
source checkout (``pip install -e .``); and what this release ships (:class:`Shipped`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__

_HERE = Path(__file__).resolve().parent

# The step of the deploy that writes the engine's Python modules into nls._python_module.
ENGINE = "plpython/nls_engine"
# The deploy, in this order, on every install: the repeatable SQL of sql/, the engine's modules, the PL/Python entry
# points, and the privileges last (they cover every object made before them). A new file of sql/ goes here; a test
# fails while a file of sql/ or plpython/ is missing from the list.
DEPLOY_ORDER = (
    "sql/05_targets.sql",
    "sql/06_settings.sql",
    "sql/07_release.sql",
    "sql/10_engine.sql",
    "sql/20_api.sql",
    "sql/30_learning.sql",
    "sql/40_review.sql",
    "sql/50_creative.sql",
    "sql/60_anki.sql",
    "sql/70_typed_views.sql",
    "sql/80_push.sql",
    "sql/85_webhooks.sql",
    "sql/87_events.sql",
    ENGINE,
    "plpython/functions.sql",
    "sql/88_entry_points.sql",
    "sql/90_privileges.sql",
)
# the worker runtime: the same, with the entry points that hand calls to nls worker, and their privileges last
WORKER_DEPLOY_ORDER = (
    *tuple("worker/functions.sql" if step == "plpython/functions.sql" else step for step in DEPLOY_ORDER),
    "worker/privileges.sql",
)


def deploy_order(runtime: str) -> tuple[str, ...]:
    """The deploy's steps for a runtime ('server' or 'worker'), in order."""
    return WORKER_DEPLOY_ORDER if runtime == "worker" else DEPLOY_ORDER


def data_dir(name: str) -> Path:
    """The folder ``migrations``, ``sql`` or ``plpython``. Raises FileNotFoundError when missing."""
    for candidate in (_HERE / "_data" / name, _HERE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"nls install cannot find its {name}/ folder; reinstall the package")


def deploy_file(step: str) -> Path:
    """The file of a step of :data:`DEPLOY_ORDER` ('sql/10_engine.sql'). Raises FileNotFoundError when missing."""
    folder, _, name = step.partition("/")
    path = data_dir(folder) / name
    if not path.is_file():
        raise FileNotFoundError(f"nls install cannot find {step}; reinstall the package")
    return path


def engine_modules(root: Path | None = None) -> dict[str, str]:
    """The nls_engine package's sources by module name, its subpackages included: ``nls_engine`` (its
    ``__init__.py``), ``nls_engine.run``, ``nls_engine.read`` (the subpackage's ``__init__.py``),
    ``nls_engine.read.flow``, ... ``root`` is the package's folder (default: the one this nls ships). The loader
    (``nls._load_engine()``) knows a package as a name other names extend. Raises ValueError for a folder it could
    not load: modules but no ``__init__.py``, or an ``__init__.py`` alone (a module, not a package)."""
    pkg = root or data_dir("plpython") / "nls_engine"
    out, packages = {}, set()
    for path in sorted(pkg.rglob("*.py")):
        parts = path.relative_to(pkg).with_suffix("").parts
        name = ".".join(("nls_engine",) + (parts[:-1] if parts[-1] == "__init__" else parts))
        out[name] = path.read_text()
        if parts[-1] == "__init__" and len(parts) > 1:
            packages.add(name)
    extended = {name.rpartition(".")[0] for name in out if "." in name}
    folder = {name: pkg.parent / name.replace(".", "/") for name in extended | packages}
    if extended - set(out):
        raise ValueError(
            f"{folder[min(extended - set(out))]} holds engine modules but no __init__.py: every folder "
            "of the engine is a package"
        )
    if packages - extended:
        alone = min(packages - extended)
        raise ValueError(
            f"{folder[alone]} holds an __init__.py alone: make it a module "
            f"({alone.rpartition('.')[2]}.py), or give the package its modules"
        )
    return out


def sha256(text: str) -> str:
    """The hex SHA-256 of ``text`` in UTF-8 (what nls._python_module.sha256 holds for a module's source)."""
    return hashlib.sha256(text.encode()).hexdigest()


def engine_hash(module_hashes: dict[str, str]) -> str:
    """The engine's version as ``nls._load_engine()`` and ``nls.version()`` compute it from nls._python_module:
    the first 16 hex digits of the SHA-256 of the modules' sha256 joined in byte order of their names."""
    return hashlib.sha256("".join(module_hashes[n] for n in sorted(module_hashes)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Shipped:
    """What this nls installs: ``version`` (its release), ``migrations_dir`` (yoyo's folder) and ``modules`` (the
    engine's sources by module name). The tests give a folder or modules of their own to make a step fail."""

    version: str = __version__
    migrations_dir: Path = field(default_factory=lambda: data_dir("migrations"))
    modules: dict[str, str] = field(default_factory=engine_modules)

    @property
    def migrations(self) -> list[str]:
        """The ids of the migrations it ships, in order ('0001.engine-schema', ...)."""
        return sorted(p.name[:-4] for p in self.migrations_dir.glob("*.sql") if not p.name.endswith(".rollback.sql"))

    @property
    def module_hashes(self) -> dict[str, str]:
        """{module name: sha256 of its source}."""
        return {name: sha256(source) for name, source in self.modules.items()}

    @property
    def engine(self) -> str:
        """The engine's version once deployed (:func:`engine_hash`)."""
        return engine_hash(self.module_hashes)
