"""nls_emulator: a local Notion API that behaves like api.notion.com, for nls's tests, demo and benchmarks.

The names below are imported on first use (PEP 562), so that ``nls_emulator.cli`` (the options of ``nls emulator``,
its ``--help``) imports without werkzeug, the ``emulator`` extra; serving needs it."""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ApiError": "api",
    "NotionApi": "api",
    "Generated": "generate",
    "generate": "generate",
    "Workspace": "model",
    "fixtures_dir": "recorded",
    "load_recorded": "recorded",
    "Emulator": "server",
    "start_subprocess": "server",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """``nls_emulator.Emulator`` and the other names of ``__all__``, from their module (imported then)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'nls_emulator' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
