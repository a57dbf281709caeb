"""Stories of people answering surveys in the bot: Awa answers in French, stops halfway and picks
up where she stopped; Youssef answers in Arabic and cannot answer the same survey a second time;
typed words where buttons are expected, and old buttons, are refused politely and store nothing.
What is stored holds no Telegram identity and no time finer than the day."""

from __future__ import annotations

import json

from tortoise import connections

from content.library import load_library
from content.surveys import load_surveys
from core.i18n import translator
from surveys.models import SurveyGuard, SurveyProgress, SurveyResponse
from tests.e2e.story import callback_answer, labels, press, says, send

AWA, YOUSSEF = 5550101, 5550202
RISKS, ATTITUDE = load_surveys()["risks-on-the-move"], load_surveys()["public-attitude"]


def _prompt(survey, question_id: str, _) -> str:
    return _(survey.get(question_id).prompt)


async def _open(chat, survey, _) -> dict:
    await send(chat, "/menu", _("Language: {language}").split(":")[0])
    await press(
        chat,
        _("📊 Surveys"),
        _("Short anonymous surveys. Your answers help us warn people better."),
    )
    return await press(chat, _(survey.title), _(survey.intro))


async def test_awa_answers_in_french_stops_halfway_and_resumes(sandbox) -> None:
    _ = translator("fr").gettext
    awa = sandbox.chat(AWA, language_code="fr", first_name="Awa")

    first = await _open(awa, RISKS, _)
    assert _("Question {n} of {total}").format(n=1, total=10) in first["text"]
    assert _prompt(RISKS, "considering", _) in first["text"]

    # Words where buttons are expected: a polite answer, and the same question again.
    again = await send(awa, "oui peut-être", _("Please use the buttons to answer this question."))
    assert _prompt(RISKS, "considering", _) in again["text"]

    # "Yes" opens the follow-up question the skip rule shows: now 11 questions in all.
    heard = await press(awa, _("Yes"), _prompt(RISKS, "heard_from", _))
    assert _("Question {n} of {total}").format(n=2, total=11) in heard["text"]
    picked = await press(awa, _("Family or friends"), _prompt(RISKS, "heard_from", _))
    assert "✔ " + _("Family or friends") in labels(picked)
    picked = await press(awa, _("Facebook, WhatsApp or TikTok"), _prompt(RISKS, "heard_from", _))
    assert "✔ " + _("Facebook, WhatsApp or TikTok") in labels(picked)
    deaths = await press(awa, _("Done ✔"), _prompt(RISKS, "sea_deaths", _))
    assert _("Question {n} of {total}").format(n=3, total=11) in deaths["text"]
    await press(awa, _("More than 20,000"), _prompt(RISKS, "pay_later", _))

    # She stops: nothing is stored as an answer yet, and the progress is sealed.
    await press(
        awa, _("⏸ Stop for now"), _("Saved. You can continue this survey later from 📊 Surveys.")
    )
    assert await SurveyResponse.all().count() == 0
    row = await SurveyProgress.get()
    assert _("Family or friends").encode() not in bytes(row.sealed)
    assert str(AWA) not in row.chat_key

    # Later she comes back and continues at the question where she stopped.
    resumed = await _open_again(awa, RISKS, _)
    assert _("Welcome back: here is where you stopped.") in resumed["text"]
    assert _("Question {n} of {total}").format(n=4, total=11) in resumed["text"]
    await press(awa, _("No, it can become a debt"), _prompt(RISKS, "passport", _))
    await press(awa, _("It is a warning sign"), _prompt(RISKS, "unhcr_free", _))
    months = await press(awa, _("No, their help is free"), _prompt(RISKS, "months_travel", _))
    assert _("Send a number.") in months["text"]
    await send(
        awa, "beaucoup", _("Please send a number from {low} to {high}.").format(low=0, high=240)
    )
    await send(awa, "7", _prompt(RISKS, "gender", _))
    await press(awa, _("A woman"), _prompt(RISKS, "age_band", _))
    await press(awa, _("Skip this question"), _prompt(RISKS, "nationality", _))
    await press(awa, _("West Africa"), _prompt(RISKS, "country_now", _))
    thanks = await press(
        awa, _("Tunisia"), _("Your answers are saved, without your name or number.")
    )
    related = [load_library().page(topic, "fr").title for topic in RISKS.related]
    assert set(related) <= set(labels(thanks))  # the related library pages, one tap away

    stored = await SurveyResponse.get()
    assert (stored.survey, stored.language) == ("risks-on-the-move", "fr")
    assert stored.answers == {
        "considering": "yes",
        "heard_from": ["family", "social"],
        "sea_deaths": "over20k",
        "pay_later": "debt",
        "passport": "warning",
        "unhcr_free": "no",
        "months_travel": 7,
        "gender": "woman",
        "nationality": "west_africa",
        "country_now": "TN",
    }
    assert await SurveyProgress.all().count() == 0  # finished: the progress is forgotten

    # An old button of the finished survey changes nothing.
    await awa.press(data="sv:a:risks-on-the-move:gender:man")
    await callback_answer(awa, _("This survey is finished."))
    assert (await SurveyResponse.get()).answers["gender"] == "woman"


async def _open_again(chat, survey, _) -> dict:
    await send(chat, "/menu", _("Language: {language}").split(":")[0])
    await press(
        chat,
        _("📊 Surveys"),
        _("Short anonymous surveys. Your answers help us warn people better."),
    )
    return await press(chat, _(survey.title), _("Welcome back: here is where you stopped."))


async def test_youssef_answers_in_arabic_and_cannot_answer_twice(sandbox) -> None:
    _ = translator("ar").gettext
    youssef = sandbox.chat(YOUSSEF, language_code="ar", first_name="Youssef")

    await _open(youssef, ATTITUDE, _)
    # "No" skips the "where?" question: it is never asked, and its old button is refused.
    await press(youssef, _("No"), _prompt(ATTITUDE, "difference", _))
    await youssef.press(data="sv:t:public-attitude:seen_where:coast")
    await callback_answer(youssef, _("That question is no longer open."))
    assert _prompt(ATTITUDE, "difference", _) in (await youssef.last_bot_message())["text"]
    await press(youssef, _("No, they are different"), _prompt(ATTITUDE, "migrant_crime", _))
    await press(youssef, _("No"), _prompt(ATTITUDE, "would_report", _))
    await press(youssef, _("No"), _prompt(ATTITUDE, "why_not", _))
    await press(youssef, _("Fear of revenge"), _prompt(ATTITUDE, "gender", _))
    await press(youssef, _("A man"), _prompt(ATTITUDE, "age_band", _))
    await press(youssef, "25–34", _prompt(ATTITUDE, "country_now", _))
    await press(youssef, _("Morocco"), _("Your answers are saved, without your name or number."))

    stored = await SurveyResponse.get()
    assert stored.language == "ar"
    assert "seen_where" not in stored.answers
    assert stored.answers["why_not"] == "fear" and stored.answers["age_band"] == "25-34"

    # A second time, from the menu: refused, and nothing more is stored.
    await send(youssef, "/menu", _("Language: {language}").split(":")[0])
    await press(
        youssef,
        _("📊 Surveys"),
        _("Short anonymous surveys. Your answers help us warn people better."),
    )
    await press(youssef, _(ATTITUDE.title), _("You have already answered this survey. Thank you!"))
    assert await SurveyResponse.all().count() == 1
    assert await SurveyGuard.all().count() == 1


async def test_the_raw_answers_hold_no_telegram_identity_and_no_time_finer_than_a_day(
    sandbox,
) -> None:
    _ = translator("en").gettext
    youssef = sandbox.chat(YOUSSEF, language_code="en", first_name="Youssef", username="yousef_tn")
    await _open(youssef, ATTITUDE, _)
    await press(youssef, _("I am not sure"), _prompt(ATTITUDE, "difference", _))
    for label in ("I don't know", "I don't know", "Yes"):
        await youssef.press(label)
        await says(youssef, _("Question {n} of {total}").split("{")[0])
    await press(youssef, _("Skip this question"), _prompt(ATTITUDE, "age_band", _))
    await press(youssef, _("Skip this question"), _prompt(ATTITUDE, "country_now", _))
    await press(youssef, _("Skip this question"), _("Your answers are saved"))

    client = connections.get("default")
    for table in ("survey_response", "survey_guard", "survey_progress"):
        _count, rows = await client.execute_query(f"SELECT * FROM {table}")
        dumped = json.dumps([dict(r) for r in rows], default=str)
        for secret in (str(YOUSSEF), "yousef_tn", "Youssef"):
            assert secret not in dumped, f"{table} holds {secret}"
    _count, columns = await client.execute_query("SELECT * FROM survey_response")
    row = dict(columns[0])
    assert set(row) == {"id", "survey", "language", "day", "answers"}
    assert len(str(row["day"])) == 10  # a date: no hour, minute or second
