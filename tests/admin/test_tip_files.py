"""A reporter sent a photo (with the place it was taken in its EXIF) and a voice note. The Tunis
focal point looks at the photo's cleaned copy, which says nothing of where it was taken; the
voice note has no cleaned copy and the page says it may identify the sender. Downloading an
original, as evidence, is written to the audit log; nobody outside the unit gets either."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from core.models import AuditEntry
from tests.tips.helpers import has_gps, photo_with_gps
from tips import intake, media
from tips.models import TipFile

from .staff import SFAX_BOAT, Browser, unit_with_focal_point

VOICE = b"OggS\x00\x02" + b"a voice that can be recognised" * 20


async def test_cleaned_copies_are_shown_and_originals_downloaded_as_audited_evidence(
    client: TestClient,
) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    _ma, rabat, _ = await unit_with_focal_point("MA", "MA")
    photo = photo_with_gps()
    files = [(media.check(photo), photo), (media.check(VOICE), VOICE)]
    submitted = await intake.submit(SFAX_BOAT, files)
    tip_id = submitted.tip_id
    photo_id, voice_id = [f.id for f in await TipFile.filter(tip_id=tip_id).order_by("id")]

    browser = Browser(client)
    await browser.sign_in(tunis)
    _status, page = await browser.page(f"/tips/{tip_id}")
    assert f'href="/tips/{tip_id}/files/{photo_id}"' in page
    assert f'href="/tips/{tip_id}/files/{voice_id}"' not in page  # no cleaned copy to show
    voice_line = page.split(f"/files/{photo_id}/original")[1]
    assert "Original only, may identify the sender" in voice_line

    cleaned = await browser.get(f"/tips/{tip_id}/files/{photo_id}")
    assert cleaned.status == 200 and cleaned.content_type == "image/jpeg"
    assert cleaned.headers["Cache-Control"] == "no-store"
    assert not has_gps(await cleaned.read())
    viewed = await AuditEntry.get(action="tip.file")
    assert (viewed.actor, viewed.target, viewed.details) == (
        f"staff:{tunis.id}",
        f"tip:{tip_id}",
        {"file": photo_id},
    )

    original = await browser.get(f"/tips/{tip_id}/files/{photo_id}/original")
    assert original.status == 200 and original.content_type == "application/octet-stream"
    assert original.headers["Content-Disposition"].startswith("attachment;")
    assert await original.read() == photo and has_gps(photo)
    evidence = await AuditEntry.get(action="tip.file_original")
    assert (evidence.actor, evidence.details) == (f"staff:{tunis.id}", {"file": photo_id})
    _status, page = await browser.page(f"/tips/{tip_id}")
    assert "Focal point TN downloaded an original file (evidence)" in page

    status, page = await browser.page(f"/tips/{tip_id}/files/{voice_id}")
    assert status == 404 and "There is no such file in this tip." in page
    voice = await browser.get(f"/tips/{tip_id}/files/{voice_id}/original")
    assert voice.status == 200 and await voice.read() == VOICE
    for forged in ("99999", "abc", str(voice_id + 100)):
        status, _page = await browser.page(f"/tips/{tip_id}/files/{forged}/original")
        assert status == 404, forged
    await browser.sign_out()

    # Rabat's focal point gets nothing, even with the exact address; the try is audited.
    await browser.sign_in(rabat)
    for path in (f"/files/{photo_id}", f"/files/{photo_id}/original"):
        response = await browser.get(f"/tips/{tip_id}{path}")
        assert response.status == 404 and await response.read() != photo
    denied = await AuditEntry.filter(action="tip.denied", actor=f"staff:{rabat.id}").count()
    assert denied == 2
    downloads = await AuditEntry.filter(action__startswith="tip.file").count()
    assert downloads == 3  # Tunis's three, none of Rabat's
