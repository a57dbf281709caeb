"""Signed webhooks: a campaign message POSTed as JSON to a partner system (an SMS gateway, a
website, a radio newsroom).

Each request carries `X-Aman-Timestamp` (Unix seconds) and `X-Aman-Signature:
sha256=<hex>`, the HMAC-SHA256 under the endpoint's secret of `<timestamp>.<body>`. The
receiver recomputes it over the raw body and rejects old timestamps, so a captured request
can be neither altered nor replayed later.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

import aiohttp

from campaigns.channels import Outgoing
from campaigns.models import WebhookEndpoint
from campaigns.outcomes import Outcome, from_transport_error, from_webhook
from campaigns.variants import Payload
from core import crypto

_PURPOSE = "webhook"


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + crypto.hmac_sha256(secret, timestamp.encode() + b"." + body)


async def add_endpoint(
    name: str, url: str, secret: str | None = None, organisation_id: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register a partner endpoint; returns it and the secret to hand to the partner once."""
    secret = secret or secrets.token_urlsafe(32)
    endpoint = await WebhookEndpoint.create(
        name=name,
        url=url,
        organisation_id=organisation_id,
        secret_sealed=crypto.seal_at_rest(secret.encode(), purpose=_PURPOSE),
    )
    return endpoint, secret


class Webhook:
    name = "webhook"
    gap = 0.0

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=5.0)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def resolve(self, recipients: Sequence[int]) -> dict[int, Any]:
        found = await WebhookEndpoint.filter(id__in=list(recipients), active=True)
        return {
            e.id: (e.url, crypto.open_at_rest(e.secret_sealed, purpose=_PURPOSE)) for e in found
        }

    async def send(self, delivery: Outgoing, payload: Payload) -> Outcome:
        url, secret = delivery.address
        body = json.dumps(
            {
                "campaign": payload.campaign_id,
                "variant": payload.variant_id,
                "delivery": delivery.row.id,
                "language": payload.language,
                "text": payload.text,
                "buttons": [{"label": b["label"], "url": b.get("url")} for b in payload.buttons],
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Aman-Timestamp": timestamp,
            "X-Aman-Signature": signature(secret, timestamp, body),
            "X-Aman-Delivery": str(delivery.row.id),  # lets the partner drop a repeat
        }
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                await response.read()
                return from_webhook(response.status, response.headers.get("Retry-After"))
        except Exception as exc:
            return from_transport_error(exc)

    async def stop(self, recipient: int) -> None:
        """The partner answered 410 Gone: stop calling until someone re-enables the endpoint."""
        await WebhookEndpoint.filter(id=recipient).update(active=False)
