"""Telegram direct messages to subscribers: the recipient is a subscriber id, the chat id is
unsealed only here, just before sending."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from campaigns import outbox
from campaigns.channels import Outgoing
from campaigns.channels.bot_api import BotApi
from campaigns.models import Subscriber
from campaigns.outcomes import Outcome
from campaigns.pacing import PRIVATE_CHAT_GAP
from campaigns.variants import Payload
from core import crypto

_PURPOSE = "subscriber"  # the sealing purpose used by campaigns.subscriptions


class TelegramDM:
    name = "dm"
    gap = PRIVATE_CHAT_GAP

    def __init__(self, api: BotApi) -> None:
        self.api = api

    async def resolve(self, recipients: Sequence[int]) -> dict[int, Any]:
        sealed = await outbox.chat_ids_sealed(recipients)
        return {sid: int(crypto.open_at_rest(box, purpose=_PURPOSE)) for sid, box in sealed.items()}

    async def send(self, delivery: Outgoing, payload: Payload) -> Outcome:
        return await self.api.deliver(delivery.address, payload)

    async def stop(self, recipient: int) -> None:
        """The person blocked the bot or deleted their account: end the subscription."""
        await Subscriber.filter(id=recipient).delete()
