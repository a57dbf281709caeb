"""Campaign stories' cast: an NGO with an editor and an approver, subscribers on the local Bot
API, a sender wired to it, and a clock the story moves by hand (nobody sleeps)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from campaigns import lifecycle
from campaigns.channels.bot_api import BotApi
from campaigns.channels.telegram_channel import TelegramChannel
from campaigns.channels.telegram_dm import TelegramDM
from campaigns.channels.webhook import Webhook
from campaigns.models import Campaign, ScheduleKind, Variant
from campaigns.sender import Sender
from campaigns.subscriptions import subscribe
from core.botapi import SandboxClient, start_server
from core.models import Organisation, Role, StaffMember

TOKEN = "555000:campaign-stories"


class Clock:
    """Wall-clock time that only moves when the story says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def botapi() -> AsyncIterator[Any]:
    server = await start_server()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def sandbox(botapi: Any) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(botapi.url) as client:
        yield client


@pytest.fixture
async def ngo(db: str) -> dict[str, Any]:
    org = await Organisation.create(name="Caritas Maroc")
    editor = await StaffMember.create(username="salma", display_name="Salma", role=Role.EDITOR,
                                      organisation=org, password_hash="-")  # fmt: skip
    approver = await StaffMember.create(username="youssef", display_name="Youssef",
                                        role=Role.APPROVER, organisation=org,
                                        password_hash="-")  # fmt: skip
    return {"org": org, "editor": editor, "approver": approver}


async def make_campaign(ngo: dict[str, Any], texts: dict[str, str], *, approve: bool = True,
                        **fields: Any) -> Campaign:  # fmt: skip
    """A campaign written by the editor, with one variant per language."""
    fields.setdefault("quiet_hours", False)
    fields.setdefault("schedule_kind", ScheduleKind.NOW)
    campaign = await Campaign.create(name="Know your rights", organisation=ngo["org"],
                                     author=ngo["editor"], **fields)  # fmt: skip
    for language, text in texts.items():
        await Variant.create(campaign=campaign, language=language, text=text)
    if approve:
        await lifecycle.submit(campaign, ngo["editor"])
        await lifecycle.approve(campaign, ngo["approver"])
    return campaign


async def subscribers(*people: tuple[int, str, str]) -> None:
    for chat_id, country, language in people:
        await subscribe(chat_id, country=country, language=language)


def make_sender(botapi: Any, clock: Any = None, rate: float = 500.0) -> Sender:
    api = BotApi(botapi.url, TOKEN)
    channels = {"dm": TelegramDM(api), "channel": TelegramChannel(api), "webhook": Webhook()}
    if clock is None:
        return Sender(channels, rate=rate)
    return Sender(channels, rate=rate, clock=clock)


async def drain(sender: Sender, limit: float = 10.0) -> None:
    """Run the sender until nothing more is due (bounded)."""
    await asyncio.wait_for(sender.run(until_idle=True), limit)
    for channel in sender.channels.values():
        api = getattr(channel, "api", None)
        if api is not None:
            await api.close()
    await sender.channels["webhook"].close()  # type: ignore[attr-defined]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
