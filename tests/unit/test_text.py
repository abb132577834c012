"""Text PostgreSQL cannot store (nls_engine.text.clean): U+0000 removed, lone surrogates replaced, all else kept."""

from __future__ import annotations

from nls_engine.text import clean


def test_nul_is_removed_and_counted():
    assert clean("a\x00b\x00") == ("ab", 2)


def test_a_lone_surrogate_becomes_the_replacement_character():
    assert clean("x\ud83dy") == ("x\ufffdy", 1)


def test_keys_values_and_nested_lists_are_cleaned_and_other_values_kept():
    value = {"k\x00": ["\x00", {"n": 1, "t": True, "s": "\udc00"}], "ok": None}
    assert clean(value) == ({"k": ["", {"n": 1, "t": True, "s": "\ufffd"}], "ok": None}, 3)


def test_emoji_and_every_other_character_are_kept_exactly():
    text = "emoji 😀, CJK 漢字, RTL مرحبا, combining é, tab\t, newline\n"
    assert clean(text) == (text, 0)
