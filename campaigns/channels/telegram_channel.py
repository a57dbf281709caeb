"""Posts to partners' Telegram channels and groups where the bot is an administrator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from campaigns.channels import Outgoing
from campaigns.channels.bot_api import BotApi
from campaigns.models import PartnerChannel
from campaigns.outcomes import Outcome
from campaigns.pacing import GROUP_CHAT_GAP
from campaigns.variants import Payload


class TelegramChannel:
    name = "channel"
    gap = GROUP_CHAT_GAP

    def __init__(self, api: BotApi) -> None:
        self.api = api

    async def resolve(self, recipients: Sequence[int]) -> dict[int, Any]:
        found = await PartnerChannel.filter(id__in=list(recipients), active=True)
        return {p.id: p.chat_id for p in found}

    async def send(self, delivery: Outgoing, payload: Payload) -> Outcome:
        return await self.api.deliver(delivery.address, payload)

    async def stop(self, recipient: int) -> None:
        """The bot was removed from the channel: stop posting there until a person re-adds it."""
        await PartnerChannel.filter(id=recipient).update(active=False)
