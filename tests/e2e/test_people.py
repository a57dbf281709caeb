"""People in other places and languages meet the bot: each sees it in their own language, with
the right help for their country, and is told honestly when something is missing."""

from __future__ import annotations

from campaigns.models import Subscriber
from content.library import load_library
from tests.e2e.story import labels, press, send


async def test_a_french_speaker_in_tunisia_finds_help_in_french(sandbox):
    karim = sandbox.chat(5001, language_code="fr-FR")
    await send(karim, "/start", "Bienvenue sur Aman")
    await press(karim, "Français", "Dans quel pays êtes-vous")
    menu = await press(karim, "Tunisie", "Que voulez-vous faire ?")
    assert "Pays : Tunisie" in menu["text"]
    assert "📚 S'informer" in labels(menu) and "☎️ Trouver de l'aide" in labels(menu)
    contacts = await press(karim, "☎️ Trouver de l'aide", "Trouver de l'aide : Tunisie")
    assert "197" in contacts["text"] and "vérifié le" in contacts["text"]
    assert "80 104 748" not in contacts["text"]  # listed, but not verified


async def test_she_changes_her_language_later_and_keeps_her_country(sandbox):
    salma = sandbox.chat(5002, language_code="ar")
    await send(salma, "/start", "أهلًا بك في أمان")
    await press(salma, "العربية", "في أي بلد أنت")
    await press(salma, "مصر", "ماذا تريد أن تفعل؟")
    await send(salma, "/language", "يُرجى اختيار لغتك")
    menu = await press(salma, "English", "What would you like to do?")
    assert "Country: Egypt" in menu["text"]
    topics = await press(salma, "📚 Learn", "Choose a topic")
    assert load_library().page("rights", "en").title in labels(topics)


async def test_a_hausa_speaker_gets_the_bot_in_hausa(sandbox):
    musa = sandbox.chat(5003, language_code="ha")
    welcome = await send(musa, "/start", "Barka da zuwa Aman")
    assert "Hausa" in labels(welcome)
    await press(musa, "Hausa", "A wace ƙasa kuke")
    menu = await press(musa, "Libiya", "Me kuke so ku yi?")
    assert "📚 Koyo" in labels(menu)


async def test_libya_has_no_verified_national_number_and_the_bot_says_so(sandbox):
    ali = sandbox.chat(5004, language_code="en")
    await send(ali, "/start", "Welcome to Aman")
    await press(ali, "English", "Which country are you in")
    await press(ali, "Libya", "What would you like to do?")
    contacts = await press(ali, "☎️ Get help", "Get help: Libya")
    assert "no verified national phone number for Libya" in contacts["text"]
    assert "IOM Libya" in contacts["text"]
    assert "+218 91 989 7937" not in contacts["text"]


async def test_someone_on_the_way_sees_the_regional_agencies(sandbox):
    yonas = sandbox.chat(5005, language_code="ti")
    await send(yonas, "/start", "እንቋዕ ናብ ኣማን")
    await press(yonas, "ትግርኛ", "ኣብ ኣየናይ ሃገር")
    await press(yonas, "ካልእ / ኣብ መገዲ", "እንታይ ክትገብሩ ትደልዩ")
    contacts = await press(yonas, "☎️ ሓገዝ ርኸብ", "ዓለምለኻዊ ትካላት")
    assert "ኣብ ምሉእ ዞባ" in contacts["text"]


async def test_get_help_before_a_country_asks_for_one_then_shows_it(sandbox):
    lea = sandbox.chat(5006, language_code="fr")
    await send(lea, "/help_numbers", "dites-moi dans quel pays")
    await press(lea, "Maroc", "Trouver de l'aide : Maroc")


async def test_alerts_follow_a_change_of_language(sandbox):
    nour = sandbox.chat(5008, language_code="ar")
    await send(nour, "/start", "أهلًا بك في أمان")
    await press(nour, "العربية", "في أي بلد أنت")
    await press(nour, "الجزائر", "ماذا تريد أن تفعل؟")
    await send(nour, "/alerts", "التنبيهات رسائل قصيرة")
    await press(nour, "🔔 تفعيل التنبيهات", "اشتراكك في تنبيهات")
    await send(nour, "/language", "يُرجى اختيار لغتك")
    await press(nour, "Français", "Que voulez-vous faire ?")
    subscriber = await Subscriber.get()
    assert (subscriber.country, subscriber.language) == ("DZ", "fr")
    alerts = await send(nour, "/alerts", "Vous recevez les alertes")
    assert "Algérie" in alerts["text"]
