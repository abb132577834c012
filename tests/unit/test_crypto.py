"""Tokens at rest (nls_engine.crypto): AES-256-GCM with the owner bound, a key ring with versions, and failing
closed on anything that does not verify."""

from __future__ import annotations

import base64

import pytest

from nls_engine import crypto

K1, K2 = "11" * 32, "22" * 32


def test_a_token_decrypts_for_its_owner_with_its_key_version():
    ring = crypto.parse_ring(f"2:{K2},1:{K1}")
    version, nonce, ciphertext = crypto.encrypt(ring, "alice", "secret_abc")
    assert version == 2 and b"secret_abc" not in ciphertext
    assert crypto.decrypt(ring, version, "alice", nonce, ciphertext) == "secret_abc"


def test_each_encryption_takes_a_fresh_nonce():
    ring = crypto.parse_ring(K1)
    assert crypto.encrypt(ring, "a", "t")[1] != crypto.encrypt(ring, "a", "t")[1]


def test_another_owner_a_changed_byte_or_another_key_fails_closed():
    ring = crypto.parse_ring(K1)
    version, nonce, ciphertext = crypto.encrypt(ring, "alice", "secret")
    with pytest.raises(crypto.TokenUnreadable):
        crypto.decrypt(ring, version, "mallory", nonce, ciphertext)
    with pytest.raises(crypto.TokenUnreadable):
        crypto.decrypt(ring, version, "alice", nonce, bytes([ciphertext[0] ^ 1]) + ciphertext[1:])
    with pytest.raises(crypto.TokenUnreadable):
        crypto.decrypt(crypto.parse_ring(K2), version, "alice", nonce, ciphertext)


def test_a_version_missing_from_the_ring_is_named():
    ring = crypto.parse_ring(f"3:{K1}")
    with pytest.raises(crypto.TokenUnreadable, match="key version 1"):
        crypto.decrypt(ring, 1, "alice", b"0" * 12, b"x" * 32)


def test_a_key_is_32_bytes_in_hex_or_base64():
    raw = bytes(range(32))
    assert crypto.parse_key(raw.hex()) == raw
    assert crypto.parse_key(base64.b64encode(raw).decode()) == raw
    assert crypto.parse_key(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
    with pytest.raises(crypto.KeyError_, match="AES-256 needs 32"):
        crypto.parse_key("00" * 16)


@pytest.mark.parametrize(
    "ring, message",
    [("", "empty"), (f"1:{K1} 1:{K2}", "twice"), (f"0:{K1}", "at least 1"), (f"x:{K1}", "whole number")],
)
def test_a_malformed_ring_is_refused_with_a_hint(ring, message):
    with pytest.raises(crypto.KeyError_, match=message) as e:
        crypto.parse_ring(ring)
    assert "NLS_ENCRYPTION_KEY" in (e.value.hint or "")


def test_the_key_file_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(crypto.KEY_ENV, K1)
    key_file = tmp_path / "ring"
    key_file.write_text(f"5:{K2}\n")
    assert set(crypto.load_ring(str(key_file))) == {5}
    assert set(crypto.load_ring("")) == {1}
    monkeypatch.delenv(crypto.KEY_ENV)
    with pytest.raises(crypto.KeyError_, match="no nls encryption key"):
        crypto.load_ring(None)
    with pytest.raises(crypto.KeyError_, match="cannot be read"):
        crypto.load_ring(str(tmp_path / "missing"))
