"""Campaign pages for the NGOs' editors and approvers (and admins, who may approve): the list
with the reviewer's queue, one campaign's page, and its moves through `campaigns.lifecycle`
(submit, approve, send back with a comment, schedule, pause, resume, cancel), each audited there.

Editors and approvers see their own organisation's campaigns; another's id is a 404.
"""

from __future__ import annotations

from aiohttp import web

from admin.auth import Refusal, form, require
from admin.language import LANG, render
from campaigns import audiences, lifecycle, texts
from campaigns.models import Campaign, CampaignState, Variant
from core.i18n import N_, is_rtl, language_name, translator
from core.models import AuditEntry, Role, StaffMember

STAFF = (Role.EDITOR, Role.APPROVER, Role.ADMIN)
WRITERS = (Role.EDITOR,)
ACTIONS = ("submit", "approve", "reject", "schedule", "pause", "resume", "cancel")
LONGEST_COMMENT = 200
_DONE = {
    "submit": N_("Submitted for review."),
    "approve": N_("Approved."),
    "reject": N_("Sent back to the author with your comment."),
    "schedule": N_("Scheduled."),
    "pause": N_("Paused."),
    "resume": N_("Resumed."),
    "cancel": N_("Cancelled: nothing more will be sent."),
    "saved": N_("Saved."),
}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/campaigns", campaign_list, name="campaigns")
    app.router.add_get("/campaigns/{campaign_id:\\d+}", campaign_page, name="campaign")
    app.router.add_post(
        "/campaigns/{campaign_id:\\d+}/{action:" + "|".join(ACTIONS) + "}",
        campaign_action,
        name="campaign_action",
    )


def visible(staff: StaffMember):  # type: ignore[no-untyped-def]
    """The campaigns this member may see: their organisation's (an admin: all)."""
    if staff.role == Role.ADMIN:
        return Campaign.all()
    return Campaign.filter(organisation_id=staff.organisation_id)  # type: ignore[attr-defined]


async def campaign_for(staff: StaffMember, campaign_id: str) -> Campaign:
    found = await visible(staff).get_or_none(id=int(campaign_id))
    if found is None:
        raise Refusal(404, N_("There is no such campaign."))
    return found


async def campaign_list(request: web.Request) -> web.Response:
    staff = await require(request, *STAFF)
    campaigns = await visible(staff).order_by("-id").prefetch_related("author")
    queue = [
        c
        for c in campaigns
        if c.state == CampaignState.SUBMITTED
        and staff.role in (Role.APPROVER, Role.ADMIN)
        and c.author_id != staff.id  # type: ignore[attr-defined]
    ]
    context = {"campaigns": campaigns, "queue": queue, "can_write": staff.role in WRITERS}
    return render(request, "campaigns.html", context)


def _allowed(staff: StaffMember, campaign: Campaign) -> set[str]:
    """The buttons to show this member (lifecycle still decides)."""
    state = campaign.state
    shown: set[str] = set()
    mine = campaign.author_id == staff.id  # type: ignore[attr-defined]
    if state == CampaignState.DRAFT and staff.role in WRITERS:
        shown |= {"edit", "submit"}
    if state == CampaignState.SUBMITTED and staff.role in (Role.APPROVER, Role.ADMIN):
        shown |= {"reject"} | (set() if mine else {"approve"})
    if state == CampaignState.APPROVED:
        shown.add("schedule")
    if state in (CampaignState.SCHEDULED, CampaignState.SENDING):
        shown.add("pause")
    if state == CampaignState.PAUSED:
        shown.add("resume")
    if state not in (CampaignState.SENT, CampaignState.CANCELLED):
        shown.add("cancel")
    return shown


async def _page(
    request: web.Request,
    staff: StaffMember,
    campaign: Campaign,
    *,
    error: str | None = None,
    status: int = 200,
    comment: str = "",
) -> web.Response:
    gettext = translator(request[LANG]).gettext
    variants = await Variant.filter(campaign=campaign, step=0).order_by("language")
    audience_languages = await audiences.languages(campaign.audience)
    have = {v.language for v in variants}
    done = request.query.get("done", "")
    await campaign.fetch_related("author", "approved_by")
    context = {
        "campaign": campaign,
        "variants": [
            {
                "language": v.language,
                "name": language_name(v.language, request[LANG]),
                "rtl": is_rtl(v.language),
                "preview": texts.preview_html(v.text),
                "buttons": v.buttons or [],
            }
            for v in variants
        ],
        "missing": [
            language_name(code, request[LANG]) for code in audience_languages if code not in have
        ],
        "audience_count": await audiences.count(campaign.audience),
        "audience": audiences.describe(campaign.audience),
        "actions": _allowed(staff, campaign),
        "error": error,
        "notice": gettext(_DONE[done]) if done in _DONE else None,
        "comment": comment,
        "sent_back": await _last_comment(campaign),
    }
    return render(request, "campaign.html", context, status=status)


async def _last_comment(campaign: Campaign) -> str | None:
    """The reviewer's comment when the campaign was last sent back (while it is a draft)."""
    if campaign.state != CampaignState.DRAFT:
        return None
    entry = (
        await AuditEntry.filter(
            target=f"campaign:{campaign.id}", action__in=["campaign.reject", "campaign.submit"]
        )
        .order_by("-id")
        .first()
    )
    if entry is None or entry.action != "campaign.reject":
        return None
    return str(entry.details.get("reason") or "") or None


async def campaign_page(request: web.Request) -> web.Response:
    staff = await require(request, *STAFF)
    campaign = await campaign_for(staff, request.match_info["campaign_id"])
    return await _page(request, staff, campaign)


def _refusal_text(request: web.Request, refused: lifecycle.TransitionRefused, action: str) -> str:
    gettext = translator(request[LANG]).gettext
    reason = str(refused)
    if "author" in reason:
        return gettext("You wrote this campaign, so someone else must approve it (four eyes).")
    if "only an approver" in reason:
        return gettext("Only an approver can approve a campaign.")
    return gettext("This cannot be done now: the campaign is %(state)s.") % {
        "state": reason.rsplit(" ", 1)[-1]
    }


async def campaign_action(request: web.Request) -> web.Response:
    staff = await require(request, *STAFF)
    campaign = await campaign_for(staff, request.match_info["campaign_id"])
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise Refusal(404, N_("There is no such campaign."))
    fields = await form(request)
    comment = fields.get("comment", "").strip()
    gettext = translator(request[LANG]).gettext
    if action == "submit" and staff.role not in WRITERS:
        return await _page(
            request,
            staff,
            campaign,
            error=gettext("Only an editor can submit a campaign."),
            status=403,
        )
    if action == "reject" and not comment:
        error = gettext("Say what should change: the author reads your comment.")
        return await _page(request, staff, campaign, error=error, status=400)
    if action == "reject" and len(comment) > LONGEST_COMMENT:
        error = gettext("The comment is too long (at most %(limit)d characters).") % {
            "limit": LONGEST_COMMENT
        }
        return await _page(request, staff, campaign, error=error, status=400, comment=comment)
    if action == "reject" and staff.role not in (Role.APPROVER, Role.ADMIN):
        error = gettext("Only an approver can approve a campaign.")
        return await _page(request, staff, campaign, error=error, status=403, comment=comment)
    if action == "schedule" and await audiences.count(campaign.audience) == 0:
        error = gettext("No subscriber matches this audience, so nothing would be sent.")
        return await _page(request, staff, campaign, error=error, status=400)
    try:
        if action == "reject":
            await lifecycle.reject(campaign, staff, comment)
        else:
            await getattr(lifecycle, action)(campaign, staff)
    except lifecycle.TransitionRefused as refused:
        error = _refusal_text(request, refused, action)
        return await _page(request, staff, campaign, error=error, status=409, comment=comment)
    back = "/progress" if fields.get("back") == "progress" else ""
    raise web.HTTPSeeOther(f"/campaigns/{campaign.id}{back}?done={action}")
