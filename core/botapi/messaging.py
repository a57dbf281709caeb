"""Bot API methods that put messages into chats or change them: send, edit, delete, answer
callback queries and chat actions, with Telegram's validation and error texts.
"""

from core.botapi.files import fetch_url, media_input
from core.botapi.formatting import apply_parse_mode
from core.botapi.params import ApiError, Params, Upload, bad_request
from core.botapi.state import Chat, StoredMessage, World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
DELETE_WINDOW = 48 * 3600
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


def _target(world: World, params: Params, *, create: bool = True) -> Chat:
    chat = world.bot_chat(params.chat_id(), create=create)
    world.check_reachable(chat)
    return chat


def _formatted(
    params: Params, key: str, entities_key: str, limit: int, *, required: bool
) -> tuple[dict, str | None, str | None]:
    """Message fields for a text or caption, plus the source and parse mode to remember."""
    source = params.string(key)
    if source is None or not source.strip():
        if required:
            raise bad_request("message text is empty")
        return {}, None, None
    parse_mode = params.string("parse_mode")
    text, entities = apply_parse_mode(
        source, parse_mode, params.structured(entities_key, "entities")
    )
    if required and not text.strip():
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    fields: dict = {key: text}
    if entities:
        fields[entities_key] = entities
    return fields, (source if parse_mode else None), parse_mode


def _markup(params: Params, *, inline_only: bool = False) -> tuple[dict | None, dict | None]:
    """The reply_markup as sent, and the part Telegram echoes in Message (inline only)."""
    markup = params.structured("reply_markup", "reply keyboard markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        for row in markup["inline_keyboard"]:
            for button in row:
                _check_button(button)
        return markup, markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if not ({"keyboard", "remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup, None


def _check_button(button: dict) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= 64:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")


def _common_fields(world: World, chat: Chat, params: Params, inline: dict | None) -> dict:
    fields: dict = {}
    if inline is not None:
        fields["reply_markup"] = inline
    preview = params.structured("link_preview_options")
    if params.flag("disable_web_page_preview"):
        preview = {"is_disabled": True}
    if preview:
        fields["link_preview_options"] = preview
    reply = params.structured("reply_parameters") or {}
    reply_id = reply.get("message_id") or params.integer("reply_to_message_id")
    if reply_id:
        replied = chat.messages.get(int(reply_id))
        if replied is not None:
            fields["reply_to_message"] = dict(replied.data)
        elif world.config.record_messages and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
    return fields


def _deliver(
    world: World,
    chat: Chat,
    kind: str,
    fields: dict,
    source: str | None,
    mode: str | None,
    markup: dict | None,
) -> dict:
    # Flood control comes last so that a refused call never counts against the limit.
    world.flood.admit(chat.id, chat.is_private)
    return world.bot_message(chat, kind, fields, source, mode, markup).data


async def send_message(world: World, params: Params) -> dict:
    chat = _target(world, params)
    fields, source, mode = _formatted(params, "text", "entities", TEXT_LIMIT, required=True)
    markup, inline = _markup(params)
    fields |= _common_fields(world, chat, params, inline)
    return _deliver(world, chat, "text", fields, source, mode, markup)


async def _upload_or_reference(
    world: World, params: Params, name: str
) -> tuple[Upload | None, str]:
    upload, reference = await media_input(params, name)
    if upload is None and reference is not None and reference.startswith(("http://", "https://")):
        upload = await fetch_url(reference)
    return upload, reference or ""


async def send_photo(world: World, params: Params) -> dict:
    chat = _target(world, params)
    fields, source, mode = _formatted(
        params, "caption", "caption_entities", CAPTION_LIMIT, required=False
    )
    markup, inline = _markup(params)
    upload, reference = await _upload_or_reference(world, params, "photo")
    if upload is not None:
        sizes = world.files.photo(upload.data, keep_bytes=world.config.record_messages)
    else:
        sizes = world.files.photo_sizes(reference)
        if sizes is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
    fields = {"photo": sizes, **fields, **_common_fields(world, chat, params, inline)}
    return _deliver(world, chat, "photo", fields, source, mode, markup)


async def send_document(world: World, params: Params) -> dict:
    chat = _target(world, params)
    fields, source, mode = _formatted(
        params, "caption", "caption_entities", CAPTION_LIMIT, required=False
    )
    markup, inline = _markup(params)
    upload, reference = await _upload_or_reference(world, params, "document")
    if upload is not None:
        record = world.files.add_upload("document", upload, world.config.record_messages)
    else:
        record = world.files.get(reference)
        if record is None or record.kind == "photo":
            raise bad_request("wrong file identifier/HTTP URL specified")
    fields = {
        "document": record.document(),
        **fields,
        **_common_fields(world, chat, params, inline),
    }
    return _deliver(world, chat, "document", fields, source, mode, markup)


def _editable(world: World, params: Params) -> tuple[Chat, int, StoredMessage | None]:
    if params.has("inline_message_id"):
        raise bad_request("message to edit not found")
    chat = _target(world, params, create=False)
    message_id = params.integer("message_id", required=True)
    assert message_id is not None
    message = world.find_message(chat, message_id, "message to edit not found")
    if message is not None and not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message_id, message


def _apply_edit(
    world: World, chat: Chat, message_id: int, message: StoredMessage | None, changes: dict
) -> dict:
    """Apply edited fields, refusing an edit that changes nothing, as Telegram does."""
    now = int(world.now())
    fields, keys = changes["fields"], changes["keys"]
    if message is None:  # not recorded: answer with what the bot asked for
        data = {"message_id": message_id, "from": world.bot_user(), "chat": chat.telegram()}
        data |= {"date": now, "edit_date": now}
        return data | {key: value for key, value in fields.items() if value is not None}
    current = {key: message.data.get(key) for key in keys}
    if current == {key: fields.get(key) for key in keys}:
        raise bad_request(NOT_MODIFIED)
    for key in keys:
        if fields.get(key) is None:
            message.data.pop(key, None)
        else:
            message.data[key] = fields[key]
    message.data["edit_date"] = now
    if "source" in changes:
        message.source, message.parse_mode = changes["source"], changes["parse_mode"]
    message.markup = fields.get("reply_markup")
    message.edited = True
    message.seq = chat.bump()
    return message.data


async def edit_message_text(world: World, params: Params) -> dict:
    chat, message_id, message = _editable(world, params)
    if message is not None and message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    fields, source, mode = _formatted(params, "text", "entities", TEXT_LIMIT, required=True)
    _, inline = _markup(params, inline_only=True)
    fields["reply_markup"] = inline
    keys: tuple[str, ...] = ("text", "entities", "reply_markup")
    preview = params.structured("link_preview_options")
    if preview:
        fields["link_preview_options"] = preview
        keys += ("link_preview_options",)
    changes = {"fields": fields, "keys": keys, "source": source, "parse_mode": mode}
    return _apply_edit(world, chat, message_id, message, changes)


async def edit_message_caption(world: World, params: Params) -> dict:
    chat, message_id, message = _editable(world, params)
    if message is not None and message.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    fields, source, mode = _formatted(
        params, "caption", "caption_entities", CAPTION_LIMIT, required=False
    )
    _, inline = _markup(params, inline_only=True)
    fields["reply_markup"] = inline
    keys = ("caption", "caption_entities", "reply_markup")
    changes = {"fields": fields, "keys": keys, "source": source, "parse_mode": mode}
    return _apply_edit(world, chat, message_id, message, changes)


async def edit_message_reply_markup(world: World, params: Params) -> dict:
    chat, message_id, message = _editable(world, params)
    _, inline = _markup(params, inline_only=True)
    changes = {"fields": {"reply_markup": inline}, "keys": ("reply_markup",)}
    return _apply_edit(world, chat, message_id, message, changes)


def _deletable(world: World, chat: Chat, message: StoredMessage) -> bool:
    if world.now() - message.data["date"] >= DELETE_WINDOW:
        return False
    return message.from_bot or chat.is_private or chat.bot_is_admin


async def delete_message(world: World, params: Params) -> bool:
    chat = world.bot_chat(params.chat_id(), create=False)
    message_id = params.integer("message_id", required=True)
    assert message_id is not None
    message = world.find_message(chat, message_id, "message to delete not found")
    if message is not None and not _deletable(world, chat, message):
        raise bad_request("message can't be deleted")
    world.remove_message(chat, message_id)
    return True


async def delete_messages(world: World, params: Params) -> bool:
    chat = world.bot_chat(params.chat_id(), create=False)
    ids = params.structured("message_ids", "message identifiers")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must be a list of 1 to 100 message identifiers")
    # Like Telegram, messages that are gone or too old are skipped silently.
    for message_id in ids:
        message = chat.messages.get(int(message_id))
        if message is not None and _deletable(world, chat, message):
            world.remove_message(chat, int(message_id))
    return True


async def answer_callback_query(world: World, params: Params) -> bool:
    query_id = params.string("callback_query_id", required=True)
    query = world.callback_queries.pop(query_id or "", None)
    if query is None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.string("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    chat = world.chats.get(query["chat_id"])
    if chat is not None:
        answer = {
            "callback_query_id": query_id,
            "message_id": query["message_id"],
            "data": query["data"],
            "text": text,
            "show_alert": params.flag("show_alert"),
            "url": params.string("url"),
        }
        if world.config.record_messages:
            chat.callback_answers.append(answer)
        chat.bump()
    return True


async def send_chat_action(world: World, params: Params) -> bool:
    chat = _target(world, params)
    action = params.string("action", required=True)
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.last_action = action
    return True


METHODS = {
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
}

__all__ = ["METHODS", "ApiError"]
