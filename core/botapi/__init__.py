"""Aman's local Bot API server (sandbox mode, tests, benchmarks) and its user-side client.

Start one with `await start_server()`; talk to it as a user with `SandboxClient(server.url)`.
"""

from core.botapi.client import SandboxChat, SandboxClient
from core.botapi.server import LocalBotApi, create_app, start_server

__all__ = ["LocalBotApi", "SandboxChat", "SandboxClient", "create_app", "start_server"]
