"""Every button fits a small phone: no label, in any language, is longer than 32 characters, and
two buttons share a row only when both labels are short.

Which msgids are button labels is read from the code, not guessed from the text: every label
given to a Button in bot/ (an AST walk), the main-menu entries of every flow, and the report
questionnaire's choices and yes/no labels. A button whose label the walk cannot read fails the
test until its source is named in DYNAMIC below, so no new button escapes the check.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import bot
from bot import app, menu
from bot.keyboards import COUNTRY_NAMES, LONGEST_LABEL, SHORT_LABEL, Button, rows
from content.surveys import load_surveys
from core.i18n import LANGUAGES, LOCALES_DIR
from tips.questionnaire import YES_NO_LABELS, load

BOT_DIR = Path(bot.__file__).parent
BUTTON_CLASSES = {"Button", "InlineKeyboardButton", "KeyboardButton"}
GETTEXT_CALLS = {"_", "N_", "gettext"}
Msgid = tuple[str | None, str]  # (context, msgid)


def _menu_labels() -> list[str]:
    entries = [*menu.BUILT_IN, *menu.SETTINGS, *menu.MENU_EXTRAS]
    entries += [entry for flow in app.flows() for entry in getattr(flow, "menu_entries", ())]
    return [label for label, _data in entries]


def _choice_labels() -> list[str]:
    return [c.label for question in load().questions for c in question.choices]


def _survey_labels() -> list[str]:
    return [c.label for s in load_surveys().values() for q in s.questions for c in q.choices]


# (file in bot/, the label expression as written) -> the msgids it can show. None: the label is
# not a catalog string (a language's own name, a library page title) and is checked elsewhere.
DYNAMIC: dict[tuple[str, str], Callable[[], list[str]] | None] = {
    ("menu.py", "_(label)"): _menu_labels,
    ("report_steps.py", "_(c.label)"): _choice_labels,
    ("report_steps.py", "_(label)"): lambda: list(YES_NO_LABELS.values()),
    ("keyboards.py", "_(name)"): lambda: list(COUNTRY_NAMES.values()),
    ("keyboards.py", "name"): None,  # LANGUAGES: each name in its own script
    ("learn.py", "p.title"): None,  # content/library page titles, not in the catalogs
    ("survey.py", "_(survey.title)"): lambda: [s.title for s in load_surveys().values()],
    ("survey.py", "mark + _(c.label)"): lambda: _survey_labels(),
    ("survey.py", "_(c.label)"): lambda: _survey_labels(),
    ("survey.py", "page.title"): None,  # content/library page titles, not in the catalogs
}

# Translations known to be too long, awaiting the shorter wording proposed beside each (the lead
# applies it to locales/*.po; then the entry goes). (language, msgid) -> proposed msgstr.
AWAITING_SHORTER: dict[tuple[str, str], str] = {}


def _literal_msgids(node: ast.AST) -> Iterator[Msgid]:
    """Every _("…"), N_("…"), gettext("…") or pgettext("ctx", "…") inside `node`."""
    for call in ast.walk(node):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            continue
        texts = [a.value for a in call.args if isinstance(a, ast.Constant)]
        if call.func.id in GETTEXT_CALLS and len(texts) == 1 and isinstance(texts[0], str):
            yield None, texts[0]
        elif call.func.id == "pgettext" and len(texts) == 2:
            yield texts[0], texts[1]


def _label_of(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "text"), None)


def _is_button(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in BUTTON_CLASSES


def _assigned_msgids(scope: ast.AST, name: str) -> list[Msgid]:
    """Msgids assigned to `name` in `scope`, for `label = _("…")` then `Button(label, …)`."""
    found: list[Msgid] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found += _literal_msgids(node.value)
    return found


def button_msgids() -> tuple[set[Msgid], list[str]]:
    """The msgids shown on buttons, and the buttons whose label could not be read."""
    msgids: set[Msgid] = set()
    unread: list[str] = []
    for path in sorted(BOT_DIR.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        scopes = [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_button(n)):
            label = _label_of(call)
            written = ast.get_source_segment(source, label) if label is not None else ""
            literal = list(_literal_msgids(label)) if label is not None else []
            if literal:
                msgids.update(literal)
                continue
            if (path.name, written) in DYNAMIC:
                collect = DYNAMIC[(path.name, written)]
                msgids.update((None, m) for m in (collect() if collect else ()))
                continue
            if isinstance(label, ast.Name):
                scope = next((s for s in scopes if _within(call, s)), tree)
                if assigned := _assigned_msgids(scope, label.id):
                    msgids.update(assigned)
                    continue
            unread.append(f"bot/{path.name}:{call.lineno}: {written or '(no label)'}")
    return msgids, unread


def _within(node: ast.AST, scope: ast.AST) -> bool:
    end = scope.end_lineno or scope.lineno
    return scope.lineno <= node.lineno <= end


def catalogs() -> dict[str, Catalog]:
    found = {}
    for code in LANGUAGES:
        path = LOCALES_DIR / code / "LC_MESSAGES" / "aman.po"
        with path.open("rb") as po:
            found[code] = read_po(po, locale=code)
    return found


def shown(catalog: Catalog, msgid: Msgid) -> str:
    """What a person reads on the button: the translation, or the English msgid it falls back to."""
    context, text = msgid
    message = catalog.get(text, context=context)
    return message.string if message is not None and message.string else text


def test_every_button_label_is_found_in_the_code() -> None:
    msgids, unread = button_msgids()
    assert not unread, "buttons whose label this test cannot read; name them in DYNAMIC"
    labels = {text for _context, text in msgids}
    # The walk reaches each kind of button: literal, menu entry, questionnaire choice, yes/no.
    assert {"‹ Menu", "☎️ Get help", "📝 Report anonymously", "Something else", "Yes"} <= labels


def test_no_button_label_in_any_language_is_longer_than_32_characters() -> None:
    msgids, _unread = button_msgids()
    too_long = {}
    for code, catalog in catalogs().items():
        for msgid in msgids:
            text = shown(catalog, msgid)
            if len(text) > LONGEST_LABEL and (code, msgid[1]) not in AWAITING_SHORTER:
                too_long[(code, msgid[1])] = text
    assert not too_long, f"labels over {LONGEST_LABEL} characters: {too_long}"
    assert all(len(name) <= LONGEST_LABEL for name in LANGUAGES.values())


def test_the_shorter_wordings_awaiting_the_catalogs_fit_and_are_still_needed() -> None:
    msgids, _unread = button_msgids()
    labels = {text for _context, text in msgids}
    found = catalogs()
    for (code, msgid), proposed in AWAITING_SHORTER.items():
        assert msgid in labels, f"{msgid!r} is no longer a button label"
        assert len(proposed) <= LONGEST_LABEL, proposed
        still_long = len(shown(found[code], (None, msgid))) > LONGEST_LABEL
        assert still_long, f"{code} {msgid!r} is short now: remove it from AWAITING_SHORTER"


def test_two_buttons_share_a_row_only_when_both_labels_are_short() -> None:
    def button(label: str) -> Button:
        return Button(label, callback_data="x")

    short, other, long_ = button("📚 Learn"), button("☎️ Get help"), button("🛡 Privacy & safety")
    assert len(short.text) <= SHORT_LABEL < len(long_.text)
    laid = rows([short, other, long_, short, other, short])
    assert [[b.text for b in row] for row in laid] == [
        ["📚 Learn", "☎️ Get help"],
        ["🛡 Privacy & safety"],
        ["📚 Learn", "☎️ Get help"],
        ["📚 Learn"],
    ]
    assert rows([long_, short]) == [[long_], [short]]
    assert rows([short, other, short], width=3) == [[short, other, short]]
