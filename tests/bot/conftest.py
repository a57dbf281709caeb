"""The bot's own tests share the e2e sandbox fixture."""

from tests.e2e.conftest import bot_options, sandbox

__all__ = ["bot_options", "sandbox"]
