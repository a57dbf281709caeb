"""Attachments: what a file really is (by its magic bytes, never its name), whether it may be
kept, and a cleaned copy for triage: images are re-encoded with Pillow (EXIF and GPS are gone),
PDFs are rebuilt from their pages with pypdf (no author, no XMP, no EXIF in their pictures).
Videos and audio cannot be cleaned here: they have no cleaned copy, and the team sees them marked
"original only" (a voice or a face can identify the sender whatever the metadata says).

Cleaning decodes a whole picture, which takes seconds of CPU for a large one: `clean` does it in
a small pool of threads of its own (Pillow lets go of the GIL while it decodes and encodes), so
the event loop keeps answering everyone else, and a picture with more pixels than MAX_PIXELS is
refused from its header, before anything is decoded. PDFs are cleaned in the same pool; pypdf is
pure Python and shares the GIL, so the loop is slowed, never stopped, while one is rebuilt.
"""

from __future__ import annotations

import asyncio
import io
import logging
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from core.i18n import N_

MAX_FILE_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
# A photo larger than this many pixels is refused rather than decoded (decompression bombs):
# 40 million pixels hold 160 MB once decoded, and cleaning keeps two such copies at its peak.
MAX_PIXELS = 40_000_000
# Pillow's own guard, for every image this process opens: a warning past MAX_PIXELS (which
# triage_copy treats as an error) and DecompressionBombError past twice as many.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# pypdf's warnings about a broken file can quote the file's own words: they are not logged.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)
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


def cleanable(mime: str) -> bool:
    """Whether Aman can make a copy of this type without what identifies its maker."""
    return mime.startswith("image/") or mime == PDF


async def clean(data: bytes, mime: str) -> bytes | None:
    """`triage_copy` in the cleaning pool, off the event loop: the cleaned copy of an image or a
    PDF, None for files that cannot be cleaned (videos, audio: kept as original only),
    FileRejected for a picture or document that cannot or may not be read.
    Call it once per file and keep what it returns."""
    if not cleanable(mime):
        return None
    loop = asyncio.get_running_loop()
    line = _cleaning_lines.get(loop)
    if line is None:  # one per event loop: an asyncio.Semaphore belongs to the loop it waits on
        line = _cleaning_lines[loop] = asyncio.Semaphore(CLEANING_THREADS)
    async with line:
        return await loop.run_in_executor(_cleaners, triage_copy, data, mime)


def triage_copy(data: bytes, mime: str) -> bytes | None:
    """A clean re-encoding of an image without any metadata (EXIF, GPS, XMP, comments), turned
    upright first since its orientation lives in the EXIF we drop; a cleaned PDF (`pdf_copy`);
    None for other files. Blocking and CPU-heavy: async code calls `clean`.

    Raises FileRejected when the file cannot be decoded or is absurdly large."""
    if mime == PDF:
        return pdf_copy(data)
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


# Keys that say who made a page or an object, or with what, on any dictionary of a PDF.
_PDF_PRIVATE_KEYS = ("/Metadata", "/PieceInfo", "/LastModified")
# An annotation's author, its dates and its own name: the note itself stays.
_PDF_ANNOTATION_AUTHOR_KEYS = ("/T", "/M", "/CreationDate", "/NM")
# Annotations that carry a file, a sound or a film of their own: dropped with what they hold.
_PDF_EMBEDDING_ANNOTATIONS = frozenset(
    {"/FileAttachment", "/Sound", "/Movie", "/RichMedia", "/Screen", "/3D"}
)


def pdf_copy(data: bytes) -> bytes:
    """A PDF rebuilt from its pages alone, so none of the document's own parts come along (its
    information dictionary with author and software, XMP, attached files, forms, scripts); on
    the pages, XMP and private data are dropped everywhere, annotations lose their author, and
    JPEG pictures keep their pixels but lose EXIF, GPS, XMP and comments.
    Blocking: async code calls `clean`.

    Raises FileRejected when the PDF cannot be read (broken, or locked with a password)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRejected(_UNREADABLE_DOCUMENT)
        pages = list(reader.pages)
        for page in pages:
            _drop_embedding_annotations(page)
        # In memory only (the reader's file is never written). reader.pages holds copies of the
        # page dictionaries, which are what gets copied below: they are scrubbed themselves.
        _scrub([*pages, reader.trailer["/Root"]])
        # A new document gets copies of the pages and of what they still point to, nothing else.
        writer = PdfWriter()
        for page in pages:
            writer.add_page(page)
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except FileRejected:
        raise
    except Exception:  # pypdf raises many kinds of errors on a broken file; none is a copy we trust
        raise FileRejected(_UNREADABLE_DOCUMENT) from None
    return out.getvalue()


_UNREADABLE_DOCUMENT = N_(
    "That document could not be opened to remove what may identify you. "
    "Please send a photo of it instead."
)


def _drop_embedding_annotations(page: DictionaryObject) -> None:
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject(
        a
        for a in annotations.get_object()
        if a.get_object().get("/Subtype") not in _PDF_EMBEDDING_ANNOTATIONS
    )
    page[NameObject("/Annots")] = kept


def _scrub(start: list[object]) -> None:
    """Walk every object reachable from `start` once, dropping what identifies the maker."""
    seen: set[int] = set()
    stack = list(start)
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in _PDF_PRIVATE_KEYS:
                item.pop(key, None)
            if "/Subtype" in item and item.get("/Subtype") != "/Widget" and "/Rect" in item:
                for key in _PDF_ANNOTATION_AUTHOR_KEYS:  # an annotation (a form field keeps /T)
                    item.pop(key, None)
            if isinstance(item, StreamObject):
                _clean_jpeg_stream(item)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _clean_jpeg_stream(stream: StreamObject) -> None:
    filters = stream.get("/Filter")
    chain = list(filters) if isinstance(filters, ArrayObject) else [filters]
    if not _JPEG_FILTERS.intersection(chain):
        return
    if len(chain) != 1:
        raise ValueError("a JPEG behind another filter")  # rare; refused rather than kept
    # A JPEG stream's data is the JPEG file itself (pypdf does not decode it): it is written
    # back as raw bytes, without re-encoding, and the stale decoded copy is forgotten.
    StreamObject.set_data(stream, jpeg_without_metadata(stream.get_data()))
    if hasattr(stream, "decoded_self"):
        stream.decoded_self = None


# JPEG segments kept: the picture's own (frame, tables, scan) and APP0 (JFIF), APP2 when it is
# a colour profile (phones also put a multi-picture index there) and APP14 (Adobe colour
# transform), which decoders need to show it right. Every other application segment (APP1 EXIF
# and XMP, APP13 IPTC, makers' notes) and comments are dropped.
_JPEG_KEPT_APP = {0xE0: b"", 0xE2: b"ICC_PROFILE\x00", 0xEE: b""}
_JPEG_FILTERS = frozenset({"/DCTDecode", "/DCT"})
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # markers without a length


def jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG's bytes without its metadata segments and without anything after its end (phones
    append more pictures there, each with its own EXIF); the picture's bytes are copied unchanged.
    ValueError when it is not a JPEG that can be walked."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out = bytearray(data[:2])
    at, size = 2, len(data)
    while at < size:
        if data[at] != 0xFF or at + 1 >= size:
            raise ValueError("no marker where one should be")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker == 0xD9:  # end of image: stop here
            out += b"\xff\xd9"
            return bytes(out)
        if marker in _JPEG_STANDALONE:
            out += data[at : at + 2]
            at += 2
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        end = at + 2 + length
        if length < 2 or end > size:
            raise ValueError("a segment runs past the end")
        if marker == 0xFE or 0xE0 <= marker <= 0xEF:  # a comment or an application segment
            kept = marker in _JPEG_KEPT_APP and data.startswith(_JPEG_KEPT_APP[marker], at + 4)
        else:
            kept = True
        if kept:
            out += data[at:end]
        at = end
        if marker == 0xDA:  # a scan: compressed data up to the next marker that is not inside it
            scan_end = _scan_end(data, at)
            out += data[at:scan_end]
            at = scan_end
    return bytes(out)  # no end marker: the picture ends with the data, as decoders accept


def _scan_end(data: bytes, at: int) -> int:
    """Where a scan's compressed data ends: at a 0xFF that is neither stuffing (FF 00) nor a
    restart marker (FF D0-D7), or at the end of the data."""
    while True:
        at = data.find(b"\xff", at)
        if at == -1 or at + 1 >= len(data):
            return len(data)
        following = data[at + 1]
        if following != 0x00 and not 0xD0 <= following <= 0xD7:
            return at
        at += 2
