"""Aman's settings: read from the environment (prefix AMAN_) or a .env file, checked at start.

A bad setting fails at once with a message that names it, instead of surfacing later as a strange
error deep inside the bot or the sender.
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """Every knob ARCHITECTURE.md names, with its default."""

    model_config = SettingsConfigDict(env_prefix="AMAN_", env_file=".env", extra="ignore")

    database_url: str = ""
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    admin_host: str = "127.0.0.1"
    admin_port: int = Field(default=8080, ge=0, le=65535)
    secret_key: str | None = None
    send_rate: float = Field(default=30.0, gt=0, le=10_000)
    data_dir: Path = Path("var")
    # Optional offline escrow: every tip key is also sealed to this Curve25519 public key
    # (64 hex characters or base64); its private key lives off the server.
    escrow_public_key: str | None = None

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
        """The server secret; in development it is generated once into the data directory."""
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise ValueError("AMAN_SECRET_KEY must be at least 32 characters long")
            return self.secret_key.encode()
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()


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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between stories)."""
    get_settings.cache_clear()
