"""Safe on a phone that others check: the people who report share phones, have them searched,
or live beside the people they report. So the bot never asks for where they are: the place is a
town or area and may be skipped, a shared location is kept only after a warning, "I don't know"
is always an answer, a voice note can stand for written words, and every file is either cleaned
before the team sees it or marked as an original that may identify its sender."""

from __future__ import annotations

from core import accounts
from core.i18n import translator
from core.models import StaffMember
from tests.e2e.story import begin_report, labels, press, says, send
from tests.tips.documents import AUTHOR, XMP_CANARY, pdf_with_metadata
from tests.tips.helpers import PASSWORD, has_gps, photo_with_gps, unit_with_focal_point
from tips import inbox
from tips.models import Tip, Urgency
from tips.questionnaire import VOICE_ANSWER, load

REPORTER = 777000888999
PLACE_PROMPT = "Which town or area?"
WARNING = "A shared location can point to where you are now. Keep it, or write the town instead?"
VOICE = b"OggS\x00\x02" + b"a voice that can be recognised" * 20
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 400


async def _opened(tip: Tip) -> inbox.OpenedTip:
    focal_point = await StaffMember.get(username="fp-tn")
    private = await accounts.unlock_private_key(focal_point, PASSWORD)
    return await inbox.open_tip(tip.id, focal_point, private)


async def _to_place(chat) -> dict:
    await begin_report(chat)
    await press(chat, "A smuggling offer or operation", "In which country")
    return await press(chat, "Tunisia", PLACE_PROMPT)


async def _after_place_to_review(chat) -> None:
    await press(chat, "In the coming days", "What did you see or hear?")
    await send(chat, "A man sells places on a boat", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    await press(chat, "No", "You can send photos")
    await press(chat, "✔ Done", "Please check your report")


async def test_the_place_is_a_town_or_area_never_where_you_stay_and_may_be_skipped(
    sandbox, db
) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    asked = await _to_place(chat)
    assert "Don't share where you live or stay" in asked["text"]
    assert "paperclip" not in asked["text"] and "share a location" not in asked["text"]
    assert "Skip ›" in labels(asked)

    await press(chat, "Skip ›", "When is it happening?")
    await _after_place_to_review(chat)
    await press(chat, "📨 Send the report", "Your tracking code")
    opened = await _opened(await Tip.get())
    assert "place" not in opened.answers and opened.answers["description"]


async def test_a_shared_location_is_kept_only_after_a_warning_and_can_be_taken_back(
    sandbox, db
) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_place(chat)

    # Sharing where she stands by habit: the bot warns before keeping anything.
    pin = await chat.send_location(33.50412, 11.11235)
    warned = await says(chat, WARNING)
    assert labels(warned)[:2] == ["Keep it", "Write the town instead"]
    assert "When is it happening?" not in (await chat.last_bot_message())["text"]

    # She takes it back: the pin leaves the chat and she is asked for the town again.
    await press(chat, "Write the town instead", PLACE_PROMPT)
    assert pin["message_id"] in [m["message_id"] for m in await chat.deleted()]
    await chat.press("Keep it")  # the warning's button, pressed late, keeps nothing
    await says(chat, PLACE_PROMPT)
    await send(chat, "Zarzis", "When is it happening?")
    await _after_place_to_review(chat)
    await press(chat, "📨 Send the report", "Your tracking code")
    assert (await _opened(await Tip.get())).answers["place"] == "Zarzis"


async def test_a_location_kept_after_the_warning_is_rounded_to_about_a_kilometre(
    sandbox, db
) -> None:
    """Léa, in French, shares the fishermen's quay on purpose and keeps it."""
    await unit_with_focal_point("TN", "TN")
    _ = translator("fr").gettext
    questions = load()
    lea = sandbox.chat(REPORTER, language_code="fr")
    await begin_report(lea, _)
    await press(lea, _("A smuggling offer or operation"), _(questions.get("country").prompt))
    await press(lea, _("Tunisia"), _(questions.get("place").prompt))
    await lea.send_location(33.50412, 11.11235)
    await says(lea, _(WARNING))
    await press(lea, _("Keep it"), _(questions.get("when").prompt))
    await press(lea, _("In the coming days"), _(questions.get("description").prompt))
    await send(lea, "Un homme vend des places sur un bateau", _(questions.get("involved").prompt))
    await press(lea, _("Skip ›"), _(questions.get("child").prompt))
    await press(lea, _("No"), _(questions.get("files").prompt))
    review = await press(lea, _("✔ Done"), _("shared location (rounded)"))
    assert "33.5" not in review["text"]  # the review names no coordinates on her screen
    await press(lea, _("📨 Send the report"), _("Your tracking code:"))
    place = (await _opened(await Tip.get())).answers["place"]
    assert (place["latitude"], place["longitude"]) == (33.5, 11.11)


async def test_files_prompt_warns_before_upload_and_each_file_is_cleaned_or_marked(
    sandbox, db
) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_place(chat)
    await send(chat, "Zarzis", "When is it happening?")
    await press(chat, "In the coming days", "What did you see or hear?")
    await send(chat, "A man sells places on a boat", "Who or what is involved?")
    await press(chat, "Skip ›", "Is a child involved?")
    asked = await press(chat, "No", "You can send photos")
    assert "Send photos as photos, not as files" in asked["text"]
    assert "A voice, a face or a reflection can be recognised" in asked["text"]
    assert "Don't write your name, or details only you know" in asked["text"]

    # A photo sent "as file" keeps its GPS; a scanned PDF says who made it; a video is a video.
    await chat.send_document(photo_with_gps(), name="IMG_2031.jpg", mime_type="image/jpeg")
    await says(chat, "File received")
    await chat.send_document(pdf_with_metadata(), name="scan.pdf", mime_type="application/pdf")
    await says(chat, "Files received: 2")
    await chat.send_document(VIDEO, name="clip.mp4", mime_type="video/mp4")
    await says(chat, "Files received: 3")
    await press(chat, "✔ Done", "Please check your report")
    await press(chat, "📨 Send the report", "Your tracking code")

    opened = await _opened(await Tip.get())
    photo, pdf, video = opened.files
    assert (photo.kind, pdf.mime, video.kind) == ("photo", "application/pdf", "video")
    assert has_gps(await inbox.file_content(opened, photo.id, original=True))
    assert not has_gps(await inbox.file_content(opened, photo.id))
    assert AUTHOR.encode() in await inbox.file_content(opened, pdf.id, original=True)
    cleaned_pdf = await inbox.file_content(opened, pdf.id)
    assert AUTHOR.encode() not in cleaned_pdf and XMP_CANARY.encode() not in cleaned_pdf
    assert not photo.original_only and not pdf.original_only
    assert video.original_only and not video.has_triage_copy


async def test_a_reporter_who_cannot_write_reports_by_voice_and_may_not_know(sandbox, db) -> None:
    """Amal, in Arabic, on her brother's phone: she skips the place, answers "I don't know" where
    she does not know, and speaks what she saw instead of writing it. (Words are read from the
    catalogs, so the story holds before and after new lines are translated.)"""
    await unit_with_focal_point("TN", "TN")
    _ = translator("ar").gettext
    questions = load()

    def asks(question_id: str) -> str:
        return _(questions.get(question_id).prompt)

    amal = sandbox.chat(REPORTER, language_code="ar")
    await begin_report(amal, _, danger=_("I don't know"))
    await press(amal, _("Trafficking or exploitation"), asks("country"))
    await press(amal, _("Tunisia"), asks("place"))
    when = await press(amal, _("Skip ›"), asks("when"))
    assert _("I don't know") in labels(when)
    await press(amal, _("I don't know"), asks("description"))
    await amal.send_voice(VOICE, duration=40)
    await says(amal, asks("involved"))
    await press(amal, _("Skip ›"), asks("child"))
    files = await press(amal, _("I don't know"), asks("files"))
    assert _("Files received: {count}").format(count=1) in files["text"]
    await press(amal, _("✔ Done"), _(VOICE_ANSWER))
    await press(amal, _("📨 Send the report"), _("Your tracking code:"))

    tip = await Tip.get()
    opened = await _opened(tip)
    assert opened.answers["when"] == opened.answers["child"] == opened.answers["danger"]
    assert opened.answers["danger"] == "unknown" and "place" not in opened.answers
    assert opened.answers["description"] == VOICE_ANSWER
    (voice,) = opened.files
    assert voice.kind == "voice" and voice.original_only
    assert await inbox.file_content(opened, voice.id) == VOICE
    assert tip.urgency == Urgency.NORMAL


async def test_the_description_prompt_offers_a_voice_note_and_warns_about_the_voice(
    sandbox, db
) -> None:
    await unit_with_focal_point("TN", "TN")
    chat = sandbox.chat(REPORTER, language_code="en")
    await _to_place(chat)
    await send(chat, "Zarzis", "When is it happening?")
    asked = await press(chat, "In the coming days", "What did you see or hear?")
    assert "send a voice note" in asked["text"] and "A voice can be recognised" in asked["text"]
    await chat.send_photo(photo_with_gps())
    await says(chat, "Please write your answer, or send a voice note.")
