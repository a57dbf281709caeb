"""Someone in danger types /help or opens ☎️ Get help: the emergency numbers are at the top, and
every number is plain digits that Telegram makes tappable, in Arabic as in French."""

from __future__ import annotations

import re

from content.help import load_directory
from core.botapi.client import Message
from core.botapi.formatting import utf16_len
from tests.e2e.story import labels, press, send

DANGER_AR = "هل أنت في خطر الآن؟"
DANGER_FR = "En danger en ce moment ?"


def line_of(text: str, words: str) -> int:
    """The index of the first line of `text` that holds `words`; digits count only as a whole
    number ("19" is not found in "1809" or "2019"). Fails if no line holds them."""
    pattern = rf"(?<![\d+]){re.escape(words)}(?!\d)" if words.isdigit() else re.escape(words)
    found = [i for i, line in enumerate(text.split("\n")) if re.search(pattern, line)]
    assert found, f"no line holds {words!r}"
    return found[0]


def dialable_numbers(message: Message) -> list[str]:
    """Every run of digits that Telegram would offer to dial: whole runs (a leading '+' kept)
    that no code, pre or other formatting entity covers."""
    text = message["text"]
    entities = message.get("entities") or []
    found = []
    for match in re.finditer(r"\+?\d+", text):
        start, end = utf16_len(text[: match.start()]), utf16_len(text[: match.end()])
        covered = any(e["offset"] < end and start < e["offset"] + e["length"] for e in entities)
        if not covered:
            found.append(match.group(0))
    return found


def assert_every_number_dials(message: Message, country: str, lang: str) -> None:
    assert not [e for e in message.get("entities") or [] if e["type"] in ("code", "pre")]
    shown = [e for e in load_directory().public_entries(country, lang) if e.phone]
    assert shown, "the story needs a country with verified numbers"
    for entry in shown:
        assert entry.dial in dialable_numbers(message), entry.id
        if entry.dial != entry.phone:
            assert entry.phone not in message["text"]  # never split by spaces


async def test_in_tunisia_help_in_arabic_starts_with_the_emergency_numbers(sandbox):
    salma = sandbox.chat(6101, language_code="ar")
    await send(salma, "/start", "أهلًا بك في أمان")
    await press(salma, "العربية", "في أي بلد أنت")
    await press(salma, "تونس", "ماذا تريد أن تفعل؟")

    help_ = await send(salma, "/help", "كيف يعمل أمان")
    text = help_["text"]
    assert line_of(text, DANGER_AR) == 0
    assert line_of(text, "197") <= 2 and "الشرطة" in text.split("\n")[1]
    assert line_of(text, "197") < line_of(text, "كيف يعمل أمان")
    assert {"197", "193", "194", "198", "190"} <= set(dialable_numbers(help_))
    assert not [e for e in help_.get("entities") or [] if e["type"] in ("code", "pre")]
    assert "☎️ طلب المساعدة" in labels(help_)

    contacts = await press(salma, "☎️ طلب المساعدة", "طلب المساعدة: تونس")
    text = contacts["text"]
    assert line_of(text, DANGER_AR) <= 2
    assert line_of(text, "197") <= 6
    # Every emergency line comes before the first line that is not one (child protection).
    assert max(line_of(text, n) for n in ("197", "193", "194", "198", "190")) < line_of(
        text, "1809"
    )
    assert_every_number_dials(contacts, "TN", "ar")


async def test_in_tunisia_help_in_french_starts_with_the_emergency_numbers(sandbox):
    karim = sandbox.chat(6102, language_code="fr")
    await send(karim, "/start", "Bienvenue sur Aman")
    await press(karim, "Français", "Dans quel pays êtes-vous")
    await press(karim, "Tunisie", "Que voulez-vous faire ?")

    help_ = await send(karim, "/help", "Comment fonctionne Aman")
    lines = help_["text"].split("\n")
    assert DANGER_FR in lines[0]
    assert lines[1] == "Police — 197"
    assert line_of(help_["text"], "Garde nationale maritime") < line_of(help_["text"], "Comment")

    contacts = await press(karim, "☎️ Trouver de l'aide", "Trouver de l'aide : Tunisie")
    text = contacts["text"]
    assert line_of(text, DANGER_FR) <= 2 and line_of(text, "197") <= 6
    assert line_of(text, "SAMU") < line_of(text, "Ligne de protection de l'enfance")
    assert "vérifié le" in text and "80 104 748" not in text and "80104748" not in text
    assert_every_number_dials(contacts, "TN", "fr")


async def test_a_long_moroccan_number_stays_one_tappable_run_in_arabic(sandbox):
    amina = sandbox.chat(6103, language_code="ar")
    await send(amina, "/start", "أهلًا بك في أمان")
    await press(amina, "العربية", "في أي بلد أنت")
    await press(amina, "المغرب", "ماذا تريد أن تفعل؟")
    contacts = await send(amina, "/help_numbers", "طلب المساعدة: المغرب")
    assert "+212537545400" in dialable_numbers(contacts)
    assert "+212 537" not in contacts["text"]
    assert line_of(contacts["text"], "19") < line_of(contacts["text"], "2511")
    assert_every_number_dials(contacts, "MA", "ar")


async def test_help_before_a_country_still_starts_with_the_danger_line(sandbox):
    lea = sandbox.chat(6104, language_code="fr")
    help_ = await send(lea, "/help", "Comment fonctionne Aman")
    assert DANGER_FR in help_["text"].split("\n")[0]
    assert "/country" in help_["text"].split("\n")[1]


async def test_a_hidden_libyan_line_stays_hidden_in_its_dialled_form_too(sandbox):
    ali = sandbox.chat(6105, language_code="ar")
    await send(ali, "/start", "أهلًا بك في أمان")
    await press(ali, "العربية", "في أي بلد أنت")
    await press(ali, "ليبيا", "ماذا تريد أن تفعل؟")
    help_ = await send(ali, "/help", "كيف يعمل أمان")
    assert line_of(help_["text"], DANGER_AR) == 0
    contacts = await send(ali, "/help_numbers", "طلب المساعدة: ليبيا")
    assert line_of(contacts["text"], DANGER_AR) <= 2
    for shown in (help_, contacts):
        assert "+218919897937" not in shown["text"] and "+218 91 989 7937" not in shown["text"]
