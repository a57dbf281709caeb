"""Links between tips without clear text: the phone numbers, account handles, IBANs and vehicle
plates a tip names are normalised and kept only as keyed hashes (TipLink rows), so that two tips
naming the same one, in two countries and written two ways, are found together while the value
itself is stored nowhere.

Normal forms (each prefixed with its kind, so a plate never matches a phone number):
- phone: "+" and the digits with the country code; a local number takes the code of the tip's
  country ("98 123 456" in a Tunisian tip is +21698123456, like "+216 98 123 456" and
  "0021698123456"); digits in any script count (Arabic-Indic, Bengali, …);
- handle (Telegram, WhatsApp, Facebook, Instagram, TikTok): lowercased, without "@", from
  "@name" or a t.me / facebook.com / instagram.com link (a wa.me link is a phone number);
- IBAN: without spaces, uppercased, and only when its check digits are right;
- plate: uppercase letters and digits only, read after a word that says it is a plate
  ("plate", "plaque", "immatriculation", "لوحة", …), so that no other number passes for one.

A keyed hash is not encryption: whoever holds both the database and the server secret can hash
a number they already know and learn whether, and in which tips, it appears (they cannot list
the numbers). The server secret is what keeps that test from a copy of the database alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Subquery
from tortoise.queryset import ValuesQuery

from core import crypto
from tips.models import Tip, TipLink, TipMessage
from tips.sealing import decrypt_json, decrypt_text

# Country calling codes of the countries Aman serves, with the lengths their national numbers
# (after the trunk "0", which all but Tunisia use) may have.
CALLING_CODES = {"DZ": "213", "EG": "20", "LY": "218", "MA": "212", "TN": "216"}
_NATIONAL_LENGTHS = {
    "DZ": (8, 9),
    "EG": (8, 9, 10),
    "LY": (8, 9),
    "MA": (9,),
    "TN": (8,),
}
_FIRST_DIGITS = {"DZ": "2345679", "EG": "123456789", "LY": "2345679", "MA": "5678", "TN": "2345679"}
_COUNTRY_OF_CODE = {code: country for country, code in CALLING_CODES.items()}
_SHORTEST_PHONE, _LONGEST_PHONE = 8, 15  # digits, the country code included (E.164: 15 at most)

_SEPARATORS = " \u00a0\u202f-.()"
_PHONE_RUN = re.compile(
    r"(?<![\w+])(?:(\+|00)[ (]{0,3}|\(?)(\d(?:[ \u00a0\u202f\-.()]{0,2}\d)*)(?!\w)"
)
_DATE = re.compile(
    r"(?<![\w./-])(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})"
    r"(?![\w./-])"
)
_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{1,48}[A-Za-z0-9_])?)")
_PROFILE_LINK = re.compile(
    r"(?:https?://)?(?:www\.|m\.|web\.|mobile\.)?"
    r"(?:t\.me|telegram\.me|telegram\.dog|facebook\.com|fb\.com|fb\.me|m\.me|instagram\.com)"
    r"/(?:(?:groups|pages|people)/)?(?:profile\.php\?id=)?([A-Za-z0-9_.]{2,50}[A-Za-z0-9_])",
    re.IGNORECASE,
)
_WHATSAPP_LINK = re.compile(
    r"(?:https?://)?(?:wa\.me/|api\.whatsapp\.com/send\?phone=)\+?(\d{8,15})", re.IGNORECASE
)
_NOT_A_PROFILE = {"share", "sharer", "watch", "events", "marketplace", "login", "home.php"}
_IBAN_RUN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]){11,32})")
_IBAN_LENGTHS = {"DZ": 26, "EG": 29, "LY": 25, "MA": 28, "TN": 24}
_PLATE_WORDS = re.compile(
    r"(?:number\s+plate|licen[cs]e\s+plate|plate|plaque|immatriculation|immatriculée?|"
    r"matricule|registration|لوحة|لوحه|اللوحة|ترقيم|نمرة|النمرة|ماتريكول)"
    r"(?:\s{0,3}(?:number|no\.?|n°|nº|numéro|num|is|was|est|:|#|-|رقم|رقمها)){0,4}\s{0,3}",
    re.IGNORECASE,
)
_PLATE_TOKEN = re.compile(r"[^\s\-.,;:!?()\"'«»،؛]+")
_PLATE_WORDS_IN = {"تونس": "TU"}  # Tunisian plates: "123 تونس 4567" is written "123 TU 4567"


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit, in whatever script, written as 0-9."""
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and ch.isdecimal() else ch for ch in text
    )


def _national(country: str, digits: str) -> str | None:
    """`digits` as a national number of `country` (trunk "0" dropped), or None."""
    if country != "TN" and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) in _NATIONAL_LENGTHS[country] and digits[0] in _FIRST_DIGITS[country]:
        return digits
    return None


def _international(digits: str) -> str | None:
    """Digits that start with a country code, as E.164 digits, or None."""
    for length in (2, 3):
        country = _COUNTRY_OF_CODE.get(digits[:length])
        if country is not None:
            national = _national(country, digits[length:])
            return digits[:length] + national if national else None
    return digits if _SHORTEST_PHONE <= len(digits) <= _LONGEST_PHONE else None


def normalise_phone(digits: str, international: bool, country: str | None) -> str | None:
    """A phone number's normal form "+<country code><number>", or None if it is not one.
    `international`: it was written with "+" or "00"; `country`: the tip's, for local ones."""
    digits = ascii_digits(digits)
    if not digits.isdigit() or len(digits) > _LONGEST_PHONE + 1:
        return None
    if international:
        found = _international(digits)
    else:
        found = None
        code = next((c for c in CALLING_CODES.values() if digits.startswith(c)), None)
        if code is not None and len(digits) > len(code) + 6:
            found = _international(digits)  # "21698123456": the code without its "+"
        if found is None and country in CALLING_CODES:
            national = _national(country, digits)
            found = CALLING_CODES[country] + national if national else None
        if found is None and country not in CALLING_CODES:
            # No country to read it by (at sea, elsewhere): only a long number, as written.
            found = digits if 9 <= len(digits) <= _LONGEST_PHONE else None
    return f"+{found}" if found else None


def _phones(text: str, country: str | None) -> set[str]:
    found: set[str] = set()
    for match in _PHONE_RUN.finditer(text):
        international = match.group(1) is not None
        groups = [g for g in re.split(f"[{re.escape(_SEPARATORS)}]+", match.group(2)) if g]
        start = 0
        while start < len(groups):
            # The longest run of groups that makes one number; a space may also part two.
            best, end = None, start
            digits = ""
            for stop in range(start, len(groups)):
                digits += groups[stop]
                if len(digits) > _LONGEST_PHONE + 1:
                    break
                phone = normalise_phone(digits, international and start == 0, country)
                if phone is not None:
                    best, end = phone, stop
            if best is not None:
                found.add(best)
                start = end + 1
            else:
                start += 1
    return found


def _iban_valid(iban: str) -> bool:
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    if not 15 <= len(iban) <= 34:
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def _ibans(text: str) -> tuple[set[str], str]:
    """The IBANs in `text`, and the text without them (so their digits are no phone)."""
    found: set[str] = set()
    kept = text
    for match in _IBAN_RUN.finditer(text):
        raw = match.group(1)
        compact = re.sub(r"[ \u00a0]", "", raw).upper()
        for length in range(len(compact), 14, -1):  # it may run into the next word
            if _iban_valid(compact[:length]):
                found.add(compact[:length])
                break
        else:  # a mistyped IBAN is still no phone number
            length = _IBAN_LENGTHS.get(compact[:2], len(compact))
        kept = kept.replace(raw[: _raw_length(raw, length)], " ", 1)
    return found, kept


def _raw_length(raw: str, compact_length: int) -> int:
    """How many characters of `raw` (spaces included) hold its first `compact_length`."""
    seen = 0
    for index, ch in enumerate(raw):
        if ch.isalnum():
            seen += 1
            if seen == compact_length:
                return index + 1
    return len(raw)


def _handles(text: str) -> set[str]:
    found = {m.group(1).lower().rstrip(".") for m in _HANDLE.finditer(text)}
    for match in _PROFILE_LINK.finditer(text):
        name = match.group(1).lower()
        if name not in _NOT_A_PROFILE:
            found.add(name)
    return {h for h in found if len(h) >= 3}


def _plates(text: str) -> set[str]:
    found: set[str] = set()
    for match in _PLATE_WORDS.finditer(text):
        tokens: list[str] = []
        tokens_end = match.end()
        for token in _PLATE_TOKEN.finditer(text, match.end()):
            between = text[tokens_end : token.start()]
            if "\n" in between or len(between) > 3:
                break
            word = _PLATE_WORDS_IN.get(token.group(), token.group())
            if not (any(ch.isdigit() for ch in word) or len(word) <= 3):
                break
            tokens.append(word)
            tokens_end = token.end()
            if len(tokens) == 5:
                break
        while tokens and not any(ch.isdigit() for ch in tokens[-1]):
            tokens.pop()  # "123 TU 4567 and …": a short word after the plate is no part of it
        plate = "".join(ch for ch in "".join(tokens).upper() if ch.isalnum())
        if 4 <= len(plate) <= 12 and sum(ch.isdigit() for ch in plate) >= 2:
            found.add(plate)
    return found


def identifiers(text: str, country: str | None) -> set[str]:
    """The normalised identifiers `text` names, each as "<kind>:<normal form>"."""
    text = unicodedata.normalize("NFKC", ascii_digits(text))
    ibans, rest = _ibans(text)
    whatsapp = {m.group(1) for m in _WHATSAPP_LINK.finditer(rest)}
    rest = _WHATSAPP_LINK.sub(" ", rest)
    phones = {p for d in whatsapp if (p := normalise_phone(d, True, country))}
    phones |= _phones(_DATE.sub(" ", _PROFILE_LINK.sub(" ", rest)), country)
    return (
        {f"phone:{p}" for p in phones}
        | {f"handle:{h}" for h in _handles(rest)}
        | {f"iban:{i}" for i in ibans}
        | {f"plate:{p}" for p in _plates(rest)}
    )


def digest(identifier: str) -> str:
    """The keyed hash a TipLink row keeps of one normalised identifier."""
    return crypto.blind_index(crypto.Purpose.TIP_LINK, identifier)


def texts_of(answers: dict[str, Any]) -> list[str]:
    """The written answers of a tip (choices are short codes and name nothing)."""
    return [value for value in answers.values() if isinstance(value, str)]


async def record(
    tip_id: int,
    country: str | None,
    texts: Iterable[str],
    connection: BaseDBAsyncClient | None = None,
) -> int:
    """Keep the keyed hashes of what `texts` name as links of this tip; how many were new."""
    digests = {digest(found) for text in texts for found in identifiers(text, country)}
    if not digests:
        return 0
    query = TipLink.filter(tip_id=tip_id, digest__in=digests)
    known = set(await query.using_db(connection).values_list("digest", flat=True))
    new = sorted(digests - known)
    await TipLink.bulk_create([TipLink(tip_id=tip_id, digest=d) for d in new], using_db=connection)
    return len(new)


async def record_answers(
    tip_id: int, country: str | None, answers: dict[str, Any], connection: BaseDBAsyncClient
) -> int:
    """At intake, in the tip's own transaction: the links of its answers."""
    return await record(tip_id, country, texts_of(answers), connection)


def linked_ids(tip_id: int) -> ValuesQuery:
    """A subquery of the ids of other tips sharing at least one link with this one."""
    mine = TipLink.filter(tip_id=tip_id).values("digest")
    return (
        TipLink.filter(digest__in=Subquery(mine)).exclude(tip_id=tip_id).distinct().values("tip_id")
    )


async def shared_identifiers(tip_id: int, country: str | None, texts: Iterable[str]) -> list[str]:
    """Which of the identifiers in this tip's own (decrypted) texts other tips name too: for a
    reader who has the tip open, so they know what to ask the other unit about."""
    mine = {found for text in texts for found in identifiers(text, country)}
    if not mine:
        return []
    by_digest = {digest(found): found for found in mine}
    shared = await (
        TipLink.filter(digest__in=list(by_digest))
        .exclude(tip_id=tip_id)
        .distinct()
        .values_list("digest", flat=True)
    )
    return sorted(by_digest[d] for d in set(shared))


async def named_elsewhere(tip: Tip, key: bytes) -> list[str]:
    """The identifiers of an opened tip (its answers and the reporter's additions) that other
    tips name too, normalised: what the reader may ask the other units about."""
    texts = texts_of(decrypt_json(key, bytes(tip.content)))
    added = await TipMessage.filter(tip_id=tip.id, from_reporter=True).order_by("id")
    texts += [decrypt_text(key, bytes(m.body)) for m in added]
    return await shared_identifiers(tip.id, tip.country, texts)
