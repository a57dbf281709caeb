"""Alert subscriptions: a chat opts in for its country and language, and opts out at once.

The chat id is needed to send, so it is kept sealed with the server's at-rest key; rows are looked
up by a keyed hash of the chat id, so neither a dump nor an index reveals who subscribed.
"""

from __future__ import annotations

from collections.abc import Sequence

from campaigns.models import Subscriber
from core import crypto

_PURPOSE = "subscriber"


def _key(chat_id: int) -> str:
    return crypto.blind_index(_PURPOSE, chat_id)


async def subscribe(
    chat_id: int, *, country: str, language: str, topics: Sequence[str] = ()
) -> Subscriber:
    """Opt a chat in (or update its country, language and topics if it already is)."""
    sealed = crypto.seal_at_rest(str(chat_id).encode(), purpose=_PURPOSE)
    subscriber, created = await Subscriber.get_or_create(
        chat_key=_key(chat_id),
        defaults={"chat_sealed": sealed, "country": country, "language": language,
                  "topics": list(topics)},
    )  # fmt: skip
    if not created:
        subscriber.country, subscriber.language = country, language
        subscriber.topics = list(topics)
        await subscriber.save(update_fields=["country", "language", "topics"])
    return subscriber


async def unsubscribe(chat_id: int) -> bool:
    """Delete the chat's subscription at once; True if there was one."""
    return bool(await Subscriber.filter(chat_key=_key(chat_id)).delete())


async def subscription_of(chat_id: int) -> Subscriber | None:
    return await Subscriber.get_or_none(chat_key=_key(chat_id))


def chat_id_of(subscriber: Subscriber) -> int:
    """The chat to send to (only the sender needs this)."""
    return int(crypto.open_at_rest(subscriber.chat_sealed, purpose=_PURPOSE))
