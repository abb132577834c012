"""The list of sync targets as Python reads it: from ``sql/05_targets.sql``, the one place it is written (the JSON
between its ``$targets$`` quotes, which ``nls._target_catalogue()`` returns inside PostgreSQL). The emulator's
generator and the tests read it here, without a database."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from .resources import data_dir

_QUOTED = re.compile(r"SELECT \$targets\$(.*?)\$targets\$::jsonb", re.S)


@lru_cache(maxsize=1)
def targets() -> dict[str, dict]:
    """{target: {kind, canonical_table, page_id_column, notion_database_name, clean_order, property_map}}, in
    clean_order. Raises ValueError when the file does not hold the list."""
    text = (data_dir("sql") / "05_targets.sql").read_text()
    found = _QUOTED.search(text)
    if found is None:
        raise ValueError("sql/05_targets.sql holds no $targets$ ... $targets$ list")
    catalogue = json.loads(found.group(1))
    return dict(sorted(catalogue.items(), key=lambda kv: kv[1]["clean_order"]))


def targets_of_kind(kind: str) -> dict[str, str]:
    """{Notion database name: target} of the targets of ``kind`` ('learning' or 'creative'), in clean_order."""
    return {t["notion_database_name"]: name for name, t in targets().items() if t["kind"] == kind}
