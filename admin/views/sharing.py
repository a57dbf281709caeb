"""Sharing, for unit leads: share a tip with another country's unit with a written reason, see a
tip's shares (both units see them, reasons decrypted with the tip key), and give a member of the
unit the tips the unit already has. The work is tips.sharing's; every tip comes through
admin.scope, so an id outside the member's scope is a 404 (audited).
"""

from __future__ import annotations

from aiohttp import web
from tortoise.expressions import Subquery

from admin import scope
from admin.auth import Refusal, actor, current_staff, form, private_key, requires
from admin.language import LANG, render
from core import audit
from core.i18n import N_, translator
from core.models import Role, StaffMember, Unit
from tips import sharing
from tips.models import Tip, TipKey
from tips.sealing import KEY_HOLDERS, NoAccess, open_tip_key


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tips/{tip_id}/share", share_page, name="tip_share")
    app.router.add_post("/tips/{tip_id}/share", share)
    app.router.add_get("/unit", unit_page, name="unit")
    app.router.add_post("/unit/members/{staff_id}/give-tips", give_tips, name="give_tips")


def _signed_in(request: web.Request) -> StaffMember:
    staff = current_staff(request)
    assert staff is not None  # the role check ran first
    return staff


async def _tip(staff: StaffMember, request: web.Request) -> Tip:
    try:
        return await scope.tip_for(staff, request.match_info["tip_id"])
    except scope.TipNotFound:
        raise Refusal(404, N_("There is no such tip in your inbox.")) from None


async def _key(tip: Tip, staff: StaffMember, request: web.Request) -> bytes | None:
    """The tip key, to read the reasons; None when it is not sealed to this member."""
    try:
        return await open_tip_key(tip, staff, private_key(request))
    except NoAccess:
        return None


async def _share_page(
    request: web.Request,
    staff: StaffMember,
    tip: Tip,
    *,
    error: str | None = None,
    reason: str = "",
    status: int = 200,
) -> web.Response:
    gettext = translator(request[LANG]).gettext
    can_share = staff.role == Role.UNIT_LEAD and staff.unit_id == tip.unit_id
    key = await _key(tip, staff, request)
    await audit.record("tip.shares_viewed", actor=actor(request), target=f"tip:{tip.id}")
    context = {
        "tip": tip,
        "shares": await sharing.shares_of(tip.id, key),
        "can_share": can_share,
        "targets": await sharing.share_targets(tip) if can_share else [],
        "error": error,
        "notice": gettext("The tip is shared.")
        if request.query.get("done") and not error
        else None,
        "reason": reason,
        "shortest": sharing.SHORTEST_REASON,
        "longest": sharing.LONGEST_REASON,
    }
    return render(request, "tip_share.html", context, status=status)


@requires(*scope.READERS)
async def share_page(request: web.Request) -> web.Response:
    staff = _signed_in(request)
    return await _share_page(request, staff, tip=await _tip(staff, request))


def _unit_id(text: str | None) -> int:
    number = scope.parse_tip_id(text or "")  # any database id parses the same way
    return number or 0


@requires(Role.UNIT_LEAD)
async def share(request: web.Request) -> web.Response:
    staff = _signed_in(request)
    tip = await _tip(staff, request)
    data = await form(request)
    gettext = translator(request[LANG]).gettext
    try:
        await sharing.share_tip(
            tip, staff, private_key(request), _unit_id(data.get("unit")), data.get("reason", "")
        )
    except sharing.ShareRefused as refused:
        await audit.record(
            "tip.share_refused", actor=actor(request), target=f"tip:{tip.id}", why=refused.message
        )
        error = gettext(refused.message)
        return await _share_page(
            request,
            staff,
            tip,
            error=error % refused.params if refused.params else error,
            reason=data.get("reason", "")[: sharing.LONGEST_REASON],
            status=400,
        )
    except NoAccess:
        await scope.deny(staff, tip.id, "not sealed to this member")
        raise Refusal(
            403, N_("This tip was not sealed to your key, so it cannot be opened with it.")
        ) from None
    raise web.HTTPSeeOther(f"/tips/{tip.id}/share?done=1")


async def _unit_context(staff: StaffMember) -> dict:
    unit = await Unit.get_or_none(id=staff.unit_id) if staff.unit_id else None
    if unit is None:
        raise Refusal(403, N_("Your account belongs to no unit."))
    tips = scope.visible_tips(staff)
    total = await tips.count()
    members = await StaffMember.filter(
        unit_id=unit.id, is_active=True, role__in=KEY_HOLDERS
    ).order_by("display_name", "id")
    rows = []
    for member in members:
        held = await TipKey.filter(
            staff_id=member.id, tip_id__in=Subquery(tips.values("id"))
        ).count()
        rows.append((member, held))
    return {"unit": unit, "members": rows, "total": total}


@requires(Role.UNIT_LEAD)
async def unit_page(request: web.Request) -> web.Response:
    staff = _signed_in(request)
    return render(request, "unit.html", await _unit_context(staff))


@requires(Role.UNIT_LEAD)
async def give_tips(request: web.Request) -> web.Response:
    staff = _signed_in(request)
    gettext = translator(request[LANG]).gettext
    member_id = scope.parse_tip_id(request.match_info["staff_id"])
    member = (
        await StaffMember.get_or_none(id=member_id, unit_id=staff.unit_id) if member_id else None
    )
    if member is None or staff.unit_id is None:
        await audit.record(
            "access.denied", actor=actor(request), path=request.path[:200], role=staff.role
        )
        raise Refusal(404, N_("There is no such member in your unit."))
    error = notice = None
    status = 200
    try:
        given = await sharing.give_unit_tips(
            staff, private_key(request), member, scope.visible_tips(staff)
        )
        notice = gettext("Tips given to %(name)s: %(n)s.") % {
            "name": member.display_name,
            "n": given,
        }
    except sharing.ShareRefused as refused:
        error, status = gettext(refused.message), 400
    context = await _unit_context(staff) | {"error": error, "notice": notice}
    return render(request, "unit.html", context, status=status)
