"""A reporter sends a scanned PDF: the team reads a copy that no longer says who made it, with
what, or where its picture was taken; the original stays sealed as evidence. A PDF that cannot
be cleaned is refused with a clear message rather than passed on as it is."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from tips import media

from .documents import (
    ATTACHED,
    AUTHOR,
    NOTE_AUTHOR,
    XMP_CANARY,
    pdf_with_metadata,
    pictures,
)
from .helpers import has_gps, photo_with_gps


async def test_a_pdf_loses_its_author_xmp_attachments_and_picture_gps_but_keeps_its_page() -> None:
    original = pdf_with_metadata()
    for canary in (AUTHOR.encode(), XMP_CANARY.encode(), NOTE_AUTHOR.encode(), ATTACHED):
        assert canary in original
    assert [has_gps(p) for p in pictures(original)] == [True]

    cleaned = await media.clean(original, "application/pdf")

    assert cleaned is not None
    for canary in (AUTHOR.encode(), XMP_CANARY.encode(), NOTE_AUTHOR.encode(), ATTACHED):
        assert canary not in cleaned
    assert b"CanaryCam" not in cleaned  # the camera named in the picture's EXIF
    reader = PdfReader(io.BytesIO(cleaned))
    assert reader.metadata is None and reader.xmp_metadata is None
    assert len(reader.pages) == 1
    (picture,) = pictures(cleaned)
    assert not has_gps(picture)
    with Image.open(io.BytesIO(picture)) as image:  # the same picture, still readable
        assert image.size == (64, 48) and image.getpixel((5, 5))[0] > 150
    (note,) = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert note["/Contents"] == "see" and "/T" not in note  # the note stays, its writer goes


async def test_a_pdf_locked_with_a_password_or_broken_is_refused_clearly() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("secret-password")
    locked = io.BytesIO()
    writer.write(locked)
    for data in (locked.getvalue(), b"%PDF-1.7 nothing more"):
        with pytest.raises(media.FileRejected) as refused:
            await media.clean(data, "application/pdf")
        assert "send a photo of it instead" in refused.value.msgid


def test_a_jpeg_keeps_its_picture_and_loses_exif_comments_and_what_follows_it() -> None:
    photo = photo_with_gps()
    profile = _segment(0xE2, b"ICC_PROFILE\x00\x01\x01CanaryColours")
    index = _segment(0xE2, b"MPF\x00CanaryIndex")
    comment = _segment(0xFE, b"CanaryNote")
    appended = photo[:2] + profile + index + comment + photo[2:] + photo  # and a second picture
    cleaned = media.jpeg_without_metadata(appended)
    assert b"CanaryColours" in cleaned  # a colour profile is needed to show the picture right
    assert b"CanaryIndex" not in cleaned and b"CanaryNote" not in cleaned
    assert b"CanaryCam" not in cleaned
    assert cleaned.endswith(b"\xff\xd9") and len(cleaned) < len(photo) + len(profile)
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (64, 48) and not image.getexif()
    with pytest.raises(ValueError):
        media.jpeg_without_metadata(b"\xff\xd8\xff\xe1\xff\xff not a real segment")


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(body) + 2).to_bytes(2, "big") + body
