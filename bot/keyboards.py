"""Buttons and names shared by the flows: the language and country pickers and the menu button.

Callback data is short text "<area>:<action>[:<arg>...]"; a choice travels inside its button, so
pressing the same button again after a failure repeats the same choice.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.i18n import LANGUAGES, N_, NEEDS_NATIVE_REVIEW

Gettext = Callable[[str], str]
Button = InlineKeyboardButton

OTHER = "other"
COUNTRY_NAMES: dict[str, str] = {
    "DZ": N_("Algeria"),
    "EG": N_("Egypt"),
    "LY": N_("Libya"),
    "MA": N_("Morocco"),
    "TN": N_("Tunisia"),
    OTHER: N_("Other / on the way"),
}
MENU = "go:menu"


def country_name(code: str | None, _: Gettext) -> str:
    return _(COUNTRY_NAMES[code]) if code in COUNTRY_NAMES else _("not chosen yet")


def rows(buttons: list[Button], width: int = 2) -> list[list[Button]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def language_picker(then: str) -> InlineKeyboardMarkup:
    """Each language named in its own script, so anyone can find theirs."""
    buttons = [
        Button(name, callback_data=f"lang:set:{code}:{then}") for code, name in LANGUAGES.items()
    ]
    return InlineKeyboardMarkup(rows(buttons))


def review_note(_: Gettext) -> str:
    names = ", ".join(LANGUAGES[code] for code in LANGUAGES if code in NEEDS_NATIVE_REVIEW)
    return _("Translations into {languages} are new and await review by native speakers.").format(
        languages=names
    )


def country_picker(_: Gettext, then: str) -> InlineKeyboardMarkup:
    buttons = [
        Button(_(name), callback_data=f"country:set:{code}:{then}")
        for code, name in COUNTRY_NAMES.items()
    ]
    return InlineKeyboardMarkup(rows(buttons))


def menu_row(_: Gettext) -> list[Button]:
    return [Button(_("‹ Menu"), callback_data=MENU)]


def menu_only(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([menu_row(_)])
