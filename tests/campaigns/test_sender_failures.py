"""Stories of the database failing under a campaign going out: the sender never loses an
outcome, never sends a message twice, and never fails in silence."""

from __future__ import annotations

import asyncio
import logging

import pytest
from tortoise.exceptions import OperationalError

from campaigns import lifecycle, schedules
from campaigns.models import Campaign, CampaignState
from campaigns.outbox import state_counts
from tests.campaigns.conftest import drain, make_campaign, make_sender, subscribers
from tests.campaigns.database_faults import CHAT_LOOKUP, OUTCOME_WRITE, DatabaseFault

FR = "<b>Connaissez vos droits</b> : personne n'a le droit de garder votre passeport."


async def campaign_to(ngo, chats: list[int]) -> Campaign:
    await subscribers(*[(chat, "TN", "fr") for chat in chats])
    campaign = await make_campaign(ngo, {"fr": FR})
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())
    return campaign


async def everyone_got_it_once(sandbox, campaign: Campaign, chats: list[int]) -> None:
    stats = await sandbox.stats()
    assert stats["delivered_per_chat"] == {str(chat): 1 for chat in chats}
    assert stats["duplicate_messages"] == 0
    assert await state_counts(campaign.id) == {"sent": len(chats)}
    await campaign.refresh_from_db()
    assert campaign.state == CampaignState.SENT


def no_chat_in(caplog: pytest.LogCaptureFixture, chats: list[int]) -> None:
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(str(chat) in logged for chat in chats)


async def test_failed_flush_is_retried_without_losing_outcomes(
    db, botapi, sandbox, ngo, monkeypatch, caplog
):
    """The database drops the connection as the sender records its first outcomes: they stay
    in memory, nothing is sent again while they wait, the next flush records them, and the
    failure is in the log."""
    chats = [7100 + n for n in range(40)]
    campaign = await campaign_to(ngo, chats)
    fault = DatabaseFault(monkeypatch, OUTCOME_WRITE, times=1)
    caplog.set_level(logging.INFO, logger="campaigns.sender")

    await drain(make_sender(botapi, rate=200), limit=20)

    assert fault.refused == 1
    await everyone_got_it_once(sandbox, campaign, chats)
    failures = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failures) == 1 and "OperationalError" in failures[0].getMessage()
    assert "could not record" in failures[0].getMessage()
    no_chat_in(caplog, chats)


async def test_a_failed_step_is_raised_and_the_next_run_sends_the_rest_once(
    db, botapi, sandbox, ngo, monkeypatch
):
    """The database fails while the sender looks up a batch's chats, after the first batch is
    on its way: `run` raises instead of returning as if all were well, the first batch's
    outcomes are kept, the batch it had claimed is not left `sending`, and the next run sends
    everyone else, once."""
    chats = [7200 + n for n in range(30)]
    campaign = await campaign_to(ngo, chats)
    sender = make_sender(botapi, rate=200)  # batches of 10
    fault = DatabaseFault(monkeypatch, CHAT_LOOKUP, after=1)

    with pytest.raises(OperationalError):
        await asyncio.wait_for(sender.run(until_idle=True), 10)
    assert fault.refused == 1
    assert 1 <= (await sandbox.stats())["delivered_total"] <= 10  # the first batch only
    fault.heal()
    await drain(sender)

    await everyone_got_it_once(sandbox, campaign, chats)
