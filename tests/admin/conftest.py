"""The admin app over HTTP for the staff stories: one test client on the story's own database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from admin.app import create_app


@pytest.fixture
async def client(db: str) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_app())) as client:
        yield client
