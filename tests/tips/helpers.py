"""Shared helpers for tips stories: demo units and staff, a photo carrying GPS in its EXIF."""

from __future__ import annotations

import io

from PIL import Image

from core import accounts
from core.models import Role, StaffMember, Unit
from tips.models import Category, RoutingRule

PASSWORD = "focal-point-password"


async def unit_with_focal_point(code: str, country: str | None) -> tuple[Unit, StaffMember, str]:
    """A unit, a focal point in it, and the focal point's recovery key."""
    unit = await Unit.create(
        code=code, name=f"{code} unit", country=country, is_regional=not country
    )
    member, recovery, _uri = await accounts.create_staff(
        f"fp-{code.lower()}", f"Focal point {code}", Role.FOCAL_POINT, unit, PASSWORD
    )
    if country:
        await RoutingRule.create(country=country, unit=unit, priority=10)
        await RoutingRule.create(country=country, category=Category.BOAT, unit=unit, priority=20)
    return unit, member, recovery


def photo_with_gps() -> bytes:
    """A JPEG whose EXIF says where it was taken (near Sfax) and with which camera."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # Make
    exif[0x0110] = "Model-X"  # Model
    gps = {1: "N", 2: (34.0, 44.0, 24.0), 3: "E", 4: (10.0, 45.0, 36.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif) and (0x8825 in exif or bool(exif.get_ifd(0x8825)))
