"""On a small phone a long label in a half-width button is cut: buttons share a row only when
both labels are short, in the main menu and in the report's choices."""

from __future__ import annotations

from bot.keyboards import SHORT_LABEL
from core.botapi.client import Message
from tests.e2e.story import press, send
from tests.tips.helpers import unit_with_focal_point


def keyboard(message: Message) -> list[list[str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [[button["text"] for button in row] for row in rows]


def assert_long_labels_stand_alone(message: Message) -> None:
    for row in keyboard(message):
        if len(row) > 1:
            assert all(len(label) <= SHORT_LABEL for label in row), row


async def test_a_french_speaker_sees_long_buttons_on_rows_of_their_own(sandbox):
    await unit_with_focal_point("TN", "TN")  # so that reporting is open
    karim = sandbox.chat(6201, language_code="fr")
    await send(karim, "/start", "Bienvenue sur Aman")
    await press(karim, "Français", "Dans quel pays êtes-vous")
    menu = await press(karim, "Tunisie", "Que voulez-vous faire ?")
    assert_long_labels_stand_alone(menu)
    assert ["🛡 Confidentialité et sécurité"] in keyboard(menu)
    assert ["☎️ Trouver de l'aide"] in keyboard(menu)
    assert ["🌐 Langue", "📍 Pays"] in keyboard(menu)  # short labels still share a row

    await press(karim, "📝 Signaler anonymement", "Signaler anonymement")
    await press(karim, "▶ Commencer", "Quelqu'un est-il en danger")
    what = await press(karim, "Non", "Que voulez-vous signaler ?")
    assert_long_labels_stand_alone(what)
    assert ["Un bateau sur le point de partir"] in keyboard(what)
    where = await press(karim, "Un bateau sur le point de partir", "Dans quel pays")
    assert_long_labels_stand_alone(where)
    assert ["Algérie", "Égypte"] in keyboard(where)
    assert ["Un autre pays ou en mer"] in keyboard(where)


async def test_a_bengali_speaker_sees_the_country_picker_without_cut_labels(sandbox):
    rahim = sandbox.chat(6202, language_code="bn")
    await send(rahim, "/start", "আমান-এ স্বাগতম")
    countries = await press(rahim, "বাংলা", "আপনি কোন দেশে আছেন")
    assert_long_labels_stand_alone(countries)
    assert ["অন্য দেশ / পথে আছি"] in keyboard(countries)
