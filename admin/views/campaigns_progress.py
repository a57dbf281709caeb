"""While a campaign sends: its progress page (sent, failed, blocked, unknown, remaining, the
rate and an estimated finish) with pause, resume and cancel, and the JSON the page's small
script polls so the numbers move without a reload."""

from __future__ import annotations

from aiohttp import web

from admin.auth import require
from admin.language import LANG, render
from admin.views.campaigns import _DONE, STAFF, _allowed, campaign_for
from campaigns.progress import progress
from core.i18n import translator


def add_routes(app: web.Application) -> None:
    app.router.add_get(
        "/campaigns/{campaign_id:\\d+}/progress", progress_page, name="campaign_progress"
    )
    app.router.add_get(
        "/campaigns/{campaign_id:\\d+}/progress.json", progress_json, name="campaign_progress_json"
    )


async def progress_page(request: web.Request) -> web.Response:
    staff = await require(request, *STAFF)
    campaign = await campaign_for(staff, request.match_info["campaign_id"])
    done = request.query.get("done", "")
    context = {
        "campaign": campaign,
        "p": await progress(campaign.id),
        "actions": _allowed(staff, campaign) & {"pause", "resume", "cancel"},
        "notice": translator(request[LANG]).gettext(_DONE[done]) if done in _DONE else None,
    }
    return render(request, "campaign_progress.html", context)


async def progress_json(request: web.Request) -> web.Response:
    staff = await require(request, *STAFF)
    campaign = await campaign_for(staff, request.match_info["campaign_id"])
    return web.json_response({"state": str(campaign.state), **await progress(campaign.id)})
