"""What a member does to a tip from its page: change its status (closing takes a reason; closing
and reopening are the unit lead's), reply to the reporter, write an internal note, put labels on
and off, give it to a member (the unit lead), and fetch its files — a cleaned copy to look at,
or the original as evidence. Each one is audited by tips/*, never with what was written.

Every form comes back to the tip page (303). One that cannot be applied shows the page again
with a clear message and the member's words still in the form: a missing reason (400), or a
status or assignment someone else changed since the page was loaded (409).
"""

from __future__ import annotations

from aiohttp import web

from admin import scope
from admin.auth import Refusal, actor, form, private_key, requires
from admin.views.tip import not_sealed, show, tip_in_scope
from core import audit
from core.i18n import N_
from core.models import StaffMember
from tips import inbox, labels
from tips.inbox import BadText, ReasonRequired, StaleTip, Unlocked
from tips.models import Tip, TipStatus
from tips.sealing import NoAccess
from tips.sheet import assignable_in

STALE = N_(
    "Someone else changed this tip while you had it open, so your change was not made. "
    "Here it is as it is now: check what changed, then try again."
)
UNREADABLE = N_("This form could not be read. Reload the page and try again.")
LEAD_ONLY = N_("Only the unit lead can do this.")
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
}


def add_routes(app: web.Application) -> None:
    app.router.add_post("/tips/{tip_id}/status", change_status, name="tip_status")
    app.router.add_post("/tips/{tip_id}/reply", reply, name="tip_reply")
    app.router.add_post("/tips/{tip_id}/notes", add_note, name="tip_note")
    app.router.add_post("/tips/{tip_id}/labels", add_label, name="tip_label")
    app.router.add_post("/tips/{tip_id}/labels/{label_id}/remove", remove_label, name="tip_unlabel")
    app.router.add_post("/tips/{tip_id}/assign", assign, name="tip_assign")
    app.router.add_get("/tips/{tip_id}/files/{file_id}", cleaned_file, name="tip_file")
    app.router.add_get(
        "/tips/{tip_id}/files/{file_id}/original", original_file, name="tip_file_original"
    )


def _back(tip: Tip, anchor: str = "") -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/tips/{tip.id}{anchor}")


async def _unlocked(request: web.Request, staff: StaffMember, tip: Tip) -> Unlocked:
    try:
        return await inbox.unlock(tip.id, staff, private_key(request))
    except NoAccess:
        raise await not_sealed(staff, tip) from None


async def _lead_only(request: web.Request, staff: StaffMember, tip: Tip) -> None:
    if not scope.may_manage(staff, tip):
        await audit.record(
            "access.denied", actor=actor(request), target=f"tip:{tip.id}", path=request.path[:200]
        )
        raise Refusal(403, LEAD_ONLY)


def _status(text: str | None) -> TipStatus:
    try:
        return TipStatus(text or "")
    except ValueError:
        raise Refusal(400, UNREADABLE) from None


@requires(*scope.READERS)
async def change_status(request: web.Request) -> web.StreamResponse:
    staff, tip = await tip_in_scope(request)
    fields = await form(request)
    status, expected = _status(fields.get("status")), _status(fields.get("from"))
    reason = fields.get("reason", "")
    if TipStatus.CLOSED in (status, expected) and status != expected:
        await _lead_only(request, staff, tip)
    key = (await _unlocked(request, staff, tip)).key if status == TipStatus.CLOSED else None
    try:
        await inbox.set_status(tip.id, staff, status, expected=expected, reason=reason, tip_key=key)
    except ReasonRequired:
        message = N_(
            "Write why the tip is closed (up to 5,000 characters): the reason stays with it."
        )
        return await show(request, staff, tip, status=400, error=message, kept={"reason": reason})
    except StaleTip:
        return await show(request, staff, tip, status=409, error=STALE, kept={"reason": reason})
    raise _back(tip)


@requires(*scope.READERS)
async def reply(request: web.Request) -> web.StreamResponse:
    staff, tip = await tip_in_scope(request)
    text = (await form(request)).get("text", "")
    try:
        await inbox.reply(await _unlocked(request, staff, tip), staff, text)
    except BadText:
        message = N_("Write your message to the reporter first (up to 2,000 characters).")
        return await show(request, staff, tip, status=400, error=message, kept={"reply": text})
    raise _back(tip, "#timeline")


@requires(*scope.READERS)
async def add_note(request: web.Request) -> web.StreamResponse:
    staff, tip = await tip_in_scope(request)
    text = (await form(request)).get("text", "")
    try:
        await inbox.add_note(await _unlocked(request, staff, tip), staff, text)
    except BadText:
        message = N_("Write your note first (up to 5,000 characters).")
        return await show(request, staff, tip, status=400, error=message, kept={"note": text})
    raise _back(tip, "#timeline")


@requires(*scope.READERS)
async def add_label(request: web.Request) -> web.StreamResponse:
    staff, tip = await tip_in_scope(request)
    name = (await form(request)).get("name", "")
    try:
        await labels.add(tip.id, staff, name)
    except labels.BadLabel:
        message = N_("A label is 1 to 40 characters long, and a unit has at most 200 labels.")
        return await show(request, staff, tip, status=400, error=message, kept={"label": name})
    raise _back(tip)


@requires(*scope.READERS)
async def remove_label(request: web.Request) -> web.StreamResponse:
    staff, tip = await tip_in_scope(request)
    label_id = scope.parse_tip_id(request.match_info["label_id"])  # any positive id
    if label_id is not None:
        await labels.remove(tip.id, staff, label_id)
    raise _back(tip)


def _member_id(text: str | None) -> int | None:
    """A member's id from the form, or None for "nobody in particular"."""
    if not text:
        return None
    number = scope.parse_tip_id(text)
    if number is None:
        raise Refusal(400, UNREADABLE)
    return number


@requires(*scope.READERS)
async def assign(request: web.Request) -> web.StreamResponse:
    staff, tip = await tip_in_scope(request)
    await _lead_only(request, staff, tip)
    fields = await form(request)
    wanted, expected = _member_id(fields.get("assignee")), _member_id(fields.get("from"))
    member = None
    if wanted is not None:
        if wanted not in {m.id for m in await assignable_in(tip.unit_id)}:
            raise Refusal(400, N_("A tip can only be given to a focal point or lead of its unit."))
        member = await StaffMember.get(id=wanted)
    try:
        await inbox.assign(tip.id, staff, member, expected=expected)
    except StaleTip:
        return await show(request, staff, tip, status=409, error=STALE)
    raise _back(tip)


async def _file(request: web.Request, *, original: bool) -> web.Response:
    staff, tip = await tip_in_scope(request)
    file_id = scope.parse_tip_id(request.match_info["file_id"])
    unlocked = await _unlocked(request, staff, tip)
    found = await inbox.download(unlocked, staff, file_id, original=original) if file_id else None
    if found is None:
        raise Refusal(404, N_("There is no such file in this tip."))
    info, data = found
    if original:
        # Evidence: always a download, never shown by the browser, whatever the bytes are.
        extension = EXTENSIONS.get(info.mime, "bin")
        name = f"tip-{tip.id}-file-{info.id}-original.{extension}"
        return web.Response(
            body=data,
            content_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    # Cleaned copies are re-encoded by tips.media: PNG stays PNG, other pictures become JPEG.
    if info.mime == "application/pdf":
        name = f"tip-{tip.id}-file-{info.id}.pdf"
        return web.Response(
            body=data,
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    mime = "image/png" if info.mime == "image/png" else "image/jpeg"
    return web.Response(body=data, content_type=mime, headers={"Content-Disposition": "inline"})


@requires(*scope.READERS)
async def cleaned_file(request: web.Request) -> web.Response:
    return await _file(request, original=False)


@requires(*scope.READERS)
async def original_file(request: web.Request) -> web.Response:
    return await _file(request, original=True)
