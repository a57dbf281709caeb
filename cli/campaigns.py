"""`aman campaigns …`: list, create from YAML, submit, approve, schedule, pause, resume, cancel
and show a campaign's progress. Who acts is named with --as USERNAME (audit-logged)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from tortoise.transactions import in_transaction

from campaigns import audiences, lifecycle
from campaigns.models import Campaign, ScheduleKind, Variant
from campaigns.outbox import state_counts
from core.db import close_db, init_db
from core.models import Organisation, StaffMember

ACTIONS = ("submit", "approve", "schedule", "pause", "resume", "cancel")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaigns", help="awareness campaigns")
    commands = parser.add_subparsers(dest="campaigns_command", metavar="ACTION", required=True)
    commands.add_parser("list", help="all campaigns and their states").set_defaults(handler=_list)
    create = commands.add_parser("create", help="create a draft from a YAML file")
    create.add_argument("file", type=Path)
    create.add_argument("--as", dest="actor", required=True, help="author's username")
    create.set_defaults(handler=_create)
    for action in ACTIONS:
        command = commands.add_parser(action, help=f"{action} a campaign")
        command.add_argument("id", type=int)
        command.add_argument(
            "--as", dest="actor", required=action in ("submit", "approve"), help="staff username"
        )
        command.set_defaults(handler=_transition, action=action)
    show = commands.add_parser("show", help="a campaign's progress")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_show)


class Problem(Exception):
    """Something the person typed does not fit; the message says what, without a traceback."""


def _run(work: Callable[[], Awaitable[int]]) -> int:
    async def wrapped() -> int:
        await init_db()
        try:
            return await work()
        finally:
            await close_db()

    try:
        return asyncio.run(wrapped())
    except Problem as problem:
        print(f"aman campaigns: {problem}", file=sys.stderr)
        return 1


async def _campaign(campaign_id: int) -> Campaign:
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        raise Problem(f"there is no campaign {campaign_id} (see `aman campaigns list`)")
    return campaign


def _list(args: argparse.Namespace) -> int:
    async def work() -> int:
        found = await Campaign.all().order_by("id")
        for c in found:
            print(f"{c.id:>5}  {c.state:<10} {c.schedule_kind:<9} {c.name}")
        if not found:
            print("no campaigns yet: create one with `aman campaigns create FILE.yaml --as USER`")
        return 0

    return _run(work)


async def _staff(username: str | None) -> StaffMember | None:
    if not username:
        return None
    member = await StaffMember.get_or_none(username=username)
    if member is None:
        raise Problem(f"there is no staff member {username!r} (see `aman staff add`)")
    return member


def _read_spec(path: Path) -> dict[str, Any]:
    """The campaign file, checked for what `create` needs before anything is written."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise Problem(f"cannot read {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise Problem(f"{path} is not valid YAML: {error}") from error
    if not isinstance(spec, dict) or not spec.get("name"):
        raise Problem(f"{path}: a campaign needs at least a `name` and `variants`")
    variants = spec.get("variants")
    if not isinstance(variants, list) or not variants:
        raise Problem(f"{path}: a campaign needs at least one variant (language and text)")
    for number, variant in enumerate(variants, start=1):
        if not isinstance(variant, dict) or not variant.get("language") or not variant.get("text"):
            raise Problem(f"{path}: variant {number} needs a `language` and a `text`")
    kind = (spec.get("schedule") or {}).get("kind", "now")
    if kind not in {k.value for k in ScheduleKind}:
        raise Problem(f"{path}: unknown schedule kind {kind!r}")
    if spec.get("expires_at"):
        try:
            datetime.fromisoformat(str(spec["expires_at"]))
        except ValueError as error:
            raise Problem(f"{path}: expires_at is not an ISO date and time") from error
    return spec


def _create(args: argparse.Namespace) -> int:
    async def work() -> int:
        spec = _read_spec(args.file)
        author = await _staff(args.actor)
        async with in_transaction():
            campaign = await _store(spec, author)
        count = await audiences.count(campaign.audience)
        print(f"campaign {campaign.id} created as a draft; audience now: {count} subscribers")
        return 0

    return _run(work)


async def _store(spec: dict[str, Any], author: StaffMember | None) -> Campaign:
    org = None
    if spec.get("organisation"):
        org, _ = await Organisation.get_or_create(name=spec["organisation"])
    schedule = spec.get("schedule") or {}
    expires = spec.get("expires_at")
    campaign = await Campaign.create(
        name=spec["name"],
        organisation=org,
        author=author,
        schedule_kind=ScheduleKind(schedule.get("kind", "now")),
        schedule_params={k: v for k, v in schedule.items() if k != "kind"},
        timezone=spec.get("timezone", "UTC"),
        quiet_hours=spec.get("quiet_hours", True),
        expires_at=datetime.fromisoformat(str(expires)) if expires else None,
        channels=spec.get("channels") or {"dm": True},
        audience=spec.get("audience") or {},
        default_language=spec.get("default_language", "en"),
    )
    for variant in spec["variants"]:
        await Variant.create(
            campaign=campaign,
            language=variant["language"],
            step=variant.get("step", 0),
            text=variant["text"],
            image_path=variant.get("image"),
            document_path=variant.get("document"),
            buttons=variant.get("buttons", []),
        )
    return campaign


def _transition(args: argparse.Namespace) -> int:
    async def work() -> int:
        campaign = await _campaign(args.id)
        staff = await _staff(args.actor)
        try:
            await getattr(lifecycle, args.action)(campaign, staff)
        except lifecycle.TransitionRefused as refused:
            print(f"refused: {refused}")
            return 1
        print(f"campaign {campaign.id} is now {campaign.state}")
        return 0

    return _run(work)


def progress_bar(done: int, total: int, width: int = 40) -> str:
    filled = int(width * done / total) if total else width
    percent = 100.0 * done / total if total else 100.0
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({percent:.1f}%)"


def _show(args: argparse.Namespace) -> int:
    async def work() -> int:
        campaign = await _campaign(args.id)
        counts = await state_counts(campaign.id)
        total = sum(counts.values())
        done = total - counts.get("queued", 0) - counts.get("sending", 0)
        print(f"{campaign.id}: {campaign.name} — {campaign.state}")
        print(f"audience: {audiences.describe(campaign.audience)}")
        print(progress_bar(done, total))
        for state, n in sorted(counts.items()):
            print(f"  {state:<8} {n}")
        return 0

    return _run(work)
