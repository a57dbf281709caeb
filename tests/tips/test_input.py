"""Bad input a reporter may send: long or emoji-only answers, odd files, receipts with letters,
locations at sea. Each gets a clear reason, nothing crashes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.i18n import translator
from tips import media, questionnaire, receipts
from tips.models import Category, Urgency

from .helpers import has_gps, photo_with_gps


def test_questionnaire_is_data_and_sets_routing_fields() -> None:
    q = questionnaire.load()
    # Someone in danger is asked first; then the report; files close it.
    assert q.first().id == "danger" and q.after("danger").id == "what"
    assert q.after("child").id == "files" and q.after("files") is None
    # A quick report (someone in danger, details later) asks only what and where, then reviews.
    assert q.next_step("danger", quick=True).id == "what"
    assert q.next_step("what", quick=True).id == "country"
    assert q.next_step("country", quick=True) is None
    answers = {"what": "boat", "country": "TN", "when": "past", "child": "no", "danger": "no"}
    assert q.category(answers) == Category.BOAT and q.country(answers) == "TN"
    assert q.urgency(answers) == Urgency.URGENT  # a boat about to leave
    calm = {"what": "smuggling", "country": "EG", "when": "past", "child": "no", "danger": "no"}
    assert q.urgency(calm) == Urgency.NORMAL
    assert q.urgency({**calm, "child": "yes"}) == Urgency.URGENT


def test_text_answers_are_checked() -> None:
    question = questionnaire.load().get("description")
    assert questionnaire.check_text(question, "  a white van  ") == "a white van"
    assert questionnaire.check_text(question, "قارب في صفاقس") == "قارب في صفاقس"
    with pytest.raises(questionnaire.AnswerError) as emoji:
        questionnaire.check_text(question, "🚤🚤😱 !!")
    assert "emoji" in emoji.value.msgid
    with pytest.raises(questionnaire.AnswerError) as long:
        questionnaire.check_text(question, "x" * 10_000)
    assert long.value.values == {"limit": question.max_length}


def test_shared_location_is_rounded_and_sea_is_flagged() -> None:
    assert questionnaire.round_location(34.73961, 10.76002) == {
        "latitude": 34.74,
        "longitude": 10.76,
        "at_sea": False,
    }
    assert questionnaire.round_location(35.5, 14.0)["at_sea"] is True  # between Tunisia and Malta
    with pytest.raises(questionnaire.AnswerError):
        questionnaire.round_location(123.0, 10.0)


def test_files_are_typed_by_their_bytes_and_photos_cleaned() -> None:
    photo = photo_with_gps()
    assert media.check(photo) == media.Checked("photo", "image/jpeg", len(photo))
    clean = media.triage_copy(photo, "image/jpeg")
    assert clean and has_gps(photo) and not has_gps(clean) and b"CanaryCam" not in clean
    with pytest.raises(media.FileRejected):
        media.check(b"MZ\x90\x00 this is an exe named photo.jpg")
    with pytest.raises(media.FileRejected) as big:
        media.check(b"\xff\xd8\xff" + b"0" * media.MAX_FILE_BYTES)
    assert big.value.values == {"limit": 10}
    with pytest.raises(media.FileRejected):
        media.triage_copy(b"\xff\xd8\xff broken jpeg", "image/jpeg")
    png = io.BytesIO()
    Image.new("RGBA", (4, 4)).save(png, format="PNG")
    assert media.triage_copy(png.getvalue(), "image/png").startswith(b"\x89PNG")
    assert media.check(b"%PDF-1.7 ...").kind == "document"


def test_receipts_are_sixteen_digits_and_letters_are_refused_kindly() -> None:
    receipt = receipts.new_receipt()
    assert receipts.normalise(receipts.display(receipt)) == receipt
    assert receipts.normalise("١٢٣٤ ٥٦٧٨ ١٢٣٤ ٥٦٧٨") == "1234567812345678"
    with pytest.raises(receipts.ReceiptFormatError) as letters:
        receipts.normalise("1234 5678 ABCD 5678")
    assert "letters" in letters.value.msgid
    with pytest.raises(receipts.ReceiptFormatError):
        receipts.normalise("1234")
    assert translator("fr").gettext(letters.value.msgid)
