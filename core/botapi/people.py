"""What people do in the sandbox, turned into Telegram updates: write or edit a message, send
media, a location or a contact, press a button. Also how a chat looks from their side.
"""

import base64
import binascii

from core.botapi.formatting import detect_entities
from core.botapi.params import Upload
from core.botapi.state import Chat, StoredMessage, World, default_user

_MEDIA_KINDS = ("photo", "document", "voice", "video", "sticker")
_KINDS = ("text", *_MEDIA_KINDS, "location", "contact")


class SandboxError(Exception):
    """A user-side request that cannot be done; `status` is the HTTP status to answer."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


def _decode(value: object, what: str) -> bytes:
    if value is True or value is None:
        return b"sandbox"
    if not isinstance(value, str):
        raise SandboxError(f"{what} must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SandboxError(f"{what} is not valid base64") from None


def _media(world: World, kind: str, value: object) -> dict:
    """Store what a user sent and return the Telegram object for it."""
    spec = value if isinstance(value, dict) else {"data": value}
    data = _decode(spec.get("data"), kind)
    keep = world.config.record_messages
    if kind == "photo":
        return {"photo": world.files.photo(data, keep_bytes=keep)}
    name = spec.get("name") or spec.get("file_name") or ""
    upload = Upload(name, spec.get("mime_type") or "", data)
    record = world.files.add_upload(kind, upload, keep)
    if kind == "document":
        return {"document": record.document()}
    media = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
    media["file_size"] = record.size
    if kind in ("voice", "video"):
        media["duration"] = int(spec.get("duration", 1))
        media["mime_type"] = spec.get("mime_type") or (
            "audio/ogg" if kind == "voice" else "video/mp4"
        )
    if kind in ("video", "sticker"):
        media |= {"width": int(spec.get("width", 512)), "height": int(spec.get("height", 512))}
    if kind == "sticker":
        media |= {"type": "regular", "is_animated": False, "is_video": False}
        media["emoji"] = spec.get("emoji", "👍")
    return {kind: media}


def compose(world: World, user: dict, body: dict) -> tuple[str, dict]:
    """The kind and Telegram fields of what a user sends."""
    kind = next((k for k in _KINDS if body.get(k) not in (None, False)), None)
    if kind is None:
        raise SandboxError(f"say what the user sends: one of {', '.join(_KINDS)}")
    if kind == "text":
        text = str(body["text"])
        entities = body.get("entities") or detect_entities(text)
        return kind, {"text": text, **({"entities": entities} if entities else {})}
    if kind == "location":
        where = body["location"]
        return kind, {"location": {"latitude": where["latitude"], "longitude": where["longitude"]}}
    if kind == "contact":
        given = body["contact"] if isinstance(body["contact"], dict) else {}
        contact = {
            "phone_number": str(given.get("phone_number", "+10000000000")),
            "first_name": given.get("first_name", user.get("first_name", "")),
        }
        if given.get("user_id", user["id"]):
            contact["user_id"] = given.get("user_id", user["id"])
        return kind, {"contact": contact}
    fields = _media(world, kind, body[kind])
    caption = body.get("caption")
    if caption:
        fields["caption"] = str(caption)
        entities = detect_entities(str(caption))
        if entities:
            fields["caption_entities"] = entities
    return kind, fields


def sender(world: World, chat_id: int, body: dict) -> Chat:
    """The chat a user writes in, with the person's profile merged from the request."""
    chat_type = body.get("chat_type", "private")
    chat = world.user_chat(int(chat_id), chat_type)
    given = body.get("user") or {}
    base = chat.user or default_user(chat_id if chat.is_private else abs(chat_id))
    chat.user = base | {k: v for k, v in given.items() if v is not None}
    return chat


def user_sends(world: World, chat_id: int, body: dict) -> dict:
    """A user writes (or edits) a message; the bot gets message/edited_message/channel_post."""
    chat = sender(world, chat_id, body)
    user = dict(chat.user or {})
    kind, fields = compose(world, user, body)
    now = int(world.now())
    edit_of = body.get("edit_of")
    if edit_of is not None:
        stored = chat.messages.get(int(edit_of))
        if stored is None and world.config.record_messages:
            raise SandboxError(f"message {edit_of} is not in chat {chat_id}", 404)
        if stored is not None and stored.from_bot:
            raise SandboxError("users can only edit their own messages")
        message_id, date = int(edit_of), stored.data["date"] if stored else now
    else:
        message_id, date = chat.take_message_id(), now
    data: dict = {"message_id": message_id}
    if chat.type == "channel":
        data["sender_chat"] = chat.telegram()
    else:
        data["from"] = user
    data |= {"chat": chat.telegram(), "date": date, **fields}
    reply_to = body.get("reply_to")
    if reply_to is not None and int(reply_to) in chat.messages:
        data["reply_to_message"] = dict(chat.messages[int(reply_to)].data)
    if edit_of is not None:
        data["edit_date"] = now
    stored = StoredMessage(message_id, False, kind, data, edited=edit_of is not None)
    world.add_message(chat, stored)
    update_kind = "channel_post" if chat.type == "channel" else "message"
    if edit_of is not None:
        update_kind = f"edited_{update_kind}"
    update_id = world.push_update(update_kind, data)
    return {"message": data, "update_id": update_id, "seq": chat.seq}


def _inline_buttons(message: StoredMessage) -> list[dict]:
    markup = message.markup or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def _find_button(chat: Chat, label: str) -> tuple[StoredMessage, dict] | None:
    wanted = label.strip().casefold()
    for message in reversed(chat.messages.values()):
        if not message.from_bot:
            continue
        for button in _inline_buttons(message):
            if button.get("callback_data") == label or button["text"].strip().casefold() == wanted:
                return message, button
    return None


def _reply_keyboard_has(chat: Chat, label: str) -> bool:
    rows = (chat.keyboard or {}).get("keyboard", [])
    labels = [b if isinstance(b, str) else b.get("text") for row in rows for b in row]
    return label in labels


def user_presses(world: World, chat_id: int, body: dict) -> dict:
    """A user presses an inline button (callback_query) or a reply-keyboard button (text)."""
    chat = world.chats.get(int(chat_id))
    if chat is None:
        raise SandboxError(f"chat {chat_id} has no messages", 404)
    sender(world, chat.id, body | {"chat_type": chat.type})
    message_id, data = body.get("message_id"), body.get("data")
    if data is None:
        label = str(body.get("text") or "")
        found = _find_button(chat, label)
        if found is None:
            if _reply_keyboard_has(chat, label):
                return user_sends(world, chat.id, {"text": label}) | {"via": "reply_keyboard"}
            raise SandboxError(f"no button {label!r} in chat {chat_id}", 404)
        message, button = found
        if "callback_data" not in button:
            raise SandboxError(f"button {label!r} has no callback data (it opens {button})")
        message_id, data = message.message_id, button["callback_data"]
    elif message_id is None:
        newest = next((m for m in reversed(chat.messages.values()) if _inline_buttons(m)), None)
        if newest is None:
            raise SandboxError("say which message_id the button is on")
        message_id = newest.message_id
    stored = chat.messages.get(int(message_id))
    # A snapshot, so a later edit does not change what this update said; date 0 marks an
    # inaccessible message, as on Telegram.
    message = dict(stored.data) if stored else {"chat": chat.telegram(), "date": 0}
    message["message_id"] = int(message_id)
    query_id = world.new_callback_id()
    world.callback_queries[query_id] = {
        "chat_id": chat.id,
        "message_id": int(message_id),
        "data": str(data),
    }
    query = {
        "id": query_id,
        "from": chat.user,
        "message": message,
        "chat_instance": str(chat.id),
        "data": str(data),
    }
    update_id = world.push_update("callback_query", query)
    return {
        "callback_query_id": query_id,
        "message_id": int(message_id),
        "data": str(data),
        "update_id": update_id,
        "seq": chat.seq,
    }


def view(message: StoredMessage) -> dict:
    """A message as the sandbox API shows it: who sent it and what the user sees."""
    data = message.data
    shown: dict = {
        "message_id": message.message_id,
        "from": "bot" if message.from_bot else "user",
        "kind": message.kind,
        "date": data["date"],
        "edited": message.edited,
        "seq": message.seq,
    }
    for key in ("text", "caption", "location", "contact", "link_preview_options"):
        if key in data:
            shown[key] = data[key]
    entities = data.get("entities") or data.get("caption_entities")
    if entities:
        shown["entities"] = entities
    if message.parse_mode:
        shown |= {"parse_mode": message.parse_mode, "source": message.source}
    if message.markup is not None:
        shown["reply_markup"] = message.markup
    if message.kind == "photo":
        largest = data["photo"][-1]
        shown |= {k: largest[k] for k in ("file_id", "width", "height", "file_size")}
    elif message.kind in _MEDIA_KINDS:
        media = data[message.kind]
        shown |= {k: media[k] for k in ("file_id", "file_name", "mime_type") if k in media}
    if "reply_to_message" in data:
        shown["reply_to"] = data["reply_to_message"]["message_id"]
    return shown
