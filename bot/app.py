"""The public's door assembled: one python-telegram-bot Application wiring every flow module.

A flow is a module with `handlers() -> list[BaseHandler]`, optionally `commands` (name, N_ text)
for the command menu, `menu_entries` (N_ label, callback data) for the main menu and `jobs`
(interval in seconds, async callback) for periodic work. To add one,
add its module to FLOWS (tips' report and check are picked up as soon as they exist).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot import (
    alerts,
    campaign_taps,
    contacts,
    fallback,
    gate,
    learn,
    menu,
    privacy,
    staff_link,
    start,
    survey,
)
from bot.chat import Context, guessed_language, is_private, profile_of, send, tr
from bot.keyboards import menu_only
from bot.ordering import ChatOrderedProcessor
from content.help import HelpDirectory
from content.library import Library
from core.i18n import LANGUAGES, translator
from core.logs import get_logger
from core.telegram_http import AiohttpRequest

log = get_logger(__name__)

# The tips engineer's flows: each appears (handlers, commands, menu entries) once its module exists.
OPTIONAL_FLOWS = ("bot.report", "bot.check")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def _optional(names: tuple[str, ...]) -> list[ModuleType]:
    return [importlib.import_module(n) for n in names if importlib.util.find_spec(n) is not None]


def flows() -> list[ModuleType]:
    """Every flow in the order its handlers are tried; the fallback answers what none took."""
    return [
        start,
        menu,
        learn,
        contacts,
        alerts,
        privacy,
        *_optional(OPTIONAL_FLOWS),
        survey,
        campaign_taps,
        staff_link,
        fallback,
    ]


def build_application(
    token: str,
    api_root: str,
    *,
    library: Library | None = None,
    directory: HelpDirectory | None = None,
) -> Application:
    """The bot, talking to the Bot API at `api_root` (Telegram's, or the local sandbox)."""
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(read_timeout=5.0))
        .concurrent_updates(ChatOrderedProcessor())  # one chat in order, chats side by side
        .post_init(set_commands)
        .build()
    )
    app.bot_data.update(library=library, directory=directory)
    app.add_handlers(gate.handlers(), group=gate.GROUP)
    for flow in flows():
        app.add_handlers(flow.handlers())
        for label, data in getattr(flow, "menu_entries", ()):
            menu.add_menu_entry(label, data)
    app.add_error_handler(on_error)
    _schedule_housekeeping(app)
    return app


def _schedule_housekeeping(app: Application) -> None:
    """Periodic work that belongs to the bot: reply notices and forgetting expired drafts."""
    if app.job_queue is None:  # python-telegram-bot installed without its job-queue extra
        log.warning("no job queue: reply notices and draft expiry will not run")
        return
    for flow in flows():
        for interval, job in getattr(flow, "jobs", ()):
            app.job_queue.run_repeating(job, interval=interval, first=interval)


def command_list() -> list[tuple[str, str]]:
    return [command for flow in flows() for command in getattr(flow, "commands", ())]


async def set_commands(app: Application) -> None:
    """The command menu in every language; a failure here never stops the bot."""
    try:
        for code in [None, *LANGUAGES]:
            _ = translator(code).gettext
            listed = [BotCommand(name, _(text)) for name, text in command_list()]
            await app.bot.set_my_commands(listed, language_code=code)
    except TelegramError as error:
        log.warning("could not set the command menu: %s", type(error).__name__)


def update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    return next((kind for kind in Update.ALL_TYPES if getattr(update, kind, None)), "unknown")


async def on_error(update: object, context: Context) -> None:
    """Log what failed and where (its type and traceback frames; core.logs keeps its message,
    ids and text out) and tell the person to try again."""
    log.error(
        "%s while handling %s",
        type(context.error).__name__,
        update_kind(update),
        exc_info=context.error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await _say_sorry(update, context)
    except Exception as error:  # the error handler itself must never raise
        log.error("%s while saying sorry", type(error).__name__, exc_info=error)


async def _say_sorry(update: Update, context: Context) -> None:
    try:
        language = (await profile_of(update)).language if is_private(update) else None
    except Exception:  # the database may be what failed
        language = None
    _ = tr(language or guessed_language(update)).gettext
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:
            pass
    text = _("Sorry, something went wrong on our side. Please try again.")
    await send(update, context, text, menu_only(_) if is_private(update) else None)


async def start_polling(app: Application) -> None:
    """Start the bot with long polling (updates waiting while it was down are still answered)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    await app.updater.start_polling(drop_pending_updates=False, allowed_updates=ALLOWED_UPDATES)


async def stop(app: Application) -> None:
    """Stop polling or webhooks, finish the updates in hand, and close connections."""
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
