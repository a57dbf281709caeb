"""Links between tips, on a tip's page: the tips that name the same phone number, account,
IBAN or plate and that the reader may open, how many others exist in other units (a count, no
content, so the units can ask each other), and which of this tip's identifiers they share.

GET /tips/{id}/links is a page of its own; the tip page can show the same thing by including
"_tip_links.html" with `linked_tips`, `linked_elsewhere` and `linked_by` (see `context`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin import scope
from admin.auth import Refusal, current_staff, private_key, requires
from admin.language import render
from core import audit
from core.i18n import N_
from core.models import StaffMember
from tips import links
from tips.models import Tip
from tips.sealing import NoAccess, open_tip_key

KINDS = {
    "phone": N_("Phone number"),
    "handle": N_("Account name"),
    "iban": N_("IBAN"),
    "plate": N_("Vehicle plate"),
}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/tips/{tip_id}/links", links_page, name="tip_links")


async def context(staff: StaffMember, tip: Tip, key: bytes | None) -> dict[str, Any]:
    """What "_tip_links.html" shows for a tip this member may open (`key`: its opened tip key,
    to say which identifiers are shared; None leaves that out). Audited."""
    shown, elsewhere = await scope.linked_tips(staff, tip.id)
    found = shown or elsewhere
    shared = await links.named_elsewhere(tip, key) if key is not None and found else []
    await audit.record(
        "tip.links_viewed", actor=f"staff:{staff.id}", target=f"tip:{tip.id}", linked=len(shown)
    )
    return {
        "linked_tips": shown,
        "linked_elsewhere": elsewhere,
        "linked_by": [
            (KINDS[kind], value) for kind, _, value in (i.partition(":") for i in shared)
        ],
    }


@requires(*scope.READERS)
async def links_page(request: web.Request) -> web.Response:
    staff = current_staff(request)
    assert staff is not None
    try:
        tip = await scope.tip_for(staff, request.match_info["tip_id"])
    except scope.TipNotFound:
        raise Refusal(404, N_("There is no such tip in your inbox.")) from None
    try:
        key = await open_tip_key(tip, staff, private_key(request))
    except NoAccess:
        key = None
    return render(request, "tip_links.html", {"tip": tip} | await context(staff, tip, key))
