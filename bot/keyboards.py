"""Buttons and names shared by the flows: the language and country pickers and the menu button.

Callback data is short text "<area>:<action>[:<arg>...]"; a choice travels inside its button, so
pressing the same button again after a failure repeats the same choice. Buttons share a row only
when their labels are short: on a small phone Telegram cuts a long label in a half-width button.
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
# Labels up to this many characters fit half a small phone's width; longer ones get a row alone.
SHORT_LABEL = 16
# No button label in any language may be longer than this (tests/bot/test_button_labels.py).
LONGEST_LABEL = 32


def country_name(code: str | None, _: Gettext) -> str:
    """The country as a button or a field shows it ("Other / on the way" included)."""
    return _(COUNTRY_NAMES[code]) if code in COUNTRY_NAMES else _("not chosen yet")


def place_in_sentence(code: str | None, _: Gettext) -> str:
    """The country as a sentence names it: "Other / on the way" is a case, not a country."""
    return _("the whole region") if code == OTHER else country_name(code, _)


def is_short(button: Button) -> bool:
    return len(button.text) <= SHORT_LABEL


def rows(buttons: list[Button], width: int = 2) -> list[list[Button]]:
    """Buttons in order, up to `width` side by side while every label in the row is short."""
    laid: list[list[Button]] = []
    for button in buttons:
        row = laid[-1] if laid else []
        if 0 < len(row) < width and is_short(button) and all(is_short(b) for b in row):
            row.append(button)
        else:
            laid.append([button])
    return laid


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
