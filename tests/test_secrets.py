"""Tokens kept secret: a canary token stored through the real path never appears in clear in
the server log (full statement logging on), pg_stat_statements, sync_log, NOTICEs, cron.job or a pg_dump; a swapped,
altered or wrongly keyed ciphertext fails closed before any request; keys rotate; a 401 stops a user's syncs until
a new token is stored."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import TEST_KEY, sync, use_emulator
from nls_emulator import Emulator
from nls_install.installed import value
from pg_cluster import bin_dir

PG_BIN = bin_dir()


@pytest.fixture
def app_role(conn):
    conn.execute("DROP ROLE IF EXISTS canary_app")
    conn.execute("CREATE ROLE canary_app LOGIN IN ROLE nls_app")
    yield "canary_app"
    conn.execute("DROP OWNED BY canary_app")
    conn.execute("DROP ROLE canary_app")


def _as(conn, role: str, user: str, notices: list) -> psycopg.Connection:
    info = conn.info
    c = psycopg.connect(host=info.host, port=info.port, user=role, dbname=info.dbname, autocommit=True)
    c.add_notice_handler(
        lambda d: notices.append(f"{d.severity} {d.message_primary} {d.message_detail} {d.message_hint}")
    )
    c.execute("SELECT set_config('nls.user_id', %s, false)", (user,))
    return c


def test_a_canary_token_appears_nowhere_but_as_ciphertext(conn, dsn, app_role, postgresql_proc):
    from conftest import install
    from nls_install.install import unschedule

    canary = "secret_CANARY_" + secrets.token_hex(16)
    db = conn.info.dbname
    assert install(["--dsn", dsn]) == 0  # with the pg_cron jobs
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    conn.execute(f"ALTER DATABASE {db} SET log_statement = 'all'")
    conn.execute(f"ALTER DATABASE {db} SET log_min_duration_statement = 0")
    conn.execute(f"ALTER DATABASE {db} SET log_min_messages = 'debug1'")
    log = Path(postgresql_proc.logfile)
    start = log.stat().st_size
    notices: list[str] = []
    errors: list[str] = []
    with Emulator() as emu:
        gen = emu.add_generated("creative", pages=20, seed=3, token=canary)
        use_emulator(conn, emu)
        with _as(conn, app_role, "canary-user", notices) as app:
            # the real path: the application's role, the token as a bound parameter
            app.execute("SELECT nls.add_integration(%s, %s)", ("canary-user", canary))
            app.execute("SELECT nls.add_source(%s, %s, 'stories')", ("canary-user", gen.database_ids["Stories"]))
            assert value(app, "SELECT nls.sync_notion(user_id => 'canary-user')")["success"]
            # failures: Notion down, then a refused write naming the token, then the token revoked
            emu.api.faults.add("500", times=50)
            r = value(app, "SELECT nls.sync_notion(user_id => 'canary-user', full_sync => true)")
            assert r["success"] is False
            emu.api.faults.clear()
            for sql, args in (
                ("SELECT nls.add_integration(%s, %s)", ("someone-else", canary)),
                ("SELECT nls.add_integration(%s, %s)", ("", canary)),
            ):
                try:
                    app.execute(sql, args)
                except psycopg.Error as e:
                    errors.append(f"{e} {e.diag.message_detail} {e.diag.message_hint} {e.diag.context}")
            emu.api.revoke(canary)
            r = value(app, "SELECT nls.sync_notion(user_id => 'canary-user')")
            assert r["success"] is False and "needs_reauth" in r["results"][0]["error"]
            app.execute("SELECT nls.clean('canary-user')")
    assert len(errors) == 2
    conn.execute("CALL nls.sync_all_users_notion_databases()")

    server_log = log.read_bytes()[start:].decode("utf-8", "replace")
    assert "nls.add_integration" in server_log and "nls.sync_notion" in server_log  # the logging was on
    statements = "\n".join(r[0] for r in conn.execute("SELECT query FROM pg_stat_statements"))
    assert "nls.add_integration" in statements
    sync_log = "\n".join(str(r) for r in conn.execute("SELECT * FROM nls.sync_log"))
    with psycopg.connect(host=conn.info.host, port=conn.info.port, user=conn.info.user, dbname="postgres") as c:
        cron = "\n".join(str(r) for r in c.execute("SELECT * FROM cron.job"))
    unschedule(conn, None)  # the jobs live in pg_cron's database, which outlives this test's database
    env = dict(os.environ, PGHOST=conn.info.host, PGPORT=str(conn.info.port), PGUSER=conn.info.user)
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--no-owner", db], capture_output=True, text=True, env=env, check=True
    ).stdout
    ciphertext = conn.execute("SELECT token_ciphertext FROM nls.integrations WHERE user_id = 'canary-user'").fetchone()[
        0
    ]
    assert ciphertext.hex() in dump.replace("\\\\x", "").replace("\\x", "")  # stored, encrypted
    for where, text in (
        ("server log", server_log),
        ("pg_stat_statements", statements),
        ("sync_log", sync_log),
        ("cron.job", cron),
        ("pg_dump", dump),
        ("notices", "\n".join(notices)),
        ("errors", "\n".join(errors)),
    ):
        assert canary not in text, f"the canary token leaked into {where}"
        assert canary[len("secret_") :] not in text, f"part of the canary token leaked into {where}"


def _requests(emu) -> int:
    return len(emu.api.log)


@pytest.fixture
def two_users(conn):
    with Emulator() as emu:
        emu.gens = {
            u: emu.add_generated("creative", pages=20, seed=s, token=f"secret_{u}") for u, s in (("ann", 1), ("ben", 2))
        }
        use_emulator(conn, emu)
        for u, gen in emu.gens.items():
            conn.execute("SELECT nls.add_integration(%s, %s)", (u, f"secret_{u}"))
            conn.execute("SELECT nls.add_source(%s, %s, 'worlds')", (u, gen.database_ids["Worlds"]))
        yield emu


def _failed_closed(conn, emu, user: str) -> dict:
    emu.api.reset_log()
    r = sync(conn, user_id=user)
    assert r["success"] is False
    assert r["results"][0]["error_code"] == "token_unreadable", r
    assert _requests(emu) == 0, "a request was sent with a token that did not decrypt"
    row = conn.execute(
        "SELECT status, error_code FROM nls.sync_log WHERE id = %s", (r["results"][0]["sync_log_id"],)
    ).fetchone()
    assert row == ("failed", "token_unreadable")
    return r


def test_swapped_altered_or_wrongly_keyed_ciphertexts_fail_closed_without_a_request(conn, two_users):
    emu = two_users
    original = {
        u: conn.execute(
            "SELECT token_ciphertext, token_nonce FROM nls.integrations WHERE user_id = %s", (u,)
        ).fetchone()
        for u in ("ann", "ben")
    }
    # ann's and ben's ciphertexts swapped (nonces with them): each is bound to its owner
    for u, other in (("ann", "ben"), ("ben", "ann")):
        conn.execute(
            "UPDATE nls.integrations SET token_ciphertext = %s, token_nonce = %s WHERE user_id = %s",
            (*original[other], u),
        )
    _failed_closed(conn, emu, "ann")
    _failed_closed(conn, emu, "ben")
    # one byte flipped
    flipped = bytearray(original["ann"][0])
    flipped[3] ^= 0x01
    conn.execute(
        "UPDATE nls.integrations SET token_ciphertext = %s, token_nonce = %s WHERE user_id = 'ann'",
        (bytes(flipped), original["ann"][1]),
    )
    _failed_closed(conn, emu, "ann")
    # encrypted with another key (right owner, right version)
    other_key = secrets.token_bytes(32)
    nonce = secrets.token_bytes(12)
    conn.execute(
        "UPDATE nls.integrations SET token_ciphertext = %s, token_nonce = %s WHERE user_id = 'ann'",
        (AESGCM(other_key).encrypt(nonce, b"secret_ann", b"ann"), nonce),
    )
    _failed_closed(conn, emu, "ann")
    # a key version the ring does not hold
    conn.execute(
        "UPDATE nls.integrations SET token_ciphertext = %s, token_nonce = %s, key_version = 7 WHERE user_id = 'ann'",
        original["ann"],
    )
    r = _failed_closed(conn, emu, "ann")
    assert "key version 7" in r["results"][0]["error"]
    # put right, both sync again
    for u in ("ann", "ben"):
        conn.execute(
            "UPDATE nls.integrations SET token_ciphertext = %s, token_nonce = %s, key_version = 1 WHERE user_id = %s",
            (*original[u], u),
        )
        assert sync(conn, user_id=u)["success"]


def test_rotation_reencrypts_every_token_and_the_old_key_is_no_longer_needed(
    conn, two_users, server_tmp_path, postgresql_proc
):
    emu = two_users
    new_key = secrets.token_hex(32)
    ring = server_tmp_path / "nls.keys"  # where the server (as root: the OS user postgres) can read it
    ring.write_text(f"2:{new_key}\n1:{TEST_KEY}\n")
    postgresql_proc.hand_to_server(ring)  # mode 0600, owned by the server's OS user
    before = dict(conn.execute("SELECT user_id, token_ciphertext FROM nls.integrations").fetchall())
    conn.execute("SELECT nls.set_setting('encryption_key_file', %s)", (str(ring),))
    r = conn.execute("SELECT nls.rotate_encryption_key()").fetchone()[0]
    assert r == {"key_version": 2, "rotated": 2, "already_current": 0, "unreadable": []}
    rows = conn.execute("SELECT user_id, key_version, token_ciphertext, token_nonce FROM nls.integrations").fetchall()
    for user, version, ct, nonce in rows:
        assert version == 2 and ct != before[user]
        assert AESGCM(bytes.fromhex(new_key)).decrypt(nonce, ct, user.encode()) == f"secret_{user}".encode()
    assert conn.execute("SELECT nls.rotate_encryption_key()").fetchone()[0]["rotated"] == 0  # idempotent
    # the old key leaves the ring: every user still syncs
    ring.write_text(f"2:{new_key}\n")
    for user in ("ann", "ben"):
        assert sync(conn, user_id=user)["success"]
    # a token stored now is under version 2
    conn.execute("SELECT nls.add_integration('cid', 'secret_cid')")
    assert conn.execute("SELECT key_version FROM nls.integrations WHERE user_id = 'cid'").fetchone() == (2,)
    # and with the new key gone too, nothing decrypts: fail closed, no request
    ring.write_text(f"3:{secrets.token_hex(32)}\n")
    r = _failed_closed(conn, emu, "ann")
    assert "key version 2" in r["results"][0]["error"]


def test_a_401_marks_needs_reauth_and_stops_syncing_until_a_new_token(conn, two_users):
    emu = two_users
    emu.api.revoke("secret_ann")
    r = sync(conn, user_id="ann")
    assert r["success"] is False and r["results"][0]["error_code"] == "unauthorized"
    assert conn.execute("SELECT status FROM nls.integrations WHERE user_id = 'ann'").fetchone() == ("needs_reauth",)
    # the schedule skips ann (ben syncs); a manual run refuses before sending anything
    emu.api.reset_log()
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert {e["token"] for e in emu.api.log} == {"secret_ben"}
    emu.api.reset_log()
    r = sync(conn, user_id="ann")
    assert r["results"][0]["error_code"] == "integration_needs_reauth" and _requests(emu) == 0
    # a new token: active again, syncs
    emu.api.add_integration("secret_ann_2", emu.gens["ann"].workspace)
    conn.execute("SELECT nls.add_integration('ann', 'secret_ann_2')")
    assert conn.execute("SELECT status FROM nls.integrations WHERE user_id = 'ann'").fetchone() == ("active",)
    assert sync(conn, user_id="ann")["success"]
