"""Amina writes to Aman in Arabic from Morocco: she reads her rights, finds help numbers, tries
alerts, and finally erases the chat so nothing of it stays on her phone."""

from __future__ import annotations

from datetime import date

import pytest

from bot import learn
from campaigns.models import Subscriber
from content.help import Entry, HelpDirectory, load_directory
from content.library import load_library
from core.models import ChatMessage, ChatProfile
from tests.e2e.story import callback_answer, eventually, labels, press, send

AMINA = 424242
OLD_HOTLINE = "0800 111 222"


@pytest.fixture
def bot_options() -> dict:
    """The shipped directory plus one Moroccan number nobody has verified."""
    unverified = Entry(
        id="ma-old-hotline",
        country="MA",
        kind="other",
        names={"en": "Old hotline", "ar": "خط قديم"},
        source="a leaflet of unknown date",
        verified=False,
        verified_on=date(2019, 1, 1),
        phone=OLD_HOTLINE,
    )
    return {"directory": HelpDirectory([*load_directory().entries, unverified])}


async def test_amina_reads_finds_help_subscribes_and_erases(sandbox, monkeypatch):
    monkeypatch.setattr(learn, "CHUNK_SIZE", 900)  # so her rights page turns over several parts
    amina = sandbox.chat(AMINA, language_code="ar", first_name="Amina")

    welcome = await send(amina, "/start", "أهلًا بك في أمان")
    assert {"العربية", "Français", "English", "Hausa", "ትግርኛ", "বাংলা"} <= set(labels(welcome))
    assert "تنتظر مراجعة متحدثين أصليين" in welcome["text"]

    countries = await press(amina, "العربية", "في أي بلد أنت")
    assert "في بلد آخر أو في الطريق" in labels(countries)
    menu = await press(amina, "المغرب", "ماذا تريد أن تفعل؟")
    assert "البلد: المغرب" in menu["text"]

    # Learn: her rights, in Arabic, part by part on the same message.
    rights = load_library().page("rights", "ar").title
    await press(amina, "📚 تعلّم", "اختر موضوعًا")
    first = await press(amina, rights, "الجزء 1 من")
    assert rights in first["text"] and "التالي ›" in labels(first)
    second = await press(amina, "التالي ›", "الجزء 2 من")
    assert second["message_id"] == first["message_id"]
    again = await press(amina, "‹ السابق", "الجزء 1 من")
    assert again["message_id"] == first["message_id"]
    parts = []
    while "التالي ›" in labels(last := await amina.last_bot_message()):
        parts.append(last["text"])
        await press(amina, "التالي ›", "الجزء")
    # The page ends with its sources and review date; a long list of sources spans several parts.
    assert "آخر مراجعة" in last["text"]
    assert any("المصادر" in text for text in [*parts, last["text"]])

    # Get help: verified Moroccan numbers only.
    await press(amina, "‹ القائمة", "ماذا تريد أن تفعل؟")
    contacts = await press(amina, "☎️ طلب المساعدة", "طلب المساعدة: المغرب")
    assert "2511" in contacts["text"] and "19" in contacts["text"]
    assert "تم التحقق في" in contacts["text"]
    assert OLD_HOTLINE not in contacts["text"] and "خط قديم" not in contacts["text"]

    # Alerts: on, then off with /stop; the row never holds her chat id in the clear.
    await press(amina, "‹ القائمة", "ماذا تريد أن تفعل؟")
    alerts = await press(amina, "🔔 التنبيهات", "التنبيهات رسائل قصيرة")
    assert "🔔 تفعيل التنبيهات" in labels(alerts)
    await press(amina, "🔔 تفعيل التنبيهات", "اشتراكك في تنبيهات المغرب مفعَّل")
    subscriber = await Subscriber.get()
    assert (subscriber.country, subscriber.language) == ("MA", "ar")
    assert str(AMINA) not in subscriber.chat_key
    assert str(AMINA).encode() not in bytes(subscriber.chat_sealed)
    await send(amina, "/stop", "حُذف اشتراكك")
    assert await Subscriber.all().count() == 0

    # Erase: everything of the last 48 hours goes, on both sides, and the bot forgets her.
    assert any(m["from"] == "user" for m in await amina.messages())
    await send(amina, "/menu", "ماذا تريد أن تفعل؟")
    await press(amina, "🛡 الخصوصية والأمان", "ما نحتفظ به")
    await press(amina, "🧹 مسح هذه المحادثة", "مسح هذه المحادثة؟")
    await amina.press("نعم، امسح المحادثة")
    await callback_answer(amina, "مُسحت هذه المحادثة")

    async def chat_is_empty() -> bool:
        return not await amina.messages()

    await eventually(chat_is_empty)
    assert await ChatProfile.all().count() == 0
    assert await ChatMessage.all().count() == 0
