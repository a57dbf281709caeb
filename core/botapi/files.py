"""Files in the sandbox: what users and the bot upload, under Telegram-like file ids and
paths, so the bot can send by file_id, call getFile and download the bytes back.
"""

import io
import mimetypes
import secrets
from dataclasses import dataclass

import aiohttp
from PIL import Image

from core.botapi.params import Params, Upload, bad_request

_FOLDERS = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "video": "videos",
    "sticker": "stickers",
}
_THUMBNAIL_SIDE = 320


@dataclass(slots=True)
class FileRecord:
    """One stored file; `data` is None when bytes are not kept (bounded benchmark mode)."""

    file_id: str
    file_unique_id: str
    kind: str
    size: int
    file_path: str
    data: bytes | None = None
    mime_type: str | None = None
    file_name: str | None = None
    width: int = 0
    height: int = 0

    def telegram_file(self) -> dict:
        """The File object getFile answers with."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }

    def photo_size(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }

    def document(self) -> dict:
        data = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        data["file_size"] = self.size
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


class FileStore:
    """All files by id and by download path."""

    def __init__(self) -> None:
        self.by_id: dict[str, FileRecord] = {}
        self.by_path: dict[str, FileRecord] = {}
        self.photo_groups: dict[str, list[dict]] = {}  # any size's file_id -> all sizes
        self.counter = 0

    def add(
        self,
        kind: str,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        *,
        keep_bytes: bool = True,
        size: tuple[int, int] = (0, 0),
    ) -> FileRecord:
        self.counter += 1
        number = self.counter
        extension = _extension(kind, file_name, mime_type)
        record = FileRecord(
            file_id=f"{kind[:2].upper()}AC{number:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQ{number:06d}{secrets.token_urlsafe(4)}",
            kind=kind,
            size=len(data),
            file_path=f"{_FOLDERS.get(kind, 'documents')}/file_{number}{extension}",
            data=data if keep_bytes else None,
            mime_type=mime_type,
            file_name=file_name,
            width=size[0],
            height=size[1],
        )
        self.by_id[record.file_id] = record
        self.by_path[record.file_path] = record
        return record

    def get(self, file_id: str) -> FileRecord | None:
        return self.by_id.get(file_id)

    def add_upload(self, kind: str, upload: Upload, keep_bytes: bool = True) -> FileRecord:
        """Store an uploaded file, naming its type from the file name when the client did not."""
        mime_type = upload.content_type
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = mimetypes.guess_type(upload.filename)[0] or mime_type or None
        name = upload.filename or None
        return self.add(kind, upload.data, name, mime_type, keep_bytes=keep_bytes)

    def photo_sizes(self, file_id: str) -> list[dict] | None:
        """All sizes of a stored photo, given the file_id of any of them."""
        return self.photo_groups.get(file_id)

    def photo(self, data: bytes, *, keep_bytes: bool = True) -> list[dict]:
        """Store a photo; return its PhotoSize list, smallest first, like Telegram."""
        width, height, thumbnail = _measure(data)
        sizes = []
        if thumbnail is not None:
            small = self.add("photo", thumbnail[2], keep_bytes=keep_bytes, size=thumbnail[:2])
            sizes.append(small.photo_size())
        original = self.add("photo", data, keep_bytes=keep_bytes, size=(width, height))
        sizes.append(original.photo_size())
        for size in sizes:
            self.photo_groups[size["file_id"]] = sizes
        return sizes


def _extension(kind: str, file_name: str | None, mime_type: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1][:8]
    if kind == "photo":
        return ".jpg"
    guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
    return guessed or ""


def _measure(data: bytes) -> tuple[int, int, tuple[int, int, bytes] | None]:
    """Width and height of an image, and a thumbnail when it is large (Pillow, if readable)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if max(width, height) <= _THUMBNAIL_SIDE:
                return width, height, None
            small = image.convert("RGB")
            small.thumbnail((_THUMBNAIL_SIDE, _THUMBNAIL_SIDE))
            buffer = io.BytesIO()
            small.save(buffer, "JPEG", quality=70)
            return width, height, (small.width, small.height, buffer.getvalue())
    except Exception:  # any unreadable bytes are simply "not an image"
        return 0, 0, None


async def media_input(params: Params, name: str) -> tuple[Upload | None, str | None]:
    """The file a send method was given: an upload (also via attach://) or a file_id/URL."""
    upload = params.uploads.get(name)
    if upload is not None:
        return upload, None
    value = params.string(name)
    if value is None:
        raise bad_request(f"there is no {name} in the request")
    if value.startswith("attach://"):
        upload = params.uploads.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"can't find attached file {value}")
        return upload, None
    return None, value


async def fetch_url(url: str) -> Upload:
    """Download a file the bot sent by URL, as Telegram's servers would."""
    try:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
            if response.status != 200:
                raise bad_request("failed to get HTTP URL content")
            data = await response.read()
            content_type = response.content_type
    except (aiohttp.ClientError, TimeoutError):
        raise bad_request("failed to get HTTP URL content") from None
    file_name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "file"
    return Upload(file_name, content_type, data)
