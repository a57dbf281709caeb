"""A newcomer reads the demo logins the sandbox prints and signs in as the demo NGO's editor with
nothing else, finds the campaign pages and an audience of demo subscribers to write for; the
demo approver signs in the same way."""

from __future__ import annotations

import re

import pyotp
from aiohttp.test_utils import TestClient

from cli.demo import DEMO_SUBSCRIBERS, demo_logins

from .staff import Browser


async def test_the_demo_ngo_editor_and_approver_sign_in_from_the_printed_logins(
    client: TestClient,
) -> None:
    printed = "\n".join(await demo_logins() or [])
    for username, role in (("demo-editor", "editor"), ("demo-approver", "approver")):
        login = re.search(rf"^({username}) / (\S+) \({role}, Demo NGO", printed, re.MULTILINE)
        assert login, printed
        secret = re.search(r"TOTP secret (\w+)", printed[login.end() :]).group(1)  # type: ignore[union-attr]

        browser = Browser(client)
        await browser.password_step(username, login.group(2))
        await browser.code_step(pyotp.TOTP(secret).now())
        _status, page = await browser.page("/campaigns")
        assert "<h1>Campaigns</h1>" in page
        if role == "editor":
            response = await browser.get("/campaigns/audience")
            assert (await response.json())["count"] == len(DEMO_SUBSCRIBERS)
        await browser.sign_out()
