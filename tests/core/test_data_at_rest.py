"""What the files under AMAN_DATA_DIR give away to someone who reads them: nothing Aman has
deleted, nothing another account on the server may read, and no secret Aman made up when the
operator should have given one."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

import core.db
from core import crypto
from core.db import close_db, forget_deleted, forget_deleted_soon, init_db, sqlite_path
from core.models import ChatProfile
from core.settings import SECRET_FILE, get_settings, reset_settings
from tests.e2e.story import eventually
from tips.models import Draft

AMAN = Path(sys.executable).with_name("aman")
LAYLA = 7_654_321
A_REAL_LOOKING_TOKEN = "5123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


def _on_disk(database: Path) -> bytes:
    """Every byte of the database's files, as someone copying the folder would get them."""
    return b"".join(
        p.read_bytes() for p in (database, database.with_name(database.name + "-wal")) if p.exists()
    )


async def _a_sent_report_leaves_its_draft_behind() -> tuple[bytes, bytes]:
    """Layla writes a report (her draft sealed at rest, her chat's profile), sends it, and both
    rows are deleted; returns what must not survive: the sealed draft and her chat key."""
    chat_key = crypto.blind_index("chat", LAYLA)
    sealed = crypto.seal_at_rest(b'{"where": "Zarzis", "when": "tonight"}')
    await ChatProfile.create(chat_key=chat_key, language="ar", country="TN")
    await Draft.create(
        chat_key=chat_key, state="review", sealed=sealed,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )  # fmt: skip
    await Draft.filter(chat_key=chat_key).delete()
    await ChatProfile.filter(chat_key=chat_key).delete()
    return sealed, chat_key.encode()


async def test_deleted_rows_leave_no_bytes_in_sqlite_files(db):
    database = sqlite_path(db)
    if database is None:
        pytest.skip("PostgreSQL keeps dead rows until VACUUM; the README says how to purge them")
    sealed, chat_key = await _a_sent_report_leaves_its_draft_behind()
    assert sealed in _on_disk(database)  # written, deleted, and still there

    await forget_deleted()

    on_disk = _on_disk(database)
    assert sealed not in on_disk and chat_key not in on_disk
    assert sealed[:16] not in on_disk  # not even a piece of it


async def test_deleted_rows_are_soon_forgotten_without_waiting_for_them(db):
    database = sqlite_path(db)
    if database is None:
        pytest.skip("PostgreSQL keeps dead rows until VACUUM; the README says how to purge them")
    sealed, chat_key = await _a_sent_report_leaves_its_draft_behind()

    forget_deleted_soon()  # returns at once; the bot answers Layla meanwhile

    async def forgotten() -> bool:
        on_disk = _on_disk(database)
        return sealed not in on_disk and chat_key not in on_disk

    await eventually(forgotten, within=FORGETS_WITHIN)


FORGETS_WITHIN = 5.0  # seconds: forget_deleted_soon promises about one


async def test_a_burst_of_deletions_costs_one_checkpoint(db, monkeypatch):
    checkpoints: list[None] = []
    real = core.db.forget_deleted

    async def counted() -> None:
        checkpoints.append(None)
        await real()

    monkeypatch.setattr(core.db, "forget_deleted", counted)
    for _ in range(50):
        forget_deleted_soon()

    async def done() -> bool:
        return bool(checkpoints) and not core.db._tasks

    await eventually(done, within=FORGETS_WITHIN)
    assert len(checkpoints) == 1
    forget_deleted_soon()  # a later deletion gets its own
    await eventually(lambda: _reached(checkpoints, 2), within=FORGETS_WITHIN)


async def _reached(checkpoints: list[None], count: int) -> bool:
    return len(checkpoints) >= count


async def test_forgetting_never_loses_live_rows_and_waits_its_turn(db):
    kept = await ChatProfile.create(chat_key=crypto.blind_index("chat", 1), language="fr")
    async with in_transaction():
        await ChatProfile.filter(chat_key=crypto.blind_index("chat", 2)).delete()
        await asyncio.wait_for(forget_deleted(), 5)  # inside a transaction: scheduled, not stuck
        forget_deleted_soon()
    # Many people reading at the same moment: the checkpoint takes its turn, it does not fail.
    readers = [ChatProfile.filter(language="fr").count() for _ in range(30)]
    counts = await asyncio.gather(*readers[:15], forget_deleted(), *readers[15:])
    await asyncio.gather(*core.db._tasks)
    assert counts[:15] + counts[16:] == [1] * 30
    assert (await ChatProfile.get(id=kept.id)).language == "fr"


async def test_stopping_does_what_forget_deleted_soon_promised(tmp_path):
    database = tmp_path / "own" / "aman.sqlite3"
    await init_db(f"sqlite://{database}")
    try:
        sealed, _ = await _a_sent_report_leaves_its_draft_behind()
        forget_deleted_soon()
    finally:
        await close_db()  # Aman stops before the second is up
    assert sealed not in _on_disk(database)


@pytest.mark.parametrize("secret", [None, "too-short-a-secret"], ids=["missing", "short"])
def test_real_token_without_secret_refuses_to_start(tmp_path: Path, secret: str | None):
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMAN_")}
    env.update(
        AMAN_TELEGRAM_TOKEN=A_REAL_LOOKING_TOKEN,
        AMAN_TELEGRAM_API_URL="http://127.0.0.1:9",  # nothing there: Aman must not even try
        AMAN_DATA_DIR=str(data_dir),
        PYTHONUNBUFFERED="1",
    )
    if secret is not None:
        env["AMAN_SECRET_KEY"] = secret
    ran = subprocess.run(
        [str(AMAN), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode != 0
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert "AMAN_SECRET_KEY" in lines[0] and "32 characters" in lines[0]
    assert "Traceback" not in ran.stderr + ran.stdout
    assert A_REAL_LOOKING_TOKEN.split(":")[1] not in ran.stderr + ran.stdout
    if secret is not None:
        assert secret not in ran.stderr + ran.stdout
    assert not (data_dir / SECRET_FILE).exists()
    assert not data_dir.exists()  # nothing written at all


async def test_data_files_are_private(tmp_path, monkeypatch):
    """A first run in sandbox mode with the usual umask: the folder, the generated secret, the
    database and its -wal and -shm files are the running account's alone."""
    data_dir = tmp_path / "srv" / "aman"
    monkeypatch.setenv("AMAN_DATA_DIR", str(data_dir))
    monkeypatch.delenv("AMAN_SECRET_KEY")
    reset_settings()
    crypto.use_secret(None)  # the secret comes from the settings, as in `aman run`
    umask = os.umask(0o022)
    try:
        settings = get_settings()
        assert settings.sandbox
        await init_db(settings.database)
        try:
            await ChatProfile.create(chat_key=crypto.blind_index("chat", LAYLA), language="ar")
            modes = _modes(data_dir)
        finally:
            await close_db()
    finally:
        os.umask(umask)
    assert {"aman.sqlite3", "aman.sqlite3-wal", "aman.sqlite3-shm", SECRET_FILE} <= set(modes)
    assert set(modes.values()) == {0o600}, {name: oct(mode) for name, mode in modes.items()}
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(data_dir.parent.stat().st_mode) == 0o700  # made by Aman as well


async def test_an_older_install_s_database_is_made_private(tmp_path, templates):
    database = tmp_path / "var" / "aman.sqlite3"
    database.parent.mkdir()
    shutil.copyfile(templates["sqlite"], database)
    database.chmod(0o644)
    await init_db(f"sqlite://{database}", apply_migrations=False)
    try:
        await ChatProfile.create(chat_key=crypto.blind_index("chat", LAYLA), language="ar")
        modes = _modes(database.parent)
    finally:
        await close_db()
    assert set(modes.values()) == {0o600}, {name: oct(mode) for name, mode in modes.items()}
