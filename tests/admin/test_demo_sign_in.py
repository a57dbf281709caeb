"""A newcomer starts the sandbox, reads the demo logins it prints, and signs in to the admin with
nothing else: the username and password, then a code made from the printed TOTP secret."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pyotp
from aiohttp.test_utils import TestClient

from cli.demo import demo_logins

from .staff import Browser


async def test_a_newcomer_signs_in_from_the_printed_demo_logins(client: TestClient) -> None:
    printed = "\n".join(await demo_logins() or [])
    login = re.search(r"^(demo-tn) / (\S+) \(unit TN", printed, re.MULTILINE)
    assert login, printed
    username, password = login.groups()
    after = printed[login.end() :]
    secret, uri = re.search(r"TOTP secret (\w+)\s+(otpauth://\S+)", after).groups()  # type: ignore[union-attr]
    assert parse_qs(urlsplit(uri).query)["secret"] == [secret]
    assert urlsplit(uri).path.endswith(f"Aman:{username}")

    browser = Browser(client)
    half = await browser.password_step(username, password)
    assert half.url.path == "/sign-in/code"
    done = await browser.code_step(pyotp.TOTP(secret).now())
    assert done.url.path == "/inbox" and "<h1>Inbox</h1>" in await done.text()
    assert await demo_logins() is None  # loaded once; a second start prints nothing new
