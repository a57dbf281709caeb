"""Stories of the campaign editor: an editor writes Arabic and French side by side, previews
them as Telegram shows them (Arabic right to left) and sees that English readers in the audience
have no variant yet; the audience count answers as the boxes change; bad input (tags Telegram
refuses, a message too long, a time already past, an audience of nobody) comes back on the form
with nothing lost and nothing saved; of two editors saving one campaign, the second is told what
the first changed."""

from __future__ import annotations

import html
import json
import re

from aiohttp.test_utils import TestClient

from admin.app import create_app
from campaigns.models import Campaign, Variant
from core.models import AuditEntry, Role

from .campaign_cast import (
    ARABIC,
    FRENCH,
    campaign,
    member_of,
    moroccan_and_tunisian_subscribers,
    ngo,
)
from .people import browsers
from .staff import Browser, token_in, unit_with_focal_point


def textarea(page: str, language: str) -> str:
    found = re.search(rf'<textarea id="text_{language}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no {language} text box"
    return html.unescape(found.group(1))


async def test_an_editor_writes_arabic_and_french_previews_them_and_saves(
    client: TestClient,
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    browser = Browser(client)
    await browser.sign_in(cast["editor"])
    fields = {"name": "Free UN services", "text_ar": ARABIC, "text_fr": FRENCH, "country": "MA"}

    preview = await browser.submit("/campaigns/new", "/campaigns/new", intent="preview", **fields)
    page = await preview.text()
    assert preview.status == 200
    assert re.search(r'<figure class="tg-preview" lang="ar" dir="rtl">', page)
    assert "<strong>Les services du HCR sont gratuits.</strong>" in page
    assert "missing: part of the audience reads it" in page  # the English reader in Morocco
    assert not await Campaign.exists()

    saved = await browser.submit("/campaigns/new", "/campaigns/new", intent="save", **fields)
    assert saved.status == 200 and "Saved." in await saved.text()
    made = await Campaign.get(name="Free UN services")
    assert made.author_id == cast["editor"].id and made.organisation_id == cast["org"].id
    assert made.audience == {"countries": ["MA"]}
    texts = {v.language: v.text for v in await Variant.filter(campaign=made)}
    assert texts == {"ar": ARABIC, "fr": FRENCH}
    assert "English" in await saved.text()  # still missing, said on the campaign page
    assert await AuditEntry.exists(action="campaign.edit", target=f"campaign:{made.id}")


async def test_bad_input_comes_back_on_the_form_with_nothing_lost(client: TestClient) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    browser = Browser(client)
    await browser.sign_in(cast["editor"])
    script = "<script>alert(1)</script> Bonjour"
    long = "ا" * 4097
    cases = [
        ({"text_fr": script}, "Telegram does not accept &lt;script&gt;", "fr", script),
        ({"text_ar": long}, "Too long for Telegram: 4097 characters, at most 4096.", "ar", long),
        ({"text_fr": FRENCH, "schedule": "at", "at": "2020-01-01T09:00", "zone": "MA"},
         "This time has already passed", "fr", FRENCH),
        ({"text_fr": FRENCH, "country": "EG"},
         "No subscriber matches this audience", "fr", FRENCH),
        ({"text_fr": "<b>Bonjour"}, "The tag &lt;b&gt; is never closed.", "fr", "<b>Bonjour"),
        ({"text_fr": "3 < 4"}, "Write &lt; as &amp;lt;", "fr", "3 < 4"),
    ]  # fmt: skip
    for fields, message, language, kept in cases:
        response = await browser.submit("/campaigns/new", "/campaigns/new", name="Draft", **fields)
        page = await response.text()
        assert response.status == 400, message
        assert "Nothing was saved" in page and message in page, message
        assert textarea(page, language) == kept
        assert "<script>alert" not in page
    assert not await Campaign.exists()


async def test_the_second_of_two_editors_saving_one_campaign_is_told_what_changed(
    db: str,
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    amina = await member_of(cast["org"], "amina", Role.EDITOR)
    draft = await campaign(cast)
    edit = f"/campaigns/{draft.id}/edit"
    async with browsers(create_app()) as new:
        salma, other = await new(), await new()
        await salma.sign_in(cast["editor"])
        await other.sign_in(amina)
        _status, salmas_form = await salma.page(edit)
        _status, aminas_form = await other.page(edit)

        def fields(page: str, **changes: str) -> dict[str, str]:
            base = re.search(r'name="base" value="([^"]*)"', page)
            assert base and json.loads(html.unescape(base.group(1)))["name"] == "Know your rights"
            return {"csrf_token": token_in(page), "base": html.unescape(base.group(1)),
                    "name": "Know your rights", "text_ar": ARABIC, "text_fr": FRENCH,
                    "country": "MA", "intent": "save", **changes}  # fmt: skip

        first = await salma.client.post(edit, data=fields(salmas_form, text_fr="Nouveau texte"))
        assert first.status == 200 and "Saved." in await first.text()
        second = await other.client.post(edit, data=fields(aminas_form, name="Know your rights!"))
        page = await second.text()
        assert second.status == 409
        assert "Someone else saved this campaign after you opened it" in page
        assert "text in French" in page and "name" not in page.split("Changed since:")[1][:40]
        assert 'value="Know your rights!"' in page  # what Amina typed is still there
    stored = await Campaign.get(id=draft.id)
    assert stored.name == "Know your rights"
    assert (await Variant.get(campaign=stored, language="fr")).text == "Nouveau texte"


async def test_the_audience_count_follows_the_picked_countries_and_languages(
    client: TestClient,
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    browser = Browser(client)
    await browser.sign_in(cast["editor"])
    for query, count, languages in (
        ("", 4, ["ar", "en", "fr"]),
        ("?country=MA", 3, ["ar", "en", "fr"]),
        ("?country=MA&language=ar", 1, ["ar"]),
        ("?country=TN&country=MA&language=ar", 2, ["ar"]),
        ("?country=EG", 0, []),
        ("?country=XX", 4, ["ar", "en", "fr"]),  # unknown countries are ignored
    ):
        response = await browser.get(f"/campaigns/audience{query}")
        assert await response.json() == {"count": count, "languages": languages}, query
    await browser.sign_out()
    _unit, focal_point, _ = await unit_with_focal_point("TN", "TN")
    await browser.sign_in(focal_point)
    assert (await browser.get("/campaigns/audience?country=MA")).status == 403


async def test_the_preview_shows_telegram_formatting_and_never_runs_a_link_script(
    client: TestClient,
) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    browser = Browser(client)
    await browser.sign_in(cast["editor"])
    text = (
        '<a href="https://www.unhcr.org/">HCR</a> <a href="javascript:alert(1)">ici</a> '
        "<tg-spoiler>secret</tg-spoiler> 3 &lt; 4"
    )
    response = await browser.submit(
        "/campaigns/new", "/campaigns/new", intent="preview", name="Links", text_fr=text
    )
    page = await response.text()
    assert '<a href="https://www.unhcr.org/" rel="noopener">HCR</a>' in page
    assert "<a>ici</a>" in page and "javascript:" not in page.split("tg-preview")[1]
    assert '<span class="spoiler" tabindex="0">secret</span> 3 &lt; 4' in page


async def test_the_campaign_pages_open_right_to_left_in_arabic(client: TestClient) -> None:
    cast = await ngo()
    await moroccan_and_tunisian_subscribers()
    draft = await campaign(cast)
    browser = Browser(client)
    await browser.sign_in(cast["editor"])
    one = f"/campaigns/{draft.id}"
    for path in ("/campaigns", "/campaigns/new", one, f"{one}/edit", f"{one}/progress"):
        status, page = await browser.page(f"{path}?lang=ar")
        assert status == 200, path
        assert '<html lang="ar" dir="rtl">' in page, path
    _status, page = await browser.page(f"/campaigns/{draft.id}")
    assert '<figure class="tg-preview" lang="fr" dir="ltr">' in page  # a French variant stays LTR
