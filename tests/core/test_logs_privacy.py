"""What an operator reads in Aman's logs: where things failed, and nothing about the people the
bot talks to, whatever a library or a careless line of code hands to the logger."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from core.logs import configure_logging

CHAT_ID = 987_654_321
TOKEN = "5123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
WORDS = "it's the boat of Ahmed Ben Salah, leaving Zarzis"
PHONES = (
    "+216 98 123 456",
    "0021698123456",
    "98 123 456",
    "(+20) 10.1234.5678",
    "06-12-34-56-78",
    "٠٩٨١٢٣٤٥٦",  # written with Arabic-Indic digits
)


@pytest.fixture
def stderr(capsys):
    """The production log set-up; yields a function returning what reached stderr so far."""
    root = logging.getLogger()
    before_level, before_handlers = root.level, list(root.handlers)
    configure_logging(logging.DEBUG)
    yield lambda: capsys.readouterr().err
    for handler in root.handlers:
        if handler not in before_handlers:
            root.removeHandler(handler)
    root.setLevel(before_level)


def _fail_with_everything() -> None:
    try:
        raise KeyError(f"chat {CHAT_ID}")
    except KeyError as first:
        raise RuntimeError(f'text="{WORDS}" via https://api.telegram.org/bot{TOKEN}/x') from first


def test_logs_scrub_tracebacks(stderr):
    try:
        _fail_with_everything()
    except RuntimeError:
        logging.getLogger("telegram.ext.Application").exception("update failed")
    logged = stderr()
    assert "update failed" in logged
    assert re.search(
        r"^  tests/core/test_logs_privacy\.py:\d+ in _fail_with_everything$", logged, re.M
    )
    assert "\nKeyError\n" in logged and logged.rstrip().endswith("\nRuntimeError")
    for secret in (str(CHAT_ID), WORDS, "Zarzis", TOKEN, TOKEN.split(":")[1], "raise "):
        assert secret not in logged, secret


def test_logs_hide_phone_numbers_however_they_are_written(stderr):
    log = logging.getLogger("aman.test")
    for phone in PHONES:
        log.warning("a caller left %s", phone)
    logged = stderr()
    assert logged.count("a caller left <number>") == len(PHONES), logged
    for phone in PHONES:
        assert phone not in logged


def test_an_apostrophe_does_not_end_a_hidden_text(stderr):
    logging.getLogger("httpx").error('sendMessage chat_id=%s text="%s" done', CHAT_ID, WORDS)
    logging.getLogger("telegram").error("Update(message=Message(text=%r))", WORDS)
    logged = stderr()
    assert "chat_id=<hidden>" in logged
    for secret in (str(CHAT_ID), "Ahmed", "Ben Salah", "Zarzis", "boat"):
        assert secret not in logged, secret


def test_an_exception_logged_as_an_argument_shows_only_its_type(stderr):
    error = ValueError(f"{WORDS} ({CHAT_ID})")
    logging.getLogger("aman.test").warning("could not send: %s", error)
    logged = stderr()
    assert "could not send: ValueError" in logged
    assert "Zarzis" not in logged and str(CHAT_ID) not in logged


def test_a_broken_log_call_does_not_print_its_arguments(stderr):
    logging.getLogger("aman.test").error("two values %s %s", WORDS)
    logged = stderr()
    assert "unprintable log message from tests/core/test_logs_privacy.py:" in logged
    assert "Zarzis" not in logged


async def test_a_forgotten_failing_task_is_reported_without_its_message(stderr):
    async def fails() -> None:
        raise ValueError(f"{WORDS} {CHAT_ID}")

    loop = asyncio.get_running_loop()
    task = loop.create_task(fails())
    await asyncio.sleep(0)
    loop.call_exception_handler(
        {"message": "Task exception was never retrieved", "exception": task.exception(),
         "future": task}
    )  # fmt: skip
    logged = stderr()
    assert "Task exception was never retrieved" in logged and "\nValueError" in logged
    assert "Zarzis" not in logged and str(CHAT_ID) not in logged


def test_a_stack_is_shown_as_frames_only(stderr):
    logging.getLogger("aman.test").info("here %s", WORDS[:4], stack_info=True)
    logged = stderr()
    assert re.search(r"^  tests/core/test_logs_privacy\.py:\d+ in test_a_stack", logged, re.M)
    assert "logging.getLogger" not in logged  # no source line


def test_records_logged_before_set_up_are_scrubbed_too(capsys):
    root = logging.getLogger()
    handlers = list(root.handlers)
    for handler in handlers:  # as in a command that never configured logging
        root.removeHandler(handler)
    try:
        logging.getLogger("aman.early").warning("chat %s text=%r", CHAT_ID, WORDS)
    finally:
        for handler in handlers:
            root.addHandler(handler)
    logged = capsys.readouterr().err
    assert "chat <number> text=<hidden>" in logged
    assert "Zarzis" not in logged


def test_times_versions_and_small_counts_stay_readable(stderr):
    logging.getLogger("aman.test").info(
        "run at 2025-01-31 12:00:05 on 127.0.0.1:8080 with aman 1.2.3: 42 sent in 3.5 s"
    )
    assert "run at 2025-01-31 12:00:05 on 127.0.0.1:8080 with aman 1.2.3: 42 sent in 3.5 s" in (
        stderr()
    )
