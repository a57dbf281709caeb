"""Library Markdown to Telegram: the HTML subset Telegram accepts, cut into message-sized chunks.

A page body is parsed with markdown-it into blocks (paragraphs, list items, headings), each a row
of styled text runs. Chunks are cut between blocks; a block too long for one message is cut between
sentences, then between words. Every run is rendered with its own opening and closing tags, so any
cut leaves each chunk's HTML balanced and no cut ever falls inside a tag or an entity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from core.i18n import isolate

BULLET = "• "
# The commonmark preset keeps raw HTML as html_* tokens: the renderer shows it as text and
# `body_problems` reports it, instead of it vanishing silently.
_MARKDOWN = MarkdownIt("commonmark")
_SENTENCE_END = re.compile(r"(?<=[.!?؟।።…])[\"'”’»)]*\s+")
_SPACE = re.compile(r"\s+")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)
_BRACKET = re.compile(r"([()\[\]])")


@dataclass(frozen=True)
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Block:
    """One paragraph, list item or heading.

    `tight` joins it to the previous block with one newline instead of a blank line;
    `keep_with_next` keeps it in the same chunk as the block after it (headings, footer lines).
    """

    runs: tuple[Run, ...]
    prefix: str = ""
    tight: bool = False
    keep_with_next: bool = False


def body_problems(body: str) -> list[str]:
    """What in a page body breaks the library's Markdown rules (empty list when none)."""
    if not body.strip():
        return ["the body is empty"]
    problems: list[str] = []
    for token in _walk(_MARKDOWN.parse(body)):
        if token.type in ("html_block", "html_inline"):
            problems.append(f"raw HTML is not allowed: {token.content.strip()[:40]!r}")
        elif token.type == "heading_open" and int(token.tag[1:]) > 2:
            problems.append(f"headings deeper than '## ' are not allowed ({token.markup} …)")
        elif token.type == "image":
            problems.append("images are not supported")
        elif token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            if not href.startswith("https://"):
                problems.append(f"link target {href!r} is not an https:// URL")
    if _TABLE_ROW.search(body):
        problems.append("tables are not supported")
    return problems


@lru_cache(maxsize=256)
def parse_blocks(body: str) -> tuple[Block, ...]:
    """The body's blocks in reading order."""
    blocks: list[Block] = []
    lists: list[list[int]] = []  # per open list: [is ordered, next number]
    item_prefix: str | None = None
    first_item = True  # the first item of a top-level list is set off by a blank line
    tokens = _MARKDOWN.parse(body)
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrs.get("start", 1) or 1)])
            first_item = first_item or len(lists) == 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            item_prefix = "  " * (len(lists) - 1) + (f"{number}. " if ordered else BULLET)
            lists[-1][1] = number + 1
        elif kind == "inline" and tokens[i - 1].type in ("paragraph_open", "heading_open"):
            heading = tokens[i - 1].type == "heading_open"
            runs = _runs(token.children or [], bold=heading)
            if not lists:
                blocks.append(Block(runs, keep_with_next=heading))
            elif item_prefix is not None:
                blocks.append(Block(runs, item_prefix, tight=not first_item))
                item_prefix, first_item = None, False
            else:  # a later paragraph of the same item
                blocks.append(Block(runs, "  " * len(lists), tight=True))
        elif kind in ("fence", "code_block", "html_block") and token.content.strip():
            blocks.append(Block((Run(token.content.rstrip("\n")),)))
    return tuple(b for b in blocks if b.runs)


def isolate_between_brackets(text: str) -> str:
    """`core.i18n.isolate`, applied to the text between brackets.

    core's pattern lets a Latin run swallow a closing bracket ("2023)"), which then sits inside
    the isolate, cannot pair with its opening bracket and shows the wrong way round in Arabic.
    Keeping brackets outside the isolates lets the bidi algorithm pair and mirror them.
    """
    return "".join(
        part if _BRACKET.fullmatch(part) else isolate(part) for part in _BRACKET.split(text)
    )


def render_runs(runs: Iterable[Run], rtl: bool) -> str:
    """Telegram HTML for runs; right-to-left text gets its Latin and number runs isolated."""
    out: list[str] = []
    for run in runs:
        html = escape(isolate_between_brackets(run.text) if rtl else run.text, quote=False)
        if run.italic:
            html = f"<i>{html}</i>"
        if run.bold:
            html = f"<b>{html}</b>"
        if run.href:
            html = f'<a href="{escape(run.href, quote=True)}">{html}</a>'
        out.append(html)
    return "".join(out)


def chunk_blocks(blocks: Sequence[Block], max_len: int, rtl: bool) -> list[str]:
    """Pack blocks into Telegram messages of at most `max_len` characters each."""
    pieces = [_pieces(block, max_len, rtl) for block in blocks]
    chunks: list[str] = []
    current = ""
    for i, block in enumerate(blocks):
        separator = "\n" if block.tight else "\n\n"
        if current and block.keep_with_next:
            # Start a new chunk rather than leave a heading (or a footer line) at the bottom.
            if len(current) + len(separator) + _kept_length(blocks, pieces, i, max_len) > max_len:
                chunks.append(current)
                current = ""
        for n, piece in enumerate(pieces[i]):
            joiner = separator if n == 0 else " "
            if current and len(current) + len(joiner) + len(piece) <= max_len:
                current += joiner + piece
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _kept_length(blocks: Sequence[Block], pieces: Sequence[list[str]], i: int, limit: int) -> int:
    """Length of block i with the blocks it keeps with; just the next one if all would not fit."""
    total, j = len(pieces[i][0]), i
    while blocks[j].keep_with_next and j + 1 < len(blocks):
        j += 1
        total += (1 if blocks[j].tight else 2) + len(pieces[j][0])
        if j == i + 1:
            pair = total
    return total if total <= limit or j == i else pair


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _runs(children: Sequence[Token], bold: bool = False) -> tuple[Run, ...]:
    runs: list[Run] = []
    strong, emphasis, href = int(bold), 0, None

    def add(text: str) -> None:
        run = Run(text, strong > 0, emphasis > 0, href)
        last = runs[-1] if runs else None
        if last and (last.bold, last.italic, last.href) == (run.bold, run.italic, run.href):
            runs[-1] = Run(last.text + text, run.bold, run.italic, run.href)
        elif text:
            runs.append(run)

    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline"):
            add(child.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "image":
            add(child.content)
        elif kind in ("strong_open", "strong_close"):
            strong += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            emphasis += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            href = str(child.attrs.get("href", "")) or None
        elif kind == "link_close":
            href = None
    return tuple(runs)


def _slice(runs: Sequence[Run], start: int, end: int) -> list[Run]:
    """The runs covering characters [start, end) of their joined text, trimmed of edge spaces."""
    out: list[Run] = []
    offset = 0
    for run in runs:
        lo, hi = max(start, offset), min(end, offset + len(run.text))
        if lo < hi:
            out.append(Run(run.text[lo - offset : hi - offset], run.bold, run.italic, run.href))
        offset += len(run.text)
    if out:
        out[0] = Run(out[0].text.lstrip(), out[0].bold, out[0].italic, out[0].href)
        out[-1] = Run(out[-1].text.rstrip(), out[-1].bold, out[-1].italic, out[-1].href)
    return [r for r in out if r.text]


def _pieces(block: Block, max_len: int, rtl: bool) -> list[str]:
    """The block as one string, or cut into several that each fit in `max_len`."""
    whole = block.prefix + render_runs(block.runs, rtl)
    if len(whole) <= max_len:
        return [whole]
    text = "".join(run.text for run in block.runs)
    sentence_cuts = [m.end() for m in _SENTENCE_END.finditer(text)]
    word_cuts = [m.end() for m in _SPACE.finditer(text)]
    pieces: list[str] = []
    start, prefix = 0, block.prefix
    while start < len(text):

        def rendered(end: int, start: int = start, prefix: str = prefix) -> str:
            return prefix + render_runs(_slice(block.runs, start, end), rtl)

        def fits(end: int, rendered: Callable[[int], str] = rendered) -> bool:
            return len(rendered(end)) <= max_len

        if fits(len(text)):
            end = len(text)
        else:
            end = (
                _last_fitting([c for c in sentence_cuts if c > start], fits)
                or _last_fitting([c for c in word_cuts if c > start], fits)
                or _last_fitting(list(range(start + 1, len(text))), fits)
            )
            if end is None:
                raise ValueError(f"max_len={max_len} is too small for a single character")
        piece = rendered(end)
        if piece.strip():
            pieces.append(piece)
        start, prefix = end, ""
    return pieces


def _last_fitting(cuts: list[int], fits: Callable[[int], bool]) -> int | None:
    """The largest cut that fits; rendered length only grows with the cut, so bisect."""
    lo, hi, best = 0, len(cuts) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(cuts[mid]):
            best, lo = cuts[mid], mid + 1
        else:
            hi = mid - 1
    return best
