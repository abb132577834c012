"""Text PostgreSQL cannot store: U+0000 and lone UTF-16 surrogates (SQLSTATE 22P05 in text and jsonb).

Notion text can hold both. They are removed (U+0000) or replaced by U+FFFD (a lone surrogate), counted,
and every other character is kept exactly.
"""

from __future__ import annotations

import re
from typing import Any

_BAD = re.compile("[\x00\ud800-\udfff]")


def clean(value: Any) -> tuple[Any, int]:
    """Return ``(cleaned copy, number of characters changed)`` for a JSON value (dicts, lists, strings)."""
    count = 0

    def fix(match: re.Match) -> str:
        nonlocal count
        count += 1
        return "" if match.group(0) == "\x00" else "\ufffd"

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return _BAD.sub(fix, v) if _BAD.search(v) else v
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value), count
