"""The generated workspaces the integration tests sync: a learning (or creative) workspace of the emulator, one
user's integration reading it, and a source per database of it with its target, synced and cleaned."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import psycopg

from conftest import sync
from nls_emulator import Emulator
from nls_emulator.generate import CREATIVE_TARGETS, LEARNING_TARGETS, Generated

TARGETS = {"learning": LEARNING_TARGETS, "creative": CREATIVE_TARGETS}


def generated_workspace(
    conn: psycopg.Connection,
    emu: Emulator,
    user: str,
    token: str,
    pages: int,
    *,
    kind: str = "learning",
    seed: int = 1,
    hard: bool = False,
    with_content: bool | Collection[str] = False,
    targets: Mapping[str, str] | None = None,
    synced: bool = True,
) -> Generated:
    """Generate a ``kind`` workspace ('learning' or 'creative') of about ``pages`` pages (``seed``; ``hard``: with
    the hard cases) in ``emu`` that ``token`` reads; store ``user``'s integration with ``token`` and add a source per
    database of ``targets`` ({Notion database name: target}; default every database of the kind, each with its
    target), reading the content of every page (``with_content`` True) or of the databases it names; then, when
    ``synced``, sync the user (the sync cleans into the learning or creative tables) and assert that it succeeded.
    nls must already point at ``emu`` (conftest.use_emulator) for the sync. Returns what the generator made."""
    gen = emu.add_generated(kind, pages=pages, seed=seed, hard=hard, token=token)
    conn.execute("SELECT nls.add_integration(%s, %s)", (user, token))
    for name, target in (TARGETS[kind] if targets is None else targets).items():
        content = with_content if isinstance(with_content, bool) else name in with_content
        conn.execute(
            "SELECT nls.add_source(%s, %s, %s, with_content => %s)", (user, gen.database_ids[name], target, content)
        )
    if synced:
        result = sync(conn, user_id=user)
        assert result["success"], result
    return gen
