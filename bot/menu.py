"""The main menu and the screens it leads to: each flow registers its screen here by name.

Tips flows (report, check) add their entries with `add_menu_entry` or, simpler, a module-level
`menu_entries = [(N_("Label"), "callback:data")]` that `bot.app` registers when it wires the flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.chat import Context, profile_of, show, tr
from bot.keyboards import Button, country_name, rows
from core.i18n import N_, language_name

Screen = Callable[[Update, Context], Awaitable[None]]

# Screen name -> the step that shows it; buttons reach them with callback data "go:<name>".
SCREENS: dict[str, Screen] = {}
# Extra main-menu entries (label marked with N_, callback data), shown after the built-in ones.
MENU_EXTRAS: list[tuple[str, str]] = []

BUILT_IN: list[tuple[str, str]] = [
    (N_("📚 Learn"), "go:learn"),
    (N_("☎️ Get help"), "go:help"),
    (N_("🔔 Alerts"), "go:alerts"),
    (N_("🛡 Privacy & safety"), "go:privacy"),
]
SETTINGS: list[tuple[str, str]] = [
    (N_("🌐 Language"), "lang:pick:menu"),
    (N_("📍 Country"), "country:pick:menu"),
]

commands = [("menu", N_("Show the main menu"))]


def screen(name: str) -> Callable[[Screen], Screen]:
    """Register a step as the screen `go:<name>` opens (and that a country choice returns to)."""

    def register(step: Screen) -> Screen:
        SCREENS[name] = step
        return step

    return register


def add_menu_entry(label: str, data: str) -> None:
    """Add a main-menu button once (label marked with N_, translated when shown)."""
    if (label, data) not in MENU_EXTRAS:
        MENU_EXTRAS.append((label, data))


async def open_screen(name: str, update: Update, context: Context) -> bool:
    step = SCREENS.get(name)
    if step is None:
        return False
    await step(update, context)
    return True


@screen("menu")
async def show_menu(update: Update, context: Context, *, fresh: bool = False) -> None:
    profile = await profile_of(update)
    _ = tr(profile).gettext
    text = "\n".join(
        [
            _("<b>What would you like to do?</b>"),
            "",
            _("Language: {language}").format(language=language_name(profile.language)),
            _("Country: {country}").format(country=country_name(profile.country, _)),
        ]
    )
    main = [Button(_(label), callback_data=data) for label, data in BUILT_IN + MENU_EXTRAS]
    settings = [Button(_(label), callback_data=data) for label, data in SETTINGS]
    await show(
        update, context, text, InlineKeyboardMarkup([*rows(main), *rows(settings)]), fresh=fresh
    )


async def go(update: Update, context: Context) -> None:
    name = update.callback_query.data.split(":", 1)[1]
    if not await open_screen(name, update, context):
        await SCREENS["stale"](update, context)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("menu", show_menu, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(go, pattern=r"^go:[a-z_-]+$"),
    ]
