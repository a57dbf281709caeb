"""A campaign's tracked button, pressed by a subscriber or by a reader of a partner's channel:
the bot gives the link in their language, and the NGO sees one tap for that button and variant,
with no identity behind it."""

from __future__ import annotations

import asyncio

from campaigns import analytics, lifecycle, schedules
from campaigns.channels.bot_api import BotApi
from campaigns.channels.telegram_channel import TelegramChannel
from campaigns.channels.telegram_dm import TelegramDM
from campaigns.channels.webhook import Webhook
from campaigns.models import ButtonTap, Campaign, PartnerChannel, Variant
from campaigns.outbox import state_counts
from campaigns.sender import Sender
from core.models import Organisation, Role, StaffMember
from tests.e2e.story import callback_answer, labels, press, says, send

HOTLINE = "https://example.org/aide-migrants"
FR = "<b>Offres d'emploi en Libye</b> : vérifiez avant de partir."


async def ngo_campaign(**fields: object) -> Campaign:
    """An approved French/English campaign whose French variant has a tracked link button."""
    org = await Organisation.create(name="Terre d'Asile")
    editor = await StaffMember.create(
        username="ines", display_name="Ines", role=Role.EDITOR, organisation=org, password_hash="-"
    )
    approver = await StaffMember.create(
        username="omar", display_name="Omar", role=Role.APPROVER, organisation=org,
        password_hash="-",
    )  # fmt: skip
    campaign = await Campaign.create(
        name="Fake jobs", organisation=org, author=editor, quiet_hours=False,
        audience={"countries": ["TN"]}, **fields,
    )  # fmt: skip
    button = {"label": "En savoir plus", "url": HOTLINE, "track": True}
    await Variant.create(campaign=campaign, language="fr", text=FR, buttons=[button])
    await Variant.create(campaign=campaign, language="en", text="Fake job offers for Libya.")
    await lifecycle.submit(campaign, editor)
    await lifecycle.approve(campaign, approver)
    await lifecycle.schedule(campaign, approver)
    return campaign


async def send_campaign(api_root: str) -> None:
    """The sender the worker runs, drained once against the same local Bot API as the bot."""
    api = BotApi(api_root, "1:sandbox")
    channels = {"dm": TelegramDM(api), "channel": TelegramChannel(api), "webhook": Webhook()}
    sender = Sender(channels, rate=200)
    await schedules.run_due(schedules.utcnow())
    try:
        await asyncio.wait_for(sender.run(until_idle=True), 10)
    finally:
        await api.close()
        await channels["webhook"].close()


async def test_a_subscriber_taps_a_campaign_link_and_only_the_tap_is_counted(sandbox):
    leila = sandbox.chat(7101, language_code="fr")
    await send(leila, "/start", "Bienvenue sur Aman")
    await press(leila, "Français", "Dans quel pays êtes-vous")
    await press(leila, "Tunisie", "Que voulez-vous faire ?")
    await send(leila, "/alerts", "Les alertes sont de courts avertissements")
    await press(leila, "🔔 Activer les alertes", "Vous recevez les alertes")

    campaign = await ngo_campaign()
    await send_campaign(sandbox.root_url)
    alert = await says(leila, "Offres d'emploi en Libye")
    assert labels(alert) == ["En savoir plus"]
    assert alert["reply_markup"]["inline_keyboard"][0][0]["callback_data"].startswith("ct:")

    link = await press(leila, "En savoir plus", HOTLINE)
    assert "Voici le lien" in link["text"]
    opener = link["reply_markup"]["inline_keyboard"][0][0]
    assert (opener["text"], opener["url"]) == ("Ouvrir", HOTLINE)

    report = await analytics.summary(campaign.id)
    assert report["taps"] == {"fr:0": 1}
    assert await state_counts(campaign.id) == {"sent": 1}
    (tap,) = await ButtonTap.all().values()
    assert set(tap) == {"id", "campaign_id", "variant_id", "button", "day", "taps"}
    assert str(7101) not in repr(tap)
    french = await Variant.get(campaign_id=campaign.id, language="fr")
    assert (tap["variant_id"], tap["button"], tap["taps"]) == (french.id, 0, 1)


async def test_a_button_of_a_deleted_campaign_is_out_of_date(sandbox):
    sam = sandbox.chat(7102, language_code="en")
    await send(sam, "/start", "Welcome to Aman")
    await press(sam, "English", "Which country are you in")
    await press(sam, "Morocco", "What would you like to do?")
    for data in ("ct:999:999:0", "ct:1:2", "ct:x:y:z"):
        await sam.press(data=data)
        await says(sam, "What would you like to do?")
        await callback_answer(sam, "This button is out of date")
    assert await ButtonTap.all().count() == 0


async def test_a_reader_of_a_partner_channel_taps_the_link(sandbox):
    """Under the campaign's post in a partner's channel the tap is counted and the link comes
    back to the reader alone, as a notice: nothing more is posted in the channel."""
    await sandbox.add_channel(-100888, "Radio Tunis Info")
    partner = await PartnerChannel.create(title="Radio Tunis Info", chat_id=-100888)
    campaign = await ngo_campaign(channels={"dm": False, "partner_channels": [partner.id]})
    # A channel has no reader language: it gets the English variant (there is one).
    english = {"label": "Learn more", "url": HOTLINE, "track": True}
    await Variant.filter(campaign_id=campaign.id, language="en").update(buttons=[english])
    await send_campaign(sandbox.root_url)
    channel = sandbox.chat(-100888, language_code="fr", chat_type="channel")
    (post,) = await channel.bot_messages()
    assert labels(post) == ["Learn more"]

    await channel.press("Learn more")
    notice = await callback_answer(channel, HOTLINE)
    assert notice["text"] == f"Ouvrez ce lien : {HOTLINE}"  # in the reader's language
    assert len(await channel.bot_messages()) == 1
    assert (await analytics.summary(campaign.id))["taps"] == {"en:0": 1}
