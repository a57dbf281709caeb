"""The staff door: the admin web application, built by `create_app()`.

Resources live in `cleanup_ctx`, views in `admin/views/*`, pages are Jinja2 templates translated
per request. The database is opened by the process that serves this app (see `cli/serve.py`).
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from admin.auth import csrf_middleware, page_context, refusal_middleware, session_middleware
from admin.language import PAGE_CONTEXT, language_middleware
from admin.sandbox_link import SANDBOX, SandboxLink
from admin.scope import scope_middleware
from admin.security import add_security_headers
from admin.views import (
    audit,
    auth,
    export,
    health,
    home,
    inbox,
    links,
    sharing,
    simulator,
    surveys,
    telegram_link,
)

HERE = Path(__file__).resolve().parent
# Photos sent from the Simulator travel as base64 inside JSON; leave room for a phone photo.
MAX_BODY = 16 * 1024 * 1024


def create_app(*, sandbox_api: str | None = None) -> web.Application:
    """The admin application; `sandbox_api` is the local Bot API's root URL in sandbox mode."""
    # Outermost first: the language, then who is signed in, then refusals shown as pages (in
    # that language, to that member), then the CSRF check of every state-changing request, then
    # what the member's tip scope needs to know (admin.scope.prepare).
    middlewares = [
        language_middleware,
        session_middleware,
        refusal_middleware,
        csrf_middleware,
        scope_middleware,
    ]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[PAGE_CONTEXT] = page_context
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.on_response_prepare.append(add_security_headers)
    if sandbox_api:
        app[SANDBOX] = SandboxLink(sandbox_api)
        app.cleanup_ctx.append(app[SANDBOX].session_ctx)
    _routes(app)
    return app


def _routes(app: web.Application) -> None:
    app.router.add_get("/healthz", health.healthz, name="healthz")
    app.router.add_get("/", home.home, name="home")
    auth.add_routes(app)
    inbox.add_routes(app)
    export.add_routes(app)
    audit.add_routes(app)
    sharing.add_routes(app)
    links.add_routes(app)
    telegram_link.add_routes(app)
    simulator.add_routes(app)
    surveys.add_routes(app)
    app.router.add_static("/static/", HERE / "static", name="static", append_version=True)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """An access log line without the query string or the client address, which may one day
    carry personal data: `GET /simulator 200 12ms`. Pass as `access_log_class` to AppRunner."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %dms", request.method, request.path, response.status, int(time * 1000)
        )
