"""The ways a campaign reaches people, each one module with the same small interface.

`resolve(recipients)` turns delivery recipients (ids in Aman's tables) into addresses,
`send(delivery, payload)` sends one and returns an `Outcome`, and `stop(recipient)` is what
to do when the recipient is gone for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from campaigns.outbox import Claimed
from campaigns.outcomes import Outcome
from campaigns.variants import Payload


@dataclass
class Outgoing:
    """A claimed delivery row with its resolved address (a chat id, an endpoint)."""

    row: Claimed
    address: Any


class Channel(Protocol):
    name: str
    gap: float  # minimum seconds between two sends to one recipient (0 = none)

    async def resolve(self, recipients: Sequence[int]) -> dict[int, Any]: ...

    async def send(self, delivery: Outgoing, payload: Payload) -> Outcome: ...

    async def stop(self, recipient: int) -> None: ...
