"""Checks a chunk the way Telegram's HTML parse mode would: allowed tags, balance, entities."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED_TAGS = {"b", "i", "a"}
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27|#39);")


class TelegramHTML(HTMLParser):
    """Parses one chunk the way Telegram's HTML mode would refuse it: unknown or unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        if tag == "a" and not any(k == "href" and v for k, v in attrs):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_problems(chunk: str) -> list[str]:
    parser = TelegramHTML()
    parser.feed(chunk)
    parser.close()
    problems = list(parser.problems)
    if parser.stack:
        problems.append(f"unclosed tags {parser.stack}")
    if "&" in _ENTITY.sub("", chunk):
        problems.append("a bare '&' that is not an entity")
    return problems


def visible_text(chunk: str) -> str:
    parser = TelegramHTML()
    parser.feed(chunk)
    parser.close()
    return "".join(parser.text)
