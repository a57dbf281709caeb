"""The Simulator: a person chats with the bot in the browser, in sandbox mode.

`GET /simulator` is the page; `/simulator/api/*` is a thin JSON proxy to the local Bot API's
sandbox API. Each browser is its own person in its own private chat, named by a random chat id
in a cookie; "new person" draws another one, so two people testing never share a chat.
"""

from __future__ import annotations

import math
import re
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from admin.language import LANG, render
from admin.sandbox_link import SANDBOX, SandboxLink, SandboxUnavailable
from core.i18n import translator

CHAT_COOKIE = "aman_sim_chat"
# Private chat ids are the person's user id: positive, and large enough never to collide.
_LOWEST_CHAT, _HIGHEST_CHAT = 10**9, 2**48
_FILE_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
_LONGEST_TEXT = 4096
# Pictures shown inline; anything else (SVG included, which can carry script) is a download.
_INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/simulator", page, name="simulator")
    api = [
        web.get("/simulator/api/messages", messages),
        web.get("/simulator/api/wait", wait),
        web.post("/simulator/api/send", send),
        web.post("/simulator/api/press", press),
        web.post("/simulator/api/new", new_person),
        web.get("/simulator/api/files/{file_id}", file),
    ]
    app.router.add_routes(api)


def _fail(description: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "description": description}, status=status)


def _new_chat_id() -> int:
    return _LOWEST_CHAT + secrets.randbelow(_HIGHEST_CHAT - _LOWEST_CHAT)


def _chat_id(request: web.Request) -> int | None:
    try:
        chat_id = int(request.cookies.get(CHAT_COOKIE, ""))
    except ValueError:
        return None
    return chat_id if _LOWEST_CHAT <= chat_id < _HIGHEST_CHAT else None


def _remember(response: web.StreamResponse, chat_id: int) -> None:
    response.set_cookie(CHAT_COOKIE, str(chat_id), httponly=True, samesite="Strict")


async def page(request: web.Request) -> web.Response:
    sandbox = SANDBOX in request.app
    response = render(request, "simulator.html", {"sandbox": sandbox})
    if sandbox and _chat_id(request) is None:
        _remember(response, _new_chat_id())
    return response


def _api(call: Handler) -> Handler:
    """Sandbox mode only, a chat cookie, and for POSTs a same-origin JSON request: a page on
    another site can neither send JSON here without a CORS preflight nor carry the cookie."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        if SANDBOX not in request.app:
            return _fail("the Simulator is only available in sandbox mode", 404)
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if request.content_type != "application/json" or (
                origin and origin != f"{request.scheme}://{request.host}"
            ):
                return _fail("send JSON from the Simulator page", 403)
        try:
            return await call(request)
        except SandboxUnavailable as error:
            return _fail(error.description, 502 if error.status >= 500 else error.status)

    return guarded


def _link(request: web.Request) -> SandboxLink:
    return request.app[SANDBOX]


async def _body(request: web.Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object, please")
    return body


def _person(request: web.Request, chat_id: int) -> dict:
    _ = translator(request[LANG]).gettext
    return {"id": chat_id, "first_name": _("Test person"), "language_code": request[LANG]}


def _message(body: dict) -> dict | None:
    """What the person sends, checked: text, a photo (base64) with a caption, or a location."""
    if isinstance(body.get("text"), str) and 0 < len(body["text"]) <= _LONGEST_TEXT:
        return {"text": body["text"]}
    if isinstance(body.get("photo"), str) and body["photo"]:
        caption = body.get("caption")
        message = {"photo": body["photo"]}
        if isinstance(caption, str) and caption:
            message["caption"] = caption[:1024]
        return message
    where = body.get("location")
    if isinstance(where, dict):
        try:
            lat, lon = float(where["latitude"]), float(where["longitude"])
        except (KeyError, TypeError, ValueError):
            return None
        if math.isfinite(lat + lon) and abs(lat) <= 90 and abs(lon) <= 180:
            return {"location": {"latitude": lat, "longitude": lon}}
    return None


@_api
async def messages(request: web.Request) -> web.Response:
    chat_id = _chat_id(request)
    if chat_id is None:
        return _fail("open the Simulator page first", 409)
    return web.json_response({"ok": True, **await _link(request).transcript(chat_id)})


@_api
async def wait(request: web.Request) -> web.Response:
    chat_id = _chat_id(request)
    if chat_id is None:
        return _fail("open the Simulator page first", 409)
    try:
        since = max(0, int(request.query.get("since", "0")))
    except ValueError:
        return _fail("since is a number")
    return web.json_response({"ok": True, **await _link(request).wait(chat_id, since)})


@_api
async def send(request: web.Request) -> web.Response:
    chat_id = _chat_id(request)
    if chat_id is None:
        return _fail("open the Simulator page first", 409)
    message = _message(await _body(request))
    if message is None:
        return _fail("send text, a photo or a location")
    message["user"] = _person(request, chat_id)
    return web.json_response({"ok": True, **await _link(request).send(chat_id, message)})


@_api
async def press(request: web.Request) -> web.Response:
    chat_id = _chat_id(request)
    if chat_id is None:
        return _fail("open the Simulator page first", 409)
    body = await _body(request)
    data, message_id = body.get("data"), body.get("message_id")
    if not isinstance(data, str) or not isinstance(message_id, int):
        return _fail("say which button: data and message_id")
    button = {"data": data, "message_id": message_id, "user": _person(request, chat_id)}
    return web.json_response({"ok": True, **await _link(request).press(chat_id, button)})


@_api
async def new_person(request: web.Request) -> web.Response:
    response = web.json_response({"ok": True})
    _remember(response, _new_chat_id())
    return response


@_api
async def file(request: web.Request) -> web.Response:
    file_id = request.match_info["file_id"]
    if not _FILE_ID.match(file_id):
        return _fail("no such file", 404)
    data, media_type = await _link(request).file(file_id)
    if media_type not in _INLINE_IMAGES:
        return web.Response(
            body=data,
            content_type="application/octet-stream",
            headers={"Content-Disposition": "attachment"},
        )
    return web.Response(body=data, content_type=media_type)
