"""A campaign's life: draft → submitted → approved → scheduled → sending → sent, with paused and
cancelled. Four eyes: whoever wrote a campaign cannot approve it. Every move is audit-logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from campaigns import outbox
from campaigns.models import Campaign, CampaignState, ScheduleKind
from core import audit
from core.models import Role, StaffMember

S = CampaignState
# Which states each action may start from.
_FROM: dict[str, tuple[CampaignState, ...]] = {
    "submit": (S.DRAFT,),
    "approve": (S.SUBMITTED,),
    "reject": (S.SUBMITTED,),
    "schedule": (S.APPROVED,),
    "pause": (S.SCHEDULED, S.SENDING),
    "resume": (S.PAUSED,),
    "cancel": (S.DRAFT, S.SUBMITTED, S.APPROVED, S.SCHEDULED, S.SENDING, S.PAUSED),
}
# Schedules that keep the campaign alive after one run (it goes back to `scheduled`).
REPEATING = (ScheduleKind.WEEKLY, ScheduleKind.MONTHLY, ScheduleKind.CRON, ScheduleKind.SEQUENCE)


class TransitionRefused(Exception):
    """The action is not allowed: wrong state, wrong person or wrong role."""


def _actor(staff: StaffMember | None) -> str:
    return f"staff:{staff.id}" if staff else "system"


def _check(campaign: Campaign, action: str) -> None:
    if campaign.state not in _FROM[action]:
        raise TransitionRefused(f"cannot {action} a campaign that is {campaign.state}")


async def _move(
    campaign: Campaign,
    state: CampaignState,
    action: str,
    staff: StaffMember | None,
    fields: Iterable[str] = (),
    **details: object,
) -> Campaign:
    before = campaign.state
    campaign.state = state
    await campaign.save(update_fields=["state", "updated_at", *fields])
    await audit.record(
        f"campaign.{action}",
        actor=_actor(staff),
        target=f"campaign:{campaign.id}",
        before=str(before),
        after=str(state),
        **details,
    )
    return campaign


async def submit(campaign: Campaign, by: StaffMember) -> Campaign:
    _check(campaign, "submit")
    return await _move(campaign, S.SUBMITTED, "submit", by)


async def approve(campaign: Campaign, by: StaffMember) -> Campaign:
    """Approve a submitted campaign: only an approver (or admin) who is not its author."""
    _check(campaign, "approve")
    if campaign.author_id is not None and campaign.author_id == by.id:  # type: ignore[attr-defined]
        await audit.record(
            "campaign.approve_refused",
            actor=_actor(by),
            target=f"campaign:{campaign.id}",
            reason="author",
        )
        raise TransitionRefused("the author of a campaign cannot approve it (four eyes)")
    if by.role not in (Role.APPROVER, Role.ADMIN):
        raise TransitionRefused("only an approver can approve a campaign")
    campaign.approved_by = by
    return await _move(campaign, S.APPROVED, "approve", by, ["approved_by_id"])


async def reject(campaign: Campaign, by: StaffMember, reason: str = "") -> Campaign:
    _check(campaign, "reject")
    return await _move(campaign, S.DRAFT, "reject", by, reason=reason[:200])


async def schedule(
    campaign: Campaign, by: StaffMember | None, now: datetime | None = None
) -> Campaign:
    """Approved → scheduled; the scheduler then starts it when its time comes."""
    from campaigns.schedules import first_run  # schedules builds on this module

    _check(campaign, "schedule")
    now = now or datetime.now(UTC)
    campaign.next_run_at = first_run(campaign, now)
    if campaign.schedule_kind == ScheduleKind.SEQUENCE:
        # A welcome series greets those who subscribe from now on.
        campaign.schedule_params = {**campaign.schedule_params, "since": now.isoformat()}
    return await _move(campaign, S.SCHEDULED, "schedule", by, ["next_run_at", "schedule_params"])


async def start_sending(campaign: Campaign, occurrence: str, queued: int) -> Campaign:
    return await _move(campaign, S.SENDING, "start", None, occurrence=occurrence, queued=queued)


async def pause(campaign: Campaign, by: StaffMember | None) -> Campaign:
    _check(campaign, "pause")
    campaign.resume_state = str(campaign.state)
    return await _move(campaign, S.PAUSED, "pause", by, ["resume_state"])


async def resume(campaign: Campaign, by: StaffMember | None) -> Campaign:
    _check(campaign, "resume")
    back = CampaignState(campaign.resume_state or S.SCHEDULED)
    campaign.resume_state = None
    return await _move(campaign, back, "resume", by, ["resume_state"])


async def cancel(campaign: Campaign, by: StaffMember | None) -> Campaign:
    """Stop for good: queued deliveries are skipped (rows already sent stay in the log)."""
    _check(campaign, "cancel")
    await _move(campaign, S.CANCELLED, "cancel", by)
    await outbox.skip_queued(campaign.id, "cancelled")
    return campaign


async def expire(campaign: Campaign) -> Campaign:
    """Past its expiry: nothing more is sent, whatever is still queued."""
    skipped = await outbox.skip_queued(campaign.id, "expired")
    campaign.next_run_at = None
    return await _move(campaign, S.SENT, "expire", None, ["next_run_at"], skipped=skipped)


async def finish_run(campaign_id: int) -> None:
    """Nothing left to send for this run: one-off campaigns are done, repeating ones wait for
    their next run."""
    campaign = await Campaign.get_or_none(id=campaign_id, state=S.SENDING)
    if campaign is None or campaign.filling is not None:
        return
    repeating = campaign.schedule_kind in REPEATING and campaign.next_run_at is not None
    await _move(campaign, S.SCHEDULED if repeating else S.SENT, "finish_run", None)
