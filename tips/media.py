"""Attachments: what a file really is (by its magic bytes, never its name), whether it may be
kept, and a cleaned copy of images for triage (re-encoded with Pillow, so EXIF and GPS are gone).

Cleaning decodes a whole picture, which takes seconds of CPU for a large one: `clean` does it in
a small pool of threads of its own (Pillow lets go of the GIL while it decodes and encodes), so
the event loop keeps answering everyone else, and a picture with more pixels than MAX_PIXELS is
refused from its header, before anything is decoded.
"""

from __future__ import annotations

import asyncio
import io
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps

from core.i18n import N_

MAX_FILE_BYTES = 10 * 1024 * 1024
# A photo larger than this many pixels is refused rather than decoded (decompression bombs):
# 40 million pixels hold 160 MB once decoded, and cleaning keeps two such copies at its peak.
MAX_PIXELS = 40_000_000
# Pillow's own guard, for every image this process opens: a warning past MAX_PIXELS (which
# triage_copy treats as an error) and DecompressionBombError past twice as many.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# At most this many pictures are decoded at once; the others wait their turn.
CLEANING_THREADS = 2
CLEANING_THREAD_PREFIX = "aman-media"
_cleaners = ThreadPoolExecutor(
    max_workers=CLEANING_THREADS, thread_name_prefix=CLEANING_THREAD_PREFIX
)
# Files wait for a free thread here, on the event loop, not queued inside the pool: a waiting
# upload whose sender gave up (a cancelled task) is then never decoded.
_cleaning_lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


class FileRejected(ValueError):
    """A file Aman will not keep; `msgid` tells the person why."""

    def __init__(self, msgid: str, **values: object) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = values


@dataclass(frozen=True)
class Checked:
    kind: str  # photo, video, voice, document
    mime: str
    size: int


def sniff(data: bytes) -> tuple[str, str] | None:
    """(kind, mime) from the first bytes of a file, or None for anything we do not accept."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "photo", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo", "image/webp"
    if head.startswith(b"%PDF-"):
        return "document", "application/pdf"
    if head.startswith(b"OggS"):
        return "voice", "audio/ogg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A"):
            return "voice", "audio/mp4"
        return "video", "video/mp4"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "voice", "audio/mpeg"
    return None


def check(data: bytes) -> Checked:
    """The file's true type and size, or FileRejected (too big, empty, not a type we take)."""
    if not data:
        raise FileRejected(N_("That file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(
            N_("That file is too big. Files can be up to {limit} MB."),
            limit=MAX_FILE_BYTES // (1024 * 1024),
        )
    found = sniff(data)
    if found is None:
        raise FileRejected(
            N_(
                "This type of file cannot be accepted. "
                "Please send photos, videos, voice notes or PDF documents."
            )
        )
    kind, mime = found
    return Checked(kind=kind, mime=mime, size=len(data))


async def clean(data: bytes, mime: str) -> bytes | None:
    """`triage_copy` in the cleaning pool, off the event loop: the cleaned copy of an image,
    None for other files, FileRejected for a picture that cannot or may not be decoded.
    Call it once per file and keep what it returns."""
    if not mime.startswith("image/"):
        return None
    loop = asyncio.get_running_loop()
    line = _cleaning_lines.get(loop)
    if line is None:  # one per event loop: an asyncio.Semaphore belongs to the loop it waits on
        line = _cleaning_lines[loop] = asyncio.Semaphore(CLEANING_THREADS)
    async with line:
        return await loop.run_in_executor(_cleaners, triage_copy, data, mime)


def triage_copy(data: bytes, mime: str) -> bytes | None:
    """A clean re-encoding of an image without any metadata (EXIF, GPS, XMP, comments), turned
    upright first since its orientation lives in the EXIF we drop. None for non-images.
    Blocking and CPU-heavy: async code calls `clean`.

    Raises FileRejected when the image cannot be decoded or is absurdly large."""
    if not mime.startswith("image/"):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                if image.width * image.height > MAX_PIXELS:
                    raise FileRejected(N_("That picture is too large to process."))
                ImageOps.exif_transpose(image, in_place=True)  # decodes
                pixels = image.convert("RGBA" if mime == "image/png" else "RGB")
            # Closing the original freed its pixels: one decoded copy is alive here, not three.
    except FileRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRejected(N_("That picture is too large to process.")) from None
    except (OSError, ValueError):
        raise FileRejected(
            N_("That picture could not be opened. Please try another one.")
        ) from None
    # A fresh image carries only pixels: nothing from the original's info dict is copied over.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    del pixels
    out = io.BytesIO()
    if mime == "image/png":
        clean.save(out, format="PNG")
    else:
        clean.save(out, format="JPEG", quality=90)
    return out.getvalue()
