"""Logging for Aman: one format, and nothing personal in any line it writes.

Code must never log chat ids, user ids, usernames, phone numbers or message text. Two defences
stand behind that rule, both on the one handler Aman installs:

- `PrivacyFilter` rewrites each record's message: bot tokens, long or spaced numbers (ids,
  phones), `text=…`-style fields, exceptions passed as arguments (their message is dropped, their
  type kept) and the context lines asyncio appends (a task's repr carries its exception's text);
- `PrivacyFormatter` writes the final line: the scrubbed message, then, for a failure, where it
  happened and nothing else: the exception's type and its traceback as `file:line in function`.
  No exception message, no source line, no local value is ever printed, since any of them may
  hold what a person wrote; the whole output is scrubbed once more before it is written.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from functools import lru_cache
from pathlib import Path
from types import TracebackType

_TOKEN = re.compile(r"(?:bot)?\d{3,}:[A-Za-z0-9_-]{20,}|bot\d+:[A-Za-z0-9_-]+")
# A quoted value ends at its own closing quote (an apostrophe inside "…" does not end it); an
# unquoted value of a text field runs to the end of the line, of an id field to the next non-word.
_QUOTED = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
_TEXT_FIELDS = (
    "text|caption|first_name|last_name|username|full_name|name|title|bio|description|"
    "phone_number|phone|vcard|address|query|question|file_name|message|body|sender"
)
_ID_FIELDS = "chat_id|user_id|from_user|chat|user|from|sender_chat|id|tg_id|telegram_id"
_FIELD = r"""(['"]?\b(?:{names})\b['"]?\s*[:=]\s*)"""
_TEXT_FIELD = re.compile(_FIELD.format(names=_TEXT_FIELDS) + rf"(?:{_QUOTED}|[^\s,;)}}\]][^\n]*)")
_ID_FIELD = re.compile(_FIELD.format(names=_ID_FIELDS) + rf"(?:{_QUOTED}|[-+]?\w+)")
# Runs of digits with at most two separators between them: "+216 98 123 456", "0021698123456",
# "(+20) 10.1234.5678", Arabic-Indic digits too. Hidden when they hold 7+ digits in all, or one
# group of 6+ (a chat id). Dates and times (2025-01-31 12:00:05) are matched first and kept.
_DIGITS = re.compile(
    r"(?P<time>(?<!\w)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?!\w)"
    r"|(?<!\w)\d{1,2}:\d{2}(?::\d{2})?(?!\w))"
    r"|(?<![\w+])(?:\+|\(\+?)?\d(?:[ .\-()/]{0,2}\d)*\)?(?!\w)"
)
_STACK_FRAME = re.compile(r'^  File "([^"\n]+)", line (\d+), in (\S+)$', re.MULTILINE)
TRACEBACK_HEADER = "Traceback (most recent call last; messages and values withheld):"


def _hide_digits(found: re.Match[str]) -> str:
    run = found.group(0)
    if found.group("time"):
        return run
    digits = sum(ch.isdigit() for ch in run)
    longest = max(len(group) for group in re.findall(r"\d+", run))
    return "<number>" if digits >= 7 or longest >= 6 else run


def scrub(text: str) -> str:
    """`text` without bot tokens, personal fields, ids or phone numbers."""
    text = _TOKEN.sub("<token>", text)
    text = _TEXT_FIELD.sub(r"\1<hidden>", text)
    text = _ID_FIELD.sub(r"\1<hidden>", text)
    return _DIGITS.sub(_hide_digits, text)


def _without_exception_text(args: object) -> object:
    """Log arguments with each exception replaced by its type name (its message stays out)."""
    if isinstance(args, tuple):
        return tuple(_kind(a) if isinstance(a, BaseException) else a for a in args)
    if isinstance(args, dict):
        return {k: _kind(v) if isinstance(v, BaseException) else v for k, v in args.items()}
    return _kind(args) if isinstance(args, BaseException) else args


def _safe_message(record: logging.LogRecord) -> str:
    try:
        message = str(record.msg) % _without_exception_text(record.args) if record.args else None
    except Exception:  # arguments that do not fit the format: say so, show neither
        return f"(unprintable log message from {_where(record.pathname, record.lineno)})"
    if message is None:
        message = _kind(record.msg) if isinstance(record.msg, BaseException) else str(record.msg)
    if record.name == "asyncio" or record.name.startswith("asyncio."):
        # asyncio appends "task: <Task … exception=Error('what a person wrote')>" lines.
        message = message.split("\n", 1)[0]
    return scrub(message)


class PrivacyFilter(logging.Filter):
    """Rewrites each record's message so tokens, ids, phones and chat fields never reach a log
    (what libraries log included); the formatter does the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_aman_scrubbed", False):
            return True
        record.msg, record.args = _safe_message(record), None
        record._aman_scrubbed = True
        return True


# Paths are shown from the project root or the package directory they sit in ("bot/app.py",
# "telegram/ext/_application.py"), so a log says where without naming the server's folders.
_ROOT = Path(__file__).resolve().parent.parent


def _where(filename: str, lineno: int | None) -> str:
    return f"{_short_path(filename)}:{lineno}"


@lru_cache(maxsize=512)
def _short_path(filename: str) -> str:
    try:
        path = Path(filename).resolve()
    except (OSError, RuntimeError):
        return filename
    bases = {_ROOT, *(Path(p).resolve() for p in sys.path if p)}
    for base in sorted(bases, key=lambda b: len(str(b)), reverse=True):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def _kind(error: BaseException) -> str:
    cls = type(error)
    module = cls.__module__
    return (
        cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
    )


def _frames(tb: TracebackType | None) -> list[str]:
    return [f"  {_where(f.filename, f.lineno)} in {f.name}" for f in traceback.extract_tb(tb)]


def safe_traceback(error: BaseException) -> str:
    """Where `error` happened: its type and frames (with its causes'), never its message."""
    lines: list[str] = []
    seen: set[int] = set()

    def describe(exc: BaseException, depth: int) -> None:
        if id(exc) in seen or depth > 5:
            return
        seen.add(id(exc))
        if exc.__cause__ is not None:
            describe(exc.__cause__, depth + 1)
            lines.append("The above was the direct cause of:")
        elif exc.__context__ is not None and not exc.__suppress_context__:
            describe(exc.__context__, depth + 1)
            lines.append("While handling the above, another exception occurred:")
        lines.append(TRACEBACK_HEADER)
        lines.extend(_frames(exc.__traceback__))
        lines.append(_kind(exc))
        for inner in getattr(exc, "exceptions", ())[:10]:  # an ExceptionGroup's members
            if isinstance(inner, BaseException):
                lines.append(f"-- in {_kind(exc)}:")
                describe(inner, depth + 1)

    describe(error, 0)
    return "\n".join(lines)


class PrivacyFormatter(logging.Formatter):
    """The one log format: time, level, logger, scrubbed message, and for a failure only its
    type and frames. Records are never changed (other handlers may see them)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)
        shown.name = scrub(record.name)
        shown.msg, shown.args = _safe_message(record), None
        shown.exc_info = shown.exc_text = shown.stack_info = None  # cached text may be verbatim
        line = super().format(shown)
        error = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
        if isinstance(error, BaseException):
            line += "\n" + scrub(safe_traceback(error))
        elif record.exc_text:
            line += "\n(a traceback was withheld)"
        if record.stack_info:
            frames = _STACK_FRAME.findall(record.stack_info)
            line += "\nStack (most recent call last):\n" + scrub(
                "\n".join(
                    f"  {_where(file, int(number))} in {name}" for file, number, name in frames
                )
            )
        return line


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and tools swap it)."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__()
        self.setLevel(level)
        self.setFormatter(PrivacyFormatter())
        self.addFilter(PrivacyFilter())

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass

    def handleError(self, record: logging.LogRecord) -> None:
        # The standard handler would print the record's message and arguments verbatim.
        error = sys.exc_info()[1]
        kind = _kind(error) if error is not None else "error"
        try:
            sys.stderr.write(f"--- logging failed ({kind}) for a record from {record.name} ---\n")
        except Exception:  # noqa: S110 - nowhere left to report it
            pass


# Records logged before configure_logging (or with no handler at all) go to logging.lastResort,
# which prints messages as they are: give it the same privacy.
logging.lastResort = _StderrHandler(logging.WARNING)


def configure_logging(level: int = logging.INFO) -> None:
    """Set up the root logger once: timestamps, levels, and privacy on every line."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, PrivacyFormatter) for h in root.handlers):
        return
    root.addHandler(_StderrHandler())
    root.setLevel(level)
    # httpx/aiohttp access logs carry URLs with the token; PTB's debug logs carry updates; the
    # database drivers' debug logs carry query values.
    for noisy in (
        "httpx", "httpcore", "aiohttp.access", "telegram", "apscheduler", "tortoise",
        "aiosqlite", "asyncpg",
    ):  # fmt: skip
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)
