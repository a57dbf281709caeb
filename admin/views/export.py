"""Export for referral, for the members who may read a tip: the tip as JSON (the schema is
docs/tip-export.schema.json) and as a printable case sheet (an HTML page with a print
stylesheet; each answer and message takes its own direction, so Arabic reads right to left).

Both come through admin.scope (a tip outside the member's scope is a 404, audited) and are
opened with the session's private key; every export is audited ("tip.exported") and, like every
signed-in page, sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

import json

from aiohttp import web

from admin import scope
from admin.auth import Refusal, current_staff, private_key, requires
from admin.language import LANG, render
from core.i18n import N_
from core.models import StaffMember
from tips import export, inbox
from tips.inbox import OpenedTip
from tips.sealing import NoAccess


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tips/{tip_id}/export.json", export_json, name="tip_export_json")
    app.router.add_get("/tips/{tip_id}/case-sheet", case_sheet, name="tip_case_sheet")


async def _opened(request: web.Request) -> tuple[StaffMember, OpenedTip]:
    staff = current_staff(request)
    assert staff is not None
    try:
        tip = await scope.tip_for(staff, request.match_info["tip_id"])
    except scope.TipNotFound:
        raise Refusal(404, N_("There is no such tip in your inbox.")) from None
    try:
        return staff, await inbox.open_tip(tip.id, staff, private_key(request))
    except NoAccess:
        await scope.deny(staff, tip.id, "not sealed to this member")
        raise Refusal(
            403, N_("This tip was not sealed to your key, so it cannot be opened with it.")
        ) from None


@requires(*scope.READERS)
async def export_json(request: web.Request) -> web.Response:
    staff, opened = await _opened(request)
    document = await export.document(opened, staff, request[LANG])
    await export.record(opened, staff, "json")
    return web.Response(
        body=json.dumps(document, ensure_ascii=False, indent=2).encode(),
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="aman-tip-{opened.tip.id}.json"'},
    )


@requires(*scope.READERS)
async def case_sheet(request: web.Request) -> web.Response:
    staff, opened = await _opened(request)
    document = await export.document(opened, staff, request[LANG])
    await export.record(opened, staff, "case-sheet")
    return render(request, "case_sheet.html", {"sheet": document})
