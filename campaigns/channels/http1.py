"""A lean HTTP/1.1 client for one origin: POST a ready-made body over a pool of keep-alive
connections and get back the status and the body.

aiohttp's general-purpose client spends about a third of a millisecond of CPU per request
(cookies, redirects, tracing, header objects); a broadcast makes the same small POST to the
same host a thousand times a second, so the Bot API channel writes its requests here as
bytes and reads answers with a small parser. Uploads and everything else still use aiohttp.

Failures are split the way the sender needs them: `CannotConnect` means the request never
left (safe to retry), `NoAnswer` means it may have been received (never resend).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from urllib.parse import urlsplit

IDLE_SECONDS = 30.0  # close a connection idle this long rather than race the server's close
_MAX_HEAD = 64 * 1024


class CannotConnect(Exception):
    """No connection could be made: the request was not sent."""


class NoAnswer(Exception):
    """The request was (or may have been) sent but no complete answer came back."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future[tuple[int, bytes]] | None = None
        self.reusable = True
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._status = 0
        self._body_at = -1  # where the body starts in the buffer, -1 before the head is read
        self._length = -1  # Content-Length, -1 when chunked or read to the close
        self._chunked = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        if self._body_at >= 0 and self._length < 0 and not self._chunked:
            self._finish(bytes(self._buffer[self._body_at :]))  # body delimited by the close
        elif self.answer is not None and not self.answer.done():
            self.answer.set_exception(NoAnswer(f"connection closed: {exc or 'by the server'}"))

    def send(self, request: bytes) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self._buffer.clear()
        self._body_at = -1
        self.transport.write(request)
        return self.answer

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if self.answer is None or self.answer.done():
            self.close()  # bytes nobody asked for: the connection cannot be trusted
            return
        self._buffer += data
        try:
            if self._body_at < 0 and not self._read_head():
                return
            self._read_body()
        except ValueError as exc:
            self.close()
            if not self.answer.done():
                self.answer.set_exception(NoAnswer(f"malformed answer: {exc}"))

    def _read_head(self) -> bool:
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                raise ValueError("head too long")
            return False
        lines = bytes(buffer[:end]).split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ValueError("not an HTTP/1 status line")
        status = int(parts[1])
        if 100 <= status < 200:  # an interim answer: the real one follows
            del buffer[: end + 4]
            return self._read_head() if buffer else False
        length, chunked, keep = -1, False, parts[0] == b"HTTP/1.1"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep = value.strip().lower() == b"keep-alive"
        self._status, self._body_at = status, end + 4
        self._length, self._chunked = (-1 if chunked else length), chunked
        if status in (204, 304):
            self._length = 0
        self.reusable = keep and (chunked or length >= 0)
        return True

    def _read_body(self) -> None:
        if self._length >= 0:
            end = self._body_at + self._length
            if len(self._buffer) >= end:
                self._finish(bytes(self._buffer[self._body_at : end]))
        elif self._chunked:
            body = self._dechunk()
            if body is not None:
                self._finish(body)

    def _dechunk(self) -> bytes | None:
        """The whole body once every chunk is in, else None."""
        buffer, at, parts = self._buffer, self._body_at, []
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
            if size == 0:
                if buffer.find(b"\r\n\r\n", line_end) < 0 and buffer[line_end:] != b"\r\n\r\n":
                    return None  # trailers (or the final empty line) still to come
                return b"".join(parts)
            start = line_end + 2
            if len(buffer) < start + size + 2:
                return None
            parts.append(bytes(buffer[start : start + size]))
            at = start + size + 2

    def _finish(self, body: bytes) -> None:
        answer, self.answer = self.answer, None
        self._buffer.clear()
        self._body_at = -1
        if answer is not None and not answer.done():
            answer.set_result((self._status, body))


class Http1Pool:
    """Keep-alive connections to one origin (http or https), at most `size` at a time."""

    def __init__(
        self, origin: str, *, size: int = 128, timeout: float = 10.0, connect_timeout: float = 5.0
    ) -> None:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) origin: {origin}")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self.size = size
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        default = self.port == (443 if self.ssl else 80)
        host = self.host if default else f"{self.host}:{self.port}"
        self._head_tail = f"Host: {host}\r\nUser-Agent: Aman\r\nContent-Length: ".encode()
        self._idle: deque[_Connection] = deque()
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.closed = False

    def request_head(self, path: str, content_type: str = "application/json") -> bytes:
        """The fixed part of a POST's head to `path`, to pass to `post` (build it once)."""
        return f"POST {path} HTTP/1.1\r\nContent-Type: {content_type}\r\n".encode()

    async def post(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        """Send one POST (head from `request_head`) and return (status, body)."""
        connection = await self._checkout()
        request = b"%s%s%d\r\n\r\n%s" % (head, self._head_tail, len(body), body)
        answer = connection.send(request)
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.timeout, _expire, answer)
        try:
            result = await answer
        except BaseException:
            connection.close()  # a cancelled or broken request leaves the connection unusable
            self._checkin(connection)
            raise
        finally:
            timer.cancel()
        self._checkin(connection)
        return result

    async def _checkout(self) -> _Connection:
        if self.closed:
            raise CannotConnect("the pool is closed")
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()  # the most recently used one is the warmest
            if connection.reusable and now - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.close()
            self._open -= 1
        while self._open >= self.size:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # the turn this waiter was given goes to the next one
                raise
            if self._idle:
                return await self._checkout()
        self._open += 1
        try:
            return await self._connect()
        except BaseException:
            self._open -= 1
            self._wake()
            raise

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, connection = await loop.create_connection(
                    _Connection,
                    self.host,
                    self.port,
                    ssl=self.ssl,
                    server_hostname=self.host if self.ssl else None,
                )
        except (OSError, TimeoutError) as exc:
            raise CannotConnect(f"{type(exc).__name__}: {exc}") from exc
        return connection

    def _checkin(self, connection: _Connection) -> None:
        if connection.reusable and not self.closed:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
            self._open -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def close(self) -> None:
        self.closed = True
        while self._idle:
            self._idle.pop().close()
            self._open -= 1
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(CannotConnect("the pool is closed"))
        self._waiters.clear()


def _expire(answer: asyncio.Future) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError())
