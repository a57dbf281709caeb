"""A variant's text as Telegram reads it: the HTML subset Telegram accepts (anything else is a
problem to report before sending, never something to send), its length as Telegram counts it
(after the tags, 4096 for a message, 1024 for a media caption), and a safe HTML preview of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape, unescape

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Telegram's tags, each with the browser tag the preview shows it as.
TAGS = {
    "b": "strong",
    "strong": "strong",
    "i": "em",
    "em": "em",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "tg-spoiler": "span",
    "span": "span",
    "a": "a",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_HREF = re.compile(r"""href\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_CLASS = re.compile(r"""class\s*=\s*["']?tg-spoiler["']?""", re.IGNORECASE)
_SAFE_LINK = re.compile(r"^(https?://|tg://)", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """What Telegram would refuse: `code` names the kind, `detail` the tag or the numbers."""

    code: str  # "tag" | "lt" | "unclosed" | "unmatched" | "too_long" | "empty"
    detail: str = ""
    limit: int = 0
    length: int = 0


def _tokens(source: str) -> list[tuple[str, str, str, str]]:
    """("text", raw, "", "") and ("open"/"close", raw, name, attributes) in order."""
    tokens, position = [], 0
    for match in _TAG.finditer(source):
        if match.start() > position:
            tokens.append(("text", source[position : match.start()], "", ""))
        kind = "close" if match.group(1) else "open"
        tokens.append((kind, match.group(0), match.group(2).lower(), match.group(3)))
        position = match.end()
    if position < len(source):
        tokens.append(("text", source[position:], "", ""))
    return tokens


def plain_text(source: str) -> str:
    """The text a reader sees, tags removed and entities decoded."""
    return "".join(unescape(raw) for kind, raw, _n, _a in _tokens(source) if kind == "text")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def problems(source: str, *, media: bool = False) -> list[Problem]:
    """Why Telegram would refuse this text (empty when it would take it)."""
    found: list[Problem] = []
    stack: list[str] = []
    for kind, raw, name, attributes in _tokens(source):
        if kind == "text":
            if "<" in raw:
                found.append(Problem("lt"))
            continue
        if name not in TAGS or (name == "span" and not _CLASS.search(attributes)):
            found.append(Problem("tag", name))
        elif kind == "open":
            stack.append(name)
        elif not stack or stack[-1] != name:
            found.append(Problem("unmatched", name))
        else:
            stack.pop()
    found += [Problem("unclosed", name) for name in stack]
    text = plain_text(source)
    if not text.strip():
        found.append(Problem("empty"))
    limit = CAPTION_LIMIT if media else TEXT_LIMIT
    if utf16_length(text) > limit:
        found.append(Problem("too_long", limit=limit, length=utf16_length(text)))
    return found


def preview_html(source: str) -> str:
    """Browser HTML of the text as Telegram would show it: allowed tags become their browser
    equivalent without any attribute but a safe link; everything else is shown as text."""
    out: list[str] = []
    stack: list[str] = []
    for kind, raw, name, attributes in _tokens(source):
        if kind == "text" or name not in TAGS:
            out.append(escape(unescape(raw), quote=False))
        elif kind == "open":
            shown = TAGS[name]
            stack.append(shown)
            if shown == "a":
                href = _HREF.search(attributes)
                url = next((g for g in href.groups()[1:] if g), "") if href else ""
                safe = _SAFE_LINK.match(url)
                out.append(f'<a href="{escape(url)}" rel="noopener">' if safe else "<a>")
            elif name in ("tg-spoiler", "span"):
                out.append('<span class="spoiler" tabindex="0">')
            else:
                out.append(f"<{shown}>")
        elif stack and stack[-1] == TAGS[name]:
            out.append(f"</{stack.pop()}>")
    out += [f"</{shown}>" for shown in reversed(stack)]
    return "".join(out)
