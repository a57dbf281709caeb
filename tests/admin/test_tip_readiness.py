"""An administrator opening the admin sees at once whether the public can report tips, and,
once signed in, which units have nobody who could open one; a visitor is not told which."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin.app import create_app
from core.models import Role, Unit
from tests.tips.helpers import unit_with_focal_point

from .staff import Browser, staff_member


@pytest.fixture
async def admin(db: str) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app())) as client:
        yield client


async def test_with_no_focal_point_anywhere_the_admin_is_warned(admin: TestClient) -> None:
    await Unit.create(code="LY", name="Libya unit", country="LY")
    page = await (await admin.get("/?lang=en")).text()
    assert "No unit can receive tips" in page
    assert "regional desk" not in page and "LY" not in page

    browser = Browser(admin)
    await browser.sign_in(await staff_member("the-admin", Role.ADMIN))
    _status, page = await browser.page("/")
    assert "their tips go to the regional desk: LY" in page


async def test_once_a_unit_has_a_focal_point_reporting_is_open(admin: TestClient) -> None:
    _tn, tunis, _ = await unit_with_focal_point("TN", "TN")
    await Unit.create(code="LY", name="Libya unit", country="LY")
    page = await (await admin.get("/?lang=en")).text()
    assert "No unit can receive tips" not in page
    assert "The bot offers anonymous reporting" in page
    assert "regional desk: LY" not in page  # a visitor is not told which units lack one

    focal_point = Browser(admin)
    await focal_point.sign_in(tunis)
    assert "regional desk: LY" not in (await focal_point.page("/"))[1]  # nor a focal point
    await focal_point.sign_out()

    browser = Browser(admin)
    await browser.sign_in(await staff_member("the-admin", Role.ADMIN))
    _status, page = await browser.page("/")
    assert "regional desk: LY" in page and "TN" not in page.split("regional desk:")[1][:20]
