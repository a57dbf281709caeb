"""Languages: which ones Aman speaks, the one fallback policy, gettext translators, and RTL care.

The whole fallback policy lives in `fallback_chain`: the chosen language, then its base language,
then English. The bot, the admin and the content library all go through it.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "aman"
DEFAULT_LANGUAGE = "en"

# Code -> the language's name in its own script, in the order the picker shows them.
LANGUAGES: dict[str, str] = {
    "ar": "العربية",
    "fr": "Français",
    "en": "English",
    "ha": "Hausa",
    "ti": "ትግርኛ",
    "bn": "বাংলা",
}
# Languages whose UI and core pages are machine-assisted and await a native speaker's review.
NEEDS_NATIVE_REVIEW = frozenset({"ha", "ti", "bn"})
RTL_LANGUAGES = frozenset({"ar", "ps", "ur"})

FSI, PDI = "\u2068", "\u2069"
# Runs of Latin letters, digits and the punctuation inside numbers, phones, URLs and dates.
# Brackets stay outside: they are mirrored by the surrounding right-to-left text.
_LTR_RUN = re.compile(r"[A-Za-z0-9+][A-Za-z0-9+\-./:_%@&?=#' ]*[A-Za-z0-9%]|[A-Za-z0-9]")


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet (translated where it is shown)."""
    return message


def normalise(code: str | None) -> str | None:
    """'ar-MA', 'AR_ma' -> 'ar-MA' style; None or empty -> None."""
    if not code:
        return None
    parts = code.replace("_", "-").split("-")
    return "-".join([parts[0].lower(), *[p.upper() for p in parts[1:]]])


def fallback_chain(lang: str | None) -> list[str]:
    """The languages to try, best first: chosen -> its base -> English."""
    chain: list[str] = []
    code = normalise(lang)
    if code:
        chain.append(code)
        base = code.split("-")[0]
        if base not in chain:
            chain.append(base)
    if DEFAULT_LANGUAGE not in chain:
        chain.append(DEFAULT_LANGUAGE)
    return chain


def best_language(lang: str | None) -> str:
    """The first language of the chain that Aman actually speaks."""
    return next((c for c in fallback_chain(lang) if c in LANGUAGES), DEFAULT_LANGUAGE)


def is_rtl(lang: str | None) -> bool:
    return (normalise(lang) or "").split("-")[0] in RTL_LANGUAGES


@lru_cache(maxsize=64)
def translator(lang: str | None) -> NullTranslations:
    """A gettext translator (gettext/ngettext/pgettext) that falls back along the chain."""
    result: NullTranslations | None = None
    for code in fallback_chain(lang):
        catalog = Translations.load(str(LOCALES_DIR), [code.replace("-", "_")], domain=DOMAIN)
        if not isinstance(catalog, Translations):
            continue
        if result is None:
            result = catalog
        else:
            result.add_fallback(catalog)
    return result or NullTranslations()


def reload_catalogs() -> None:
    translator.cache_clear()


def isolate(text: str) -> str:
    """Wrap Latin and numeric runs (phones, URLs, dates, acronyms) in Unicode isolates.

    In right-to-left text a phone number like 80 104 748 or a URL would otherwise be reordered
    or pulled into the surrounding Arabic; FSI…PDI keeps each run intact and in place.
    """
    return _LTR_RUN.sub(lambda m: f"{FSI}{m.group(0)}{PDI}", text)


def bidi(text: str, lang: str | None) -> str:
    """`isolate` for right-to-left languages, the text unchanged for the others."""
    return isolate(text) if is_rtl(lang) else text


def format_date(value: date, lang: str | None, fmt: str = "medium") -> str:
    """A date as people of that language write it (Babel/CLDR)."""
    code = best_language(lang)
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, LookupError):
        locale = Locale.parse(DEFAULT_LANGUAGE)
    return babel_format_date(value, format=fmt, locale=locale)


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name: in its own script (pickers), or as a sentence in `in_language` names
    it ("en français", "باللغة الفرنسية"), from CLDR through Babel."""
    if in_language is None:
        return LANGUAGES.get(code, code)
    try:
        named = Locale.parse(best_language(in_language)).languages.get(code)
    except (ValueError, LookupError):
        named = None
    return named or LANGUAGES.get(code, code)
