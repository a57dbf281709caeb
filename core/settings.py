"""Aman's settings: read from the environment (prefix AMAN_) or a .env file, checked at start.

A bad setting fails at once with a message that names it, instead of surfacing later as a strange
error deep inside the bot or the sender.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_LENGTH = 32
HOW_TO_MAKE_ONE = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class Settings(BaseSettings):
    """Every knob ARCHITECTURE.md names, with its default."""

    model_config = SettingsConfigDict(env_prefix="AMAN_", env_file=".env", extra="ignore")

    database_url: str = ""
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    admin_host: str = "127.0.0.1"
    admin_port: int = Field(default=8080, ge=0, le=65535)
    # The admin is only ever reached over HTTPS (a reverse proxy ends TLS): cookies get Secure.
    admin_https: bool = False
    # A reverse proxy in front of the admin writes X-Forwarded-For and X-Forwarded-Proto: sign-in
    # limits count the address it names. Never set it without such a proxy (the header is forged).
    admin_trust_proxy: bool = False
    secret_key: str | None = None
    send_rate: float = Field(default=30.0, gt=0, le=10_000)
    data_dir: Path = Path("var")
    # Optional offline escrow: every tip key is also sealed to this Curve25519 public key
    # (64 hex characters or base64); its private key lives off the server.
    escrow_public_key: str | None = None
    # A tip still "new" (nobody acknowledged it) this long after it came in is escalated to its
    # unit's lead(s), and as long again later to the regional desk (tips.escalation). Hours, or
    # a number with a unit: "48h", "90m", "2d".
    escalate_after: timedelta = timedelta(hours=48)
    escalate_urgent_after: timedelta = timedelta(hours=2)
    # Closed tips are deleted this many days after they were closed (tips.retention).
    tip_retention_days: int = Field(default=365, ge=1, le=36_500)

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("escrow_public_key")
    @classmethod
    def _escrow_is_a_key(cls, value: str | None) -> str | None:
        if value is not None and _decode_key(value) is None:
            raise ValueError("AMAN_ESCROW_PUBLIC_KEY must be a 32-byte key in hex or base64")
        return value

    @field_validator("escalate_after", "escalate_urgent_after", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return _parse_duration(value)

    @field_validator("escalate_after", "escalate_urgent_after")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("an escalation delay must be longer than zero")
        return value

    @field_validator(
        "telegram_token", "webhook_url", "secret_key", "escrow_public_key", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def sandbox(self) -> bool:
        """No token means the bot talks to Aman's own local Bot API."""
        return not self.telegram_token

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite://{self.data_dir / 'aman.sqlite3'}"

    def escrow_key(self) -> bytes | None:
        """The escrow public key's 32 bytes, or None when no escrow is configured."""
        return _decode_key(self.escrow_public_key) if self.escrow_public_key else None

    def server_secret(self) -> bytes:
        """The server secret. With a Telegram token it must come from AMAN_SECRET_KEY; in sandbox
        mode one is generated once into the data directory (a file only this account can read).
        Raises SettingsError, whose message is one line fit to show an operator."""
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"AMAN_SECRET_KEY is too short: it needs at least {MIN_SECRET_LENGTH} "
                    f"characters ({HOW_TO_MAKE_ONE})"
                )
            return self.secret_key.encode()
        path = self.data_dir / SECRET_FILE
        if not self.sandbox:
            earlier = (
                f"; {path} from an earlier sandbox run exists: to keep reading the data sealed "
                "with it, set AMAN_SECRET_KEY to its contents"
                if path.exists()
                else ""
            )
            raise SettingsError(
                "AMAN_SECRET_KEY is not set: with AMAN_TELEGRAM_TOKEN set, Aman needs a secret "
                f"of at least {MIN_SECRET_LENGTH} characters ({HOW_TO_MAKE_ONE}){earlier}"
            )
        if not path.exists():
            private_dir(self.data_dir)
            write_private_file(path, secrets.token_urlsafe(48).encode())
        secret = path.read_bytes().strip()
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(f"{path} is damaged (too short): delete it or set AMAN_SECRET_KEY")
        return secret


class SettingsError(ValueError):
    """A setting that stops Aman from starting; its message names the setting, on one line."""


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as folders only this account may enter (0700).
    A folder that already exists is left as it is: it may be the operator's."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
    return path


def write_private_file(path: Path, data: bytes) -> bool:
    """Create `path` holding `data`, readable by this account only (0600 from the first byte:
    never a moment with looser rights). The file appears whole or not at all; if it already
    exists it is kept as it is. Returns whether this call created it."""
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    _create_exclusive(draft, data)
    try:
        os.link(draft, path)  # fails if another process created it first: theirs is used
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: create it in place instead
        try:
            _create_exclusive(path, data)
        except FileExistsError:
            return False
    finally:
        draft.unlink(missing_ok=True)
    return True


def _create_exclusive(path: Path, data: bytes) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _decode_key(text: str) -> bytes | None:
    text = text.strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        try:
            raw = base64.b64decode(text, validate=True)
        except ValueError:
            return None
    return raw if len(raw) == 32 else None


_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 3600}


def _parse_duration(value: object) -> object:
    """ "48h", "90m", "2d", "30s" or a bare number of hours as a timedelta; anything else is
    left for pydantic (an ISO 8601 duration such as "PT2H" works too)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(hours=value)
    if isinstance(value, str):
        found = _DURATION.fullmatch(value)
        if found:
            return timedelta(seconds=float(found.group(1)) * _UNIT_SECONDS[found.group(2).lower()])
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between stories)."""
    get_settings.cache_clear()
