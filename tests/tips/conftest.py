"""Tips stories run with the fastest Argon2id cost, so a story with several staff stays quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core import crypto


@pytest.fixture(autouse=True)
def _fast_kdf() -> Iterator[None]:
    crypto.use_kdf_limits(crypto.FAST)
    yield
    crypto.use_kdf_limits(None)
