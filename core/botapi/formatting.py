"""Text formatting as Telegram does it: HTML parse mode into plain text plus entities, and
the entities Telegram's servers add to what users type (commands, links, mentions).

Offsets and lengths are in UTF-16 code units, as in the Bot API. The HTML parser is strict in
the places Telegram is strict, so markup that Telegram would refuse fails here too.
"""

import functools
import re
from dataclasses import dataclass, field

from core.botapi.params import ApiError

# Tag name -> entity type; "span" and "code" inside "pre" are special-cased below.
_TAG_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(r"""([a-zA-Z][\w-]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_URL = re.compile(
    r"\b(?:https?://[^\s<>\"]+"
    r"|(?:[a-zA-Z0-9-]+\.)+(?:com|org|net|info|io|me|ly|app|dev|ma|dz|tn|eg|fr|de|ru|uk|co)"
    r"(?:/[^\s<>\"]*)?)(?<![.,;:!?)])"
)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}\b")


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _parse_error(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {reason}")


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output text
    entity: dict | None
    children: list[str] = field(default_factory=list)


class _HtmlReader:
    """One pass over Telegram-flavoured HTML, building the text and its entities."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pieces: list[str] = []
        self.position = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.position += utf16_len(text)

    def run(self) -> tuple[str, list[dict]]:
        source, i, end = self.source, 0, len(self.source)
        while i < end:
            char = source[i]
            if char == "<":
                i = self.tag(i)
            elif char == "&":
                match = _CHAR_REF.match(source, i)
                if match is None:
                    self.emit("&")
                    i += 1
                else:
                    self.emit(_decode_reference(match.group(1)))
                    i = match.end()
            else:
                stop = min(
                    (j for j in (source.find("<", i), source.find("&", i)) if j != -1),
                    default=end,
                )
                self.emit(source[i:stop])
                i = stop
        if self.stack:
            raise _parse_error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.pieces), self.entities

    def tag(self, i: int) -> int:
        close = self.source.find(">", i)
        if close == -1:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(self.source, i)}")
        if self.source.startswith("</", i):
            self.end_tag(self.source[i + 2 : close].strip().lower(), i)
        else:
            self.start_tag(self.source[i + 1 : close], i)
        return close + 1

    def start_tag(self, inner: str, i: int) -> None:
        match = _TAG_NAME.match(inner)
        name = match.group(0).lower() if match else inner.split(" ")[0]
        if name not in _TAG_ENTITIES:
            raise _parse_error(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(self.source, i)}'
            )
        attributes = {
            key.lower(): (value or "").strip("\"'")
            for key, value in _ATTRIBUTE.findall(inner[len(name) :])
        }
        entity: dict | None = {"type": _TAG_ENTITIES[name]}
        parent = self.stack[-1] if self.stack else None
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise _parse_error(
                f'Unsupported start tag "span" at byte offset {_byte_offset(self.source, i)}'
            )
        if name == "a":
            entity = (
                {"type": "text_link", "url": attributes["href"]} if "href" in attributes else None
            )
        elif name == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id", "")
        elif name == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif name == "code" and parent is not None and parent.name == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            language = attributes.get("class", "")
            if language.startswith("language-") and parent.entity is not None:
                parent.entity["language"] = language.removeprefix("language-")
            entity = None
        self.stack.append(_OpenTag(name, self.position, entity))

    def end_tag(self, name: str, i: int) -> None:
        offset = _byte_offset(self.source, i)
        if not self.stack:
            raise _parse_error(f"Unexpected end tag at byte offset {offset}")
        top = self.stack.pop()
        if name and name != top.name:
            raise _parse_error(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        length = self.position - top.start
        if top.entity is not None and length > 0:
            self.entities.append({**top.entity, "offset": top.start, "length": length})


def _decode_reference(body: str) -> str:
    if body in _NAMED_CHARS:
        return _NAMED_CHARS[body]
    number = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    return chr(number) if 0 < number <= 0x10FFFF else ""


def parse_html(source: str) -> tuple[str, list[dict]]:
    """Turn an HTML-formatted message into (plain text, entities), or raise ApiError 400."""
    text, entities = _parsed(source)
    return text, [dict(entity) for entity in entities]  # callers may keep or change them


@functools.lru_cache(maxsize=256)
def _parsed(source: str) -> tuple[str, tuple[dict, ...]]:
    # A broadcast sends one text to many chats: parse it once (failures are not cached).
    text, entities = _HtmlReader(source).run()
    return text, tuple(entities)


def apply_parse_mode(
    text: str, parse_mode: str | None, entities: list[dict] | None
) -> tuple[str, list[dict]]:
    """Plain text and entities for a message as Telegram would store it.

    Only HTML is parsed; Markdown modes keep the text as sent (the bot uses HTML).
    """
    if parse_mode and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text, list(entities or [])


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram's servers add to a user's plain text: a leading command, links and
    @mentions."""
    found: list[dict] = []

    def add(kind: str, start: int, end: int) -> None:
        found.append(
            {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        )

    command = _COMMAND.match(text)
    if command:
        add("bot_command", 0, command.end())
    for match in _URL.finditer(text):
        add("url", match.start(), match.end())
    for match in _MENTION.finditer(text):
        add("mention", match.start(), match.end())
    found.sort(key=lambda e: e["offset"])
    return found
