"""Every alert the sender puts in a subscriber's private chat is recorded for "Erase this chat",
even when the database refuses the first try; a partner channel's post is no one's chat."""

from __future__ import annotations

import logging

from campaigns import lifecycle, schedules
from campaigns.models import PartnerChannel
from campaigns.outbox import state_counts
from core import chat_records
from core.models import ChatMessage
from tests.campaigns.conftest import drain, make_campaign, make_sender, subscribers
from tests.campaigns.database_faults import DatabaseFault

FR = "<b>Connaissez vos droits</b> : personne n'a le droit de garder votre passeport."
RECORD = ("INSERT INTO chat_message",)


async def alert_erasable_in(sandbox, chat: int) -> bool:
    """Whether the alert in the chat is among the messages "Erase this chat" would delete."""
    (alert,) = await sandbox.chat(chat).bot_messages()
    return alert["message_id"] in await chat_records.recent_message_ids(chat)


async def test_alerts_stay_erasable_when_recording_them_fails_once(
    db, botapi, sandbox, ngo, monkeypatch, caplog
):
    chats = [7400 + n for n in range(30)]
    await subscribers(*[(chat, "TN", "fr") for chat in chats])
    campaign = await make_campaign(ngo, {"fr": FR})
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())
    fault = DatabaseFault(monkeypatch, RECORD, times=1)
    caplog.set_level(logging.INFO, logger="campaigns.sender")

    await drain(make_sender(botapi, rate=200))

    assert fault.refused == 1
    assert await state_counts(campaign.id) == {"sent": len(chats)}
    assert (await sandbox.stats())["duplicate_messages"] == 0
    for chat in chats:
        assert await alert_erasable_in(sandbox, chat)
    assert await ChatMessage.all().count() == len(chats)  # each recorded once
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "could not record" in logged
    assert not any(str(chat) in logged for chat in chats)


async def test_a_partner_channel_post_is_not_recorded_as_a_private_chat(db, botapi, sandbox, ngo):
    await sandbox.add_channel(-100777, "Radio Tunis Info")
    partner = await PartnerChannel.create(title="Radio Tunis Info", chat_id=-100777)
    await subscribers((7501, "TN", "fr"))
    campaign = await make_campaign(
        ngo, {"fr": FR}, channels={"dm": True, "partner_channels": [partner.id]}
    )
    await lifecycle.schedule(campaign, ngo["approver"])
    await schedules.run_due(schedules.utcnow())

    await drain(make_sender(botapi, rate=200))

    assert await state_counts(campaign.id) == {"sent": 2}
    assert await alert_erasable_in(sandbox, 7501)
    assert await chat_records.recent_message_ids(-100777) == []
    assert await ChatMessage.all().count() == 1
