"""Reading Bot API call parameters the way Telegram does: from the query string, a JSON body,
a urlencoded form or a multipart upload, with string values coerced to what each method needs.

Errors are raised as `ApiError`, which carries Telegram's error shape.
"""

import json
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web


class ApiError(Exception):
    """A Bot API failure: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        """The JSON object Telegram answers with."""
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's "Bad Request: ..." prefix."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """The parameters of one call, with Telegram-like coercion and error messages."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.uploads

    def string(
        self, name: str, default: str | None = None, *, required: bool = False
    ) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def integer(
        self, name: str, default: int | None = None, *, required: bool = False
    ) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1", "yes")

    def structured(self, name: str, what: str = "object") -> Any:
        """An object or list parameter, which form bodies carry JSON-encoded."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id: an integer or an "@username" of a public chat."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)  # the fast path, for the common case
    except ValueError:
        pass
    try:  # what orjson refuses but Python's json takes (NaN, integers beyond 64 bits)
        return json.loads(raw)
    except ValueError:
        raise bad_request("can't parse JSON request") from None


async def read_params(request: web.Request) -> Params:
    """Collect parameters from every place Telegram accepts them."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "GET" or not request.body_exists:
        return Params(values)
    content_type = request.content_type
    if content_type == "application/json":
        body = _json(await request.read())
        if isinstance(body, dict):
            values.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.name is None:
                continue
            if part.filename is not None:
                data = await part.read(decode=False)
                uploads[part.name] = Upload(
                    part.filename, part.headers.get("Content-Type", ""), bytes(data)
                )
            else:
                values[part.name] = await part.text()
    else:
        values.update(await request.post())
    return Params(values, uploads)
