"""How updates reach the bot: getUpdates long polling (confirm-by-offset, woken at once when
an update arrives) or a webhook the sandbox POSTs each update to, like Telegram.
"""

import asyncio
import contextlib
import re

import aiohttp

from core.botapi.params import ApiError, Params, bad_request
from core.botapi.state import World

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LONGEST_POLL = 600
_PUSH_TIMEOUT = aiohttp.ClientTimeout(total=10)
_MAX_BACKOFF = 2.0


async def get_updates(world: World, params: Params) -> list[dict]:
    if world.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.integer("offset")
    limit = min(max(params.integer("limit", 100) or 100, 1), 100)
    timeout = min(max(params.integer("timeout", 0) or 0, 0), _LONGEST_POLL)
    allowed = params.structured("allowed_updates", "allowed updates")
    if allowed is not None:
        world.allowed_updates = [str(kind) for kind in allowed]
    world.confirm(offset)
    # A newer getUpdates ends an older one that is still waiting, as on Telegram.
    world.poll_generation += 1
    generation = world.poll_generation
    world.wake_all()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        batch = world.pending(limit)
        remaining = deadline - loop.time()
        if batch or remaining <= 0 or world.closing:
            return batch
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(world.update_event().wait(), remaining)
        if world.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if world.webhook is not None:
            return []


async def set_webhook(world: World, params: Params) -> bool:
    url = params.string("url") or ""
    if not url:
        world.set_webhook(None)
        return True
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.string("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = min(max(params.integer("max_connections", 40) or 40, 1), 100)
    allowed = params.structured("allowed_updates", "allowed updates")
    if allowed is not None:
        world.allowed_updates = [str(kind) for kind in allowed]
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    world.set_webhook(
        {
            "url": url,
            "secret_token": secret,
            "max_connections": max_connections,
            "last_error_date": None,
            "last_error_message": None,
        }
    )
    # Stop a waiting long poll, which now has to answer 409.
    world.wake_all()
    return True


async def delete_webhook(world: World, params: Params) -> bool:
    if params.flag("drop_pending_updates"):
        world.updates.clear()
    world.set_webhook(None)
    return True


async def get_webhook_info(world: World, params: Params) -> dict:
    info: dict = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    webhook = world.webhook
    if webhook is not None:
        info |= {"url": webhook["url"], "max_connections": webhook["max_connections"]}
        info["ip_address"] = "127.0.0.1"
        if world.allowed_updates:
            info["allowed_updates"] = world.allowed_updates
        if webhook["last_error_date"]:
            info["last_error_date"] = webhook["last_error_date"]
            info["last_error_message"] = webhook["last_error_message"]
    return info


METHODS = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}


def _chat_key(update: dict) -> int | None:
    """The chat an update belongs to; updates of one chat are pushed one at a time, in order."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        message = payload.get("message") if key == "callback_query" else payload
        chat = (message or {}).get("chat") or {}
        return chat.get("id") or (payload.get("from") or {}).get("id")
    return None


class WebhookPusher:
    """POSTs pending updates to the bot's webhook with up to max_connections in flight."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.in_flight: set[int] = set()
        self.busy_chats: set[int | None] = set()
        self.session: aiohttp.ClientSession | None = None
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.session = aiohttp.ClientSession(timeout=_PUSH_TIMEOUT)
        self.task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.session is not None:
            await self.session.close()

    async def run(self) -> None:
        world = self.world
        while not world.closing:
            changed = world.webhook_event()
            webhook = world.webhook
            if webhook is None:
                await changed.wait()
                continue
            workers = [
                asyncio.create_task(self.work(webhook)) for _ in range(webhook["max_connections"])
            ]
            try:
                await changed.wait()
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                self.in_flight.clear()
                self.busy_chats.clear()

    def claim(self) -> dict | None:
        world = self.world
        for number, (update_id, update) in enumerate(world.updates.items()):
            if number > 1000:
                break
            if update_id in self.in_flight:
                continue
            chat = _chat_key(update)
            if chat in self.busy_chats and chat is not None:
                continue
            if not world.is_allowed(update):
                continue
            self.in_flight.add(update_id)
            self.busy_chats.add(chat)
            return update
        return None

    async def work(self, webhook: dict) -> None:
        world = self.world
        while True:
            update = self.claim()
            if update is None:
                await world.update_event().wait()
                continue
            failures = 0
            try:
                while not await self.push(webhook, update):
                    failures += 1
                    await asyncio.sleep(min(0.05 * 2**failures, _MAX_BACKOFF))
                world.updates.pop(update["update_id"], None)
            finally:
                self.in_flight.discard(update["update_id"])
                self.busy_chats.discard(_chat_key(update))
            world.wake_all()

    async def push(self, webhook: dict, update: dict) -> bool:
        assert self.session is not None
        headers = {}
        if webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
        try:
            async with self.session.post(webhook["url"], json=update, headers=headers) as response:
                if 200 <= response.status < 300:
                    return True
                error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}"
        webhook["last_error_date"] = int(self.world.now())
        webhook["last_error_message"] = error
        return False
