"""`aman content check`: validate the library, the help directory and the surveys before they
reach anyone (a survey's skip rule must look back, at a choice question, for one of its values).

Errors are what would break the bot or mislead a reader (bad front matter, a topic without its
English page, a link that is not https, a help entry without its source); warnings are work to do
(missing translations, translations whose English page changed since they were made, pages
awaiting a native speaker, contacts and pages not re-checked within a year).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from content.help import REGIONAL, STALE_AFTER_MONTHS, older_than, parse_help_file
from content.library import COUNTRIES, TOPICS, ContentError, Page, page_paths, parse_page
from content.surveys import check_surveys
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES

CONTENT_DIR = Path(__file__).resolve().parent


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_content(root: Path | str | None = None, today: date | None = None) -> Report:
    """Check `root`/library and `root`/help (default: the shipped content)."""
    base = Path(root or CONTENT_DIR)
    today = today or date.today()
    report = Report()
    _check_library(base / "library", base, today, report)
    _check_help(base / "help", base, today, report)
    if (base / "surveys").is_dir():
        report.errors += check_surveys(base / "surveys")
    return report


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _check_library(root: Path, base: Path, today: date, report: Report) -> None:
    if not root.is_dir():
        report.errors.append(f"{_relative(root, base)}: the library folder is missing")
        return
    for item in sorted(root.iterdir()):
        if item.name.startswith("."):
            continue
        if not item.is_dir():
            report.errors.append(f"{_relative(item, base)}: only topic folders belong here")
        elif item.name not in TOPICS:
            report.errors.append(f"{_relative(item, base)}: unknown topic '{item.name}'")
        else:
            for stray in sorted(p for p in item.iterdir() if p.suffix != ".md"):
                if not stray.name.startswith("."):
                    report.errors.append(f"{_relative(stray, base)}: not a <lang>.md page")

    pages: dict[str, dict[str, Page]] = defaultdict(dict)
    for path in page_paths(root):
        name = _relative(path, base)
        try:
            page = parse_page(path)
        except ContentError as error:
            report.errors += [f"{name}: {problem}" for problem in error.problems]
            continue
        pages[page.topic][page.lang] = page
        if page.needs_native_review:
            report.warnings.append(f"{name}: awaits a native speaker's review")
        if older_than(page.reviewed_on, today):
            report.warnings.append(
                f"{name}: last reviewed {page.reviewed_on}, over {STALE_AFTER_MONTHS} months ago"
            )

    for topic in TOPICS:
        # Each page's order is checked against TOPICS, so languages of a topic cannot disagree.
        if "en" not in pages.get(topic, {}) and not (root / topic / "en.md").exists():
            report.errors.append(f"library/{topic}: the English page en.md is missing")
        missing = [lang for lang in LANGUAGES if not (root / topic / f"{lang}.md").exists()]
        if missing:
            report.warnings.append(f"library/{topic}: no translation yet in {', '.join(missing)}")
        _check_revisions(pages.get(topic, {}), report)


def _check_revisions(languages: dict[str, Page], report: Report) -> None:
    """Warn about translations made from an older English page, or that do not say which."""
    source = languages.get(DEFAULT_LANGUAGE)
    if source is None:
        return
    for lang, page in sorted(languages.items()):
        if lang == DEFAULT_LANGUAGE:
            continue
        name = f"library/{page.topic}/{lang}.md"
        if page.source_revision is None:
            report.warnings.append(
                f'{name}: records no source_revision; the English page is at "{source.revision}"'
            )
        elif page.source_revision != source.revision:
            report.warnings.append(
                f'{name}: outdated: translates revision "{page.source_revision}" of en.md, '
                f'which is now at "{source.revision}"'
            )


def _check_help(root: Path, base: Path, today: date, report: Report) -> None:
    if not root.is_dir():
        report.errors.append(f"{_relative(root, base)}: the help folder is missing")
        return
    expected = {f"{code}.yaml" for code in COUNTRIES} | {f"{REGIONAL}.yaml"}
    present = {path.name for path in root.glob("*.yaml")}
    report.errors += [f"help/{name}: missing" for name in sorted(expected - present)]

    owner: dict[str, str] = {}
    for path in sorted(root.glob("*.yaml")):
        name = _relative(path, base)
        try:
            entries = parse_help_file(path)
        except ContentError as error:
            report.errors += [f"{name}: {problem}" for problem in error.problems]
            continue
        for entry in entries:
            if entry.id in owner:
                report.errors.append(
                    f"{name}: entry id '{entry.id}' is already used in {owner[entry.id]}"
                )
            owner.setdefault(entry.id, name)
            if entry.is_stale(today):
                shown = "public" if entry.verified else "hidden"
                report.warnings.append(
                    f"{name}: {entry.id} ({shown}) last verified {entry.verified_on}, "
                    f"over {STALE_AFTER_MONTHS} months ago: stale"
                )


def format_report(report: Report) -> str:
    lines: list[str] = []
    if report.errors:
        lines.append(f"Errors ({len(report.errors)}):")
        lines += [f"  ✗ {error}" for error in report.errors]
    if report.warnings:
        lines.append(f"Warnings ({len(report.warnings)}):")
        lines += [f"  ! {warning}" for warning in report.warnings]
    verdict = "FAILED" if report.errors else "OK"
    lines.append(f"{verdict}: {len(report.errors)} errors, {len(report.warnings)} warnings.")
    return "\n".join(lines)


def main_check(argv: Sequence[str] | None = None) -> int:
    """Entry point of `aman content check`: print the report, return 1 on errors, else 0."""
    parser = argparse.ArgumentParser(
        prog="aman content check",
        description="Validate the awareness library and the help directory.",
    )
    parser.add_argument("--root", type=Path, default=None, help="content folder to check")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    args = parser.parse_args(list(argv) if argv is not None else None)
    report = check_content(args.root, args.today)
    print(format_report(report))
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main_check())
