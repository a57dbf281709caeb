"""The user side of the sandbox, JSON over HTTP under /_sandbox/: people write to the bot and
press its buttons, read their chats, and tests and benchmarks configure faults and read stats.

Handlers stay thin; the work is in `people` and `state`.
"""

import asyncio
import contextlib
import json

from aiohttp import web
from aiohttp.typedefs import Handler

from core.botapi.people import SandboxError, user_presses, user_sends, view
from core.botapi.state import World

WORLD = web.AppKey("world", World)
_LONGEST_WAIT = 60.0


def _json(data: object, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _fail(description: str, status: int = 400) -> web.Response:
    return _json({"ok": False, "description": description}, status)


async def _body(request: web.Request) -> dict:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise SandboxError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise SandboxError("the body must be a JSON object")
    return body


def _chat_id(request: web.Request) -> int:
    try:
        return int(request.match_info["chat_id"])
    except ValueError:
        raise SandboxError("chat ids are integers") from None


@web.middleware
async def _sandbox_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SandboxError as error:
        return _fail(error.description, error.status)
    except (KeyError, TypeError, ValueError) as error:
        return _fail(f"bad request: {error}")


async def post_message(request: web.Request) -> web.Response:
    world = request.config_dict[WORLD]
    result = user_sends(world, _chat_id(request), await _body(request))
    return _json({"ok": True, **result})


async def get_messages(request: web.Request) -> web.Response:
    world = request.config_dict[WORLD]
    chat = world.chats.get(_chat_id(request))
    result: dict = {"ok": True, "recorded": world.config.record_messages, "messages": []}
    if chat is not None:
        result["messages"] = [view(m) for m in chat.messages.values()]
        result["keyboard"] = chat.keyboard
        result["seq"] = chat.seq
        if request.query.get("include_deleted") in ("1", "true"):
            result["deleted"] = [view(m) for m in chat.deleted]
    return _json(result)


async def press(request: web.Request) -> web.Response:
    world = request.config_dict[WORLD]
    result = user_presses(world, _chat_id(request), await _body(request))
    return _json({"ok": True, **result})


async def callback_answers(request: web.Request) -> web.Response:
    chat = request.config_dict[WORLD].chats.get(_chat_id(request))
    return _json({"ok": True, "answers": chat.callback_answers if chat else []})


async def wait(request: web.Request) -> web.Response:
    """Answer as soon as the bot sends or edits a message in this chat (or on timeout)."""
    world = request.config_dict[WORLD]
    chat = world.user_chat(_chat_id(request))
    since = int(request.query.get("since", "0"))
    after = int(request.query.get("after", "0"))
    timeout = min(float(request.query.get("timeout", "5")), _LONGEST_WAIT)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = [
            view(m)
            for m in chat.messages.values()
            if m.from_bot and m.seq > since and m.message_id > after
        ]
        remaining = deadline - loop.time()
        if found or remaining <= 0 or world.closing:
            found.sort(key=lambda m: m["seq"])
            return _json({"ok": True, "messages": found, "seq": chat.seq})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(chat.changed().wait(), remaining)
        chat = world.user_chat(chat.id)  # a reset replaces the chat


async def list_chats(request: web.Request) -> web.Response:
    chats = [
        {
            "chat_id": chat.id,
            "type": chat.type,
            "title": chat.telegram().get("title") or chat.telegram().get("first_name"),
            "messages": len(chat.messages),
            "delivered": chat.delivered,
            "last_action": chat.last_action,
        }
        for chat in request.config_dict[WORLD].chats.values()
    ]
    return _json({"ok": True, "chats": chats})


async def add_channel(request: web.Request) -> web.Response:
    body = await _body(request)
    chat = request.config_dict[WORLD].add_channel(
        int(body["chat_id"]), body.get("type", "channel"), body.get("title"), body.get("username")
    )
    return _json({"ok": True, "chat": chat.telegram()})


async def config(request: web.Request) -> web.Response:
    world = request.config_dict[WORLD]
    if request.method == "POST":
        body = await _body(request)
        if "advance_clock" in body:
            world.config.clock_offset += float(body.pop("advance_clock"))
        world.config.update(body)
    return _json({"ok": True, "config": world.config.as_dict()})


async def stats(request: web.Request) -> web.Response:
    world = request.config_dict[WORLD]
    counters = world.stats
    result = {
        "ok": True,
        "calls": dict(counters.calls),
        "statuses": {str(code): n for code, n in counters.statuses.items()},
        "flood_429": counters.statuses.get(429, 0),
        "delivered_total": counters.delivered_total,
        "duplicate_messages": counters.duplicate_messages,
        "duplicate_chats": sorted(counters.duplicate_chats),
        "updates_injected": counters.updates_injected,
        "pending_updates": len(world.updates),
        "chats": len(world.chats),
    }
    if request.query.get("per_chat", "1") not in ("0", "false"):
        result["delivered_per_chat"] = {
            str(chat.id): chat.delivered for chat in world.chats.values() if chat.delivered
        }
    return _json(result)


async def reset(request: web.Request) -> web.Response:
    request.config_dict[WORLD].reset()
    return _json({"ok": True})


async def file_bytes(request: web.Request) -> web.Response:
    record = request.config_dict[WORLD].files.get(request.match_info["file_id"])
    if record is None or record.data is None:
        return _fail("no such file", 404)
    return web.Response(
        body=record.data, content_type=record.mime_type or "application/octet-stream"
    )


async def commands(request: web.Request) -> web.Response:
    stored = request.config_dict[WORLD].commands
    listed = []
    for key, entries in stored.items():
        scope, language = json.loads(key)
        listed.append({"scope": scope, "language_code": language, "commands": entries})
    return _json({"ok": True, "commands": listed})


def sandbox_app() -> web.Application:
    """The /_sandbox/ sub-application; it finds the World in its parent application."""
    app = web.Application(middlewares=[_sandbox_errors])
    app.router.add_post("/chats/{chat_id}/messages", post_message)
    app.router.add_get("/chats/{chat_id}/messages", get_messages)
    app.router.add_post("/chats/{chat_id}/press", press)
    app.router.add_get("/chats/{chat_id}/callback_answers", callback_answers)
    app.router.add_get("/chats/{chat_id}/wait", wait)
    app.router.add_get("/chats", list_chats)
    app.router.add_post("/channels", add_channel)
    app.router.add_route("GET", "/config", config)
    app.router.add_route("POST", "/config", config)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    app.router.add_get("/files/{file_id}", file_bytes)
    app.router.add_get("/commands", commands)
    return app
