"""Nothing a person says or who they are reaches the logs, even when something fails; and a
failure still says where it happened, so it can be fixed."""

from __future__ import annotations

import logging
import re

import pytest
from tortoise.exceptions import OperationalError

from core.logs import PrivacyFilter, configure_logging
from core.models import ChatProfile
from tests.e2e.story import press, send

LAYLA = 7_654_321
SECRET_WORDS = "my passport is with Omar in Sabratha"
# What a careless exception message might carry: the chat, the person's words (an apostrophe
# included), their phone number, and a Bot API URL with the token in it.
TOKEN = "5123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
PHONE = "+216 98 123 456"
WORDS = "it's the boat of Ahmed Ben Salah, leaving Zarzis"
CARELESS = (
    f'cannot write chat {LAYLA}: text="{WORDS}" phone {PHONE} '
    f"(POST https://api.telegram.org/bot{TOKEN}/sendMessage)"
)
A_FRAME_IN_THE_BOT = re.compile(r"^\s+bot/\w+\.py:\d+ in \w+$", re.MULTILINE)


@pytest.fixture
def root_logging():
    """The production logging set-up at DEBUG, taken down again after the story."""
    root = logging.getLogger()
    before_level, before_handlers = root.level, list(root.handlers)
    configure_logging(logging.DEBUG)
    yield
    for handler in root.handlers:
        if handler not in before_handlers:
            root.removeHandler(handler)
    root.setLevel(before_level)


async def test_a_whole_story_leaves_no_ids_or_words_in_the_logs(
    sandbox, root_logging, capsys, monkeypatch
):
    assert any(
        isinstance(f, PrivacyFilter) for h in logging.getLogger().handlers for f in h.filters
    )
    layla = sandbox.chat(LAYLA, language_code="ar", first_name="Layla", username="layla_k")
    await send(layla, "/start", "أهلًا بك في أمان")
    await press(layla, "العربية", "في أي بلد أنت")

    async def broken_save(self, *args, **kwargs):
        raise OperationalError(f"cannot write chat {LAYLA}: {SECRET_WORDS}")

    monkeypatch.setattr(ChatProfile, "save", broken_save)
    await press(layla, "ليبيا", "حدث خطأ من جهتنا")
    monkeypatch.undo()
    await send(layla, SECRET_WORDS, "لم أفهم ذلك")
    await layla.send_sticker()
    await send(layla, "/stop", "لا يوجد اشتراك في التنبيهات")

    logged = capsys.readouterr().err
    assert "OperationalError while handling callback_query" in logged
    for secret in (str(LAYLA), SECRET_WORDS, "Sabratha", "layla_k", "Layla"):
        assert secret not in logged, secret


async def test_logs_scrub_tracebacks(sandbox, root_logging, capsys, monkeypatch):
    """A handler fails with an exception whose message holds everything that must never be
    logged: stderr shows the kind of failure and the bot's frames, and none of it."""
    layla = sandbox.chat(LAYLA, language_code="en", first_name="Layla", username="layla_k")
    await send(layla, "/start", "Welcome to Aman")
    await press(layla, "English", "Which country are you in")

    async def careless_save(self, *args, **kwargs):
        raise OperationalError(CARELESS)

    monkeypatch.setattr(ChatProfile, "save", careless_save)
    await press(layla, "Libya", "Sorry, something went wrong on our side")
    monkeypatch.undo()

    logged = capsys.readouterr().err
    assert "OperationalError while handling callback_query" in logged
    assert "tortoise.exceptions.OperationalError" in logged  # the traceback's last line
    assert A_FRAME_IN_THE_BOT.search(logged), logged
    for secret in (
        str(LAYLA), "7654321", "7 654 321", WORDS, "it's", "Ahmed", "Zarzis", PHONE, "98 123 456",
        TOKEN, TOKEN.split(":")[1], "Layla", "layla_k", "cannot write chat",
    ):  # fmt: skip
        assert secret not in logged, secret
