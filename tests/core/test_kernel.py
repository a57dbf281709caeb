"""The kernel's promises: one fallback policy, blind indexes, at-rest sealing, privacy in logs."""

from __future__ import annotations

import logging

import pytest

from core import crypto
from core.audit import record
from core.i18n import FSI, PDI, bidi, fallback_chain, translator
from core.logs import PrivacyFilter
from core.models import AuditEntry, ChatProfile


def test_a_moroccan_arabic_speaker_falls_back_to_arabic_then_english():
    assert fallback_chain("ar-MA") == ["ar-MA", "ar", "en"]
    assert fallback_chain("ar_ma") == ["ar-MA", "ar", "en"]
    assert fallback_chain(None) == ["en"]
    assert fallback_chain("en") == ["en"]


def test_phone_numbers_stay_whole_inside_arabic_text():
    shown = bidi("الخط المجاني 80 104 748 من INLTP", "ar")
    assert f"{FSI}80 104 748{PDI}" in shown
    assert f"{FSI}INLTP{PDI}" in shown
    assert bidi("call 197", "en") == "call 197"


def test_an_unknown_language_is_spoken_to_in_english():
    assert translator("xx").gettext("Hello") == "Hello"


def test_blind_index_finds_the_same_chat_but_reveals_nothing():
    a = crypto.blind_index("chat", 4242424242)
    assert a == crypto.blind_index("chat", "4242424242")
    assert "4242424242" not in a
    assert a != crypto.blind_index("subscriber", 4242424242)
    crypto.use_secret(b"another-server-secret-another-server-secret")
    assert crypto.blind_index("chat", 4242424242) != a


def test_sealed_data_needs_the_server_secret():
    sealed = crypto.seal_at_rest(b"chat 4242424242")
    assert b"4242424242" not in sealed
    assert crypto.open_at_rest(sealed) == b"chat 4242424242"
    crypto.use_secret(b"another-server-secret-another-server-secret")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_at_rest(sealed)


def test_logs_never_carry_ids_tokens_or_text():
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1,
        "POST https://api.telegram.org/bot123456:ABC-def/sendMessage"
        " chat_id=987654321 text='help me'",
        None, None,
    )  # fmt: skip
    PrivacyFilter().filter(record)
    line = record.getMessage()
    assert "987654321" not in line and "ABC-def" not in line and "help me" not in line


async def test_the_database_keeps_profiles_and_an_audit_trail(db):
    await ChatProfile.create(chat_key=crypto.blind_index("chat", 1), language="ar", country="MA")
    await record("profile.created", actor="bot", target="chat_profile:1", language="ar")
    profile = await ChatProfile.get(chat_key=crypto.blind_index("chat", 1))
    assert (profile.language, profile.country) == ("ar", "MA")
    entry = await AuditEntry.first()
    assert entry.action == "profile.created" and entry.details == {"language": "ar"}
