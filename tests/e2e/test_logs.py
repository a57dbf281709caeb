"""Nothing a person says or who they are reaches the logs, even when something fails."""

from __future__ import annotations

import logging

import pytest
from tortoise.exceptions import OperationalError

from core.logs import PrivacyFilter, configure_logging
from core.models import ChatProfile
from tests.e2e.story import press, send

LAYLA = 7_654_321
SECRET_WORDS = "my passport is with Omar in Sabratha"


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
    sandbox, root_logging, caplog, capsys, monkeypatch
):
    caplog.set_level(logging.DEBUG)
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
    await send(layla, "/stop", "لم تكن مشتركًا")

    logged = caplog.text + capsys.readouterr().err
    assert "OperationalError while handling callback_query" in logged
    for secret in (str(LAYLA), SECRET_WORDS, "Sabratha", "layla_k", "Layla"):
        assert secret not in logged, secret
