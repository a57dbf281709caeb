"""python-telegram-bot's HTTP transport on aiohttp, Aman's one HTTP client library.

PTB's default httpx transport is the first throughput ceiling on a small machine (see
shared/PERFORMANCE-NOTES.md); this one keeps one pooled aiohttp session per request object.
Pass it with `ApplicationBuilder().request(AiohttpRequest()).get_updates_request(...)`.
"""

import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A `telegram.request.BaseRequest` built on one aiohttp `ClientSession`.

    Timeouts follow PTB's meaning: `connect_timeout` bounds opening a connection,
    `pool_timeout` bounds waiting for a free pooled connection (aiohttp counts both in its
    `connect` budget), `read_timeout` bounds each wait for response data. aiohttp has no
    per-write timeout, so `write_timeout` (and `media_write_timeout` for uploads) only
    enter the overall deadline, which is the sum of all four when none is None.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        has_files: bool,
    ) -> aiohttp.ClientTimeout:
        read_s = self._read_timeout if isinstance(read, DefaultValue) else read
        connect_s = self._connect_timeout if isinstance(connect, DefaultValue) else connect
        pool_s = self._pool_timeout if isinstance(pool, DefaultValue) else pool
        default_write = self._media_write_timeout if has_files else self._write_timeout
        write_s = default_write if isinstance(write, DefaultValue) else write
        parts = (read_s, write_s, connect_s, pool_s)
        total = None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]
        acquire = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect_s, sock_read=read_s
        )

    @staticmethod
    def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, dict]:
        """A JSON body for plain calls, multipart form data when files are uploaded."""
        if request_data is None:
            return None, {}
        if not request_data.contains_files:
            payload = json.dumps(request_data.parameters).encode()
            return payload, {"Content-Type": "application/json"}
        form = aiohttp.FormData()
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form, {}

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        body, headers = self._body(request_data)
        has_files = bool(request_data and request_data.contains_files)
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, has_files
        )
        headers["User-Agent"] = self.USER_AGENT
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
