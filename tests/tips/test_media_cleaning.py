"""A reporter sends a huge picture: while it is cleaned, everyone else chatting with the bot is
still answered at once, and a picture too large to decode safely is refused from its header."""

from __future__ import annotations

import asyncio
import io
import struct
import threading
import time
import zlib

import pytest
from PIL import Image, ImageFile

from tips import media

from .helpers import has_gps, photo_with_gps


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels but whose pixel data is garbage: decoding it
    would fail, so only a refusal from the header can say it is too large."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"not zlib at all" * 8)
        + chunk(b"IEND", b"")
    )


async def test_image_cleaning_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    big = io.BytesIO()
    Image.new("RGB", (6000, 6000), (40, 90, 160)).save(big, format="PNG")
    cleaned_in: list[str] = []
    real = media.triage_copy

    def watched(data: bytes, mime: str) -> bytes | None:
        cleaned_in.append(threading.current_thread().name)
        return real(data, mime)

    monkeypatch.setattr(media, "triage_copy", watched)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def another_chat() -> None:  # stands for every other update the bot is serving
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(another_chat())
    started = time.perf_counter()
    cleaned = await media.clean(big.getvalue(), "image/png")
    cleaning = time.perf_counter() - started
    stop.set()
    await ticking

    assert cleaned_in and all(n.startswith(media.CLEANING_THREAD_PREFIX) for n in cleaned_in)
    assert len(gaps) > 10 and max(gaps) < cleaning / 10
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "PNG" and image.size == (6000, 6000)


async def test_a_photo_is_cleaned_of_its_gps_and_other_files_are_left_alone() -> None:
    photo = photo_with_gps()
    cleaned = await media.clean(photo, "image/jpeg")
    assert cleaned and has_gps(photo) and not has_gps(cleaned) and b"CanaryCam" not in cleaned
    assert await media.clean(b"\x00\x00\x00\x18ftypmp42 ...", "video/mp4") is None
    with pytest.raises(media.FileRejected) as broken:
        await media.clean(b"\xff\xd8\xff broken jpeg", "image/jpeg")
    assert "could not be opened" in broken.value.msgid


async def test_a_too_large_picture_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded: list[str] = []
    real_load = ImageFile.ImageFile.load

    def load(image: ImageFile.ImageFile) -> object:
        decoded.append(image.format or "?")
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)

    # Just within the budget, the same garbage is decoded and found broken ...
    with pytest.raises(media.FileRejected) as broken:
        await media.clean(png_header_only(6000, 6000), "image/png")
    assert "could not be opened" in broken.value.msgid and decoded == ["PNG"]

    # ... past it, nothing is decoded at all: the header alone refuses it.
    decoded.clear()
    assert 6400 * 6400 > media.MAX_PIXELS
    for width, height in ((6400, 6400), (40_000, 40_000), (1, media.MAX_PIXELS + 1)):
        with pytest.raises(media.FileRejected) as refused:
            await media.clean(png_header_only(width, height), "image/png")
        assert refused.value.msgid == "That picture is too large to process."
    assert decoded == []
    assert Image.MAX_IMAGE_PIXELS == media.MAX_PIXELS
