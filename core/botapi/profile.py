"""Bot API methods about the bot itself and the chats it is in: getMe, commands, descriptions,
getChat and getChatMember.
"""

import json
import re
from collections.abc import Awaitable, Callable

from core.botapi.params import Params, bad_request
from core.botapi.state import Chat, World

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_TEXT_LIMITS = {"description": 512, "short_description": 120, "name": 64}

Handler = Callable[[World, Params], Awaitable[object]]


async def get_me(world: World, params: Params) -> dict:
    return world.bot_user() | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _commands_key(params: Params) -> str:
    scope = params.structured("scope", "bot command scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse bot command scope JSON object")
    language = params.string("language_code") or ""
    return json.dumps([scope, language], sort_keys=True)


async def set_my_commands(world: World, params: Params) -> bool:
    commands = params.structured("commands", "bot commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse bot commands JSON object")
    cleaned = []
    for command in commands:
        name, description = command.get("command", ""), command.get("description", "")
        if not _COMMAND.fullmatch(str(name).lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(description)) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": str(name).lower(), "description": str(description)})
    world.commands[_commands_key(params)] = cleaned
    return True


async def get_my_commands(world: World, params: Params) -> list[dict]:
    return world.commands.get(_commands_key(params), [])


async def delete_my_commands(world: World, params: Params) -> bool:
    world.commands.pop(_commands_key(params), None)
    return True


def _text_setter(field: str) -> Handler:
    async def set_text(world: World, params: Params) -> bool:
        value = params.string(field) or ""
        if len(value) > _TEXT_LIMITS[field]:
            raise bad_request(f"{field.upper()}_INVALID")
        language = params.string("language_code") or ""
        world.bot_texts[f"{field}:{language}"] = value
        return True

    return set_text


def _text_getter(field: str) -> Handler:
    async def get_text(world: World, params: Params) -> dict:
        language = params.string("language_code") or ""
        value = world.bot_texts.get(f"{field}:{language}") or world.bot_texts.get(f"{field}:")
        if field == "name" and not value:
            value = world.config.bot_name
        return {field: value or ""}

    return get_text


async def get_chat(world: World, params: Params) -> dict:
    chat = world.bot_chat(params.chat_id(), create=False)
    return chat.telegram() | {
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def _administrator(user: dict, chat: Chat) -> dict:
    rights = dict.fromkeys(
        (
            "can_manage_chat",
            "can_delete_messages",
            "can_invite_users",
            "can_post_stories",
            "can_edit_stories",
            "can_delete_stories",
        ),
        True,
    )
    rights |= dict.fromkeys(
        (
            "can_be_edited",
            "is_anonymous",
            "can_manage_video_chats",
            "can_restrict_members",
            "can_promote_members",
            "can_change_info",
        ),
        False,
    )
    if chat.type == "channel":
        rights |= {"can_post_messages": True, "can_edit_messages": True}
    else:
        rights |= {"can_pin_messages": True}
    return {"status": "administrator", "user": user} | rights


async def get_chat_member(world: World, params: Params) -> dict:
    chat = world.bot_chat(params.chat_id(), create=False)
    user_id = params.integer("user_id", required=True)
    if user_id == world.bot_id:
        if chat.bot_is_admin:
            return _administrator(world.bot_user(), chat)
        return {"status": "member", "user": world.bot_user()}
    known = chat.user if chat.user and chat.user.get("id") == user_id else None
    if known is not None:
        return {"status": "member", "user": known}
    if chat.is_private:
        raise bad_request("user not found")
    placeholder = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
    return {"status": "left", "user": placeholder}


METHODS = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _text_setter("description"),
    "getMyDescription": _text_getter("description"),
    "setMyShortDescription": _text_setter("short_description"),
    "getMyShortDescription": _text_getter("short_description"),
    "setMyName": _text_setter("name"),
    "getMyName": _text_getter("name"),
    "getChat": get_chat,
    "getChatMember": get_chat_member,
}
