"""The kop (letterhead) of an office's signed reports: its logo, place name and address line.

The office admin uploads the logo (PNG or JPEG, at most :data:`MAX_LOGO_BYTES` and
:data:`MAX_LOGO_SIDE` pixels a side; the bytes are checked with Pillow, not the name or the
declared type) and sets the place name printed before the date ("Purwokerto, 2 Desember 2026")
and the address line under the office's name; each falls back to the plugin's ``Institution``
(``place``, ``address``) when the office leaves it empty. The logo lives in ``alur_office_logo`` (one row
per office, read only when a report or the admin page needs it); the place and address on the
office row. Issue 16 gives offices a full identity; these fields are kept simple on purpose.

:func:`letterhead` is what the report prints: the plugin's institution (government, name,
address, contact) with the office's own address instead when it set one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.core.model import Institution
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.storage.tables import OfficeLogo, Tenant, User

log = logging.getLogger(__name__)

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 2000  # pixels
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_PLACE = 100
MAX_ADDRESS = 255


@dataclass(frozen=True, slots=True)
class Letterhead:
    government: str  # "Pemerintah Kabupaten Banyumas"
    office: str  # "Satuan Polisi Pamong Praja Kabupaten Banyumas"
    address: str
    contact: str
    place: str  # "Purwokerto"; empty: the date stands alone
    logo: bytes | None = None
    logo_type: str = ""


def logo_problem(content: bytes) -> tuple[str, str | None]:
    """(the image's media type, the problem with it or ``None``)."""
    if not content:
        return "", gettext("Choose a logo file to upload.")
    if len(content) > MAX_LOGO_BYTES:
        return "", format_message(
            "The logo is larger than {size} KB: save it smaller and upload it again.",
            size=MAX_LOGO_BYTES // 1024,
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind, size = image.format or "", image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return "", gettext("The logo must be a PNG or JPEG image.")
    if kind not in LOGO_TYPES:
        return "", gettext("The logo must be a PNG or JPEG image.")
    if max(size) > MAX_LOGO_SIDE:
        return "", format_message(
            "The logo is {width}×{height} pixels: at most {side} pixels a side.",
            width=size[0],
            height=size[1],
            side=MAX_LOGO_SIDE,
        )
    return LOGO_TYPES[kind], None


def _text_problem(value: str, longest: int) -> str | None:
    if len(value) > longest:
        return format_message("At most {count} characters.", count=longest)
    return limits.text_problem(value, longest)


async def _who(admin: TenantAdmin) -> str:
    row = await User.select(User.name, User.username).where(User.id == admin.user_id).first()
    return f"{row['name']} ({row['username']})"[:255] if row else str(admin.user_id)


async def save_kop(admin: TenantAdmin, place: str, address: str) -> None:
    """Set the place name and address line of the office's kop (empty: not printed / the
    plugin's address)."""
    await admin._require_admin()
    place, address = place.strip(), address.strip()
    errors = {
        name: problem
        for name, value, longest in (("place", place, MAX_PLACE), ("address", address, MAX_ADDRESS))
        if (problem := _text_problem(value, longest))
    }
    if errors:
        raise InvalidInput(errors)
    await Tenant.update({Tenant.kop_place: place, Tenant.kop_address: address}).where(
        Tenant.id == admin.tenant_id
    )
    admin.service.tenant = {**admin.service.tenant, "kop_place": place, "kop_address": address}
    log.info("kop of %s changed by %s", admin.service.ref.slug, await _who(admin))


async def save_logo(admin: TenantAdmin, content: bytes) -> None:
    """Replace the office's logo; refused under ``"logo"`` when it is not an acceptable image."""
    await admin._require_admin()
    media_type, problem = logo_problem(content)
    if problem:
        raise InvalidInput({"logo": problem})
    who = await _who(admin)
    async with admin.service.store.transaction():
        await OfficeLogo.delete().where(OfficeLogo.tenant == admin.tenant_id)
        await OfficeLogo(
            tenant=admin.tenant_id,
            content_type=media_type,
            size=len(content),
            content=content,
            updated_by=who,
            updated_at=admin.service.clock(),
        ).save()
    log.info("logo of %s replaced by %s (%d bytes)", admin.service.ref.slug, who, len(content))


async def remove_logo(admin: TenantAdmin) -> None:
    await admin._require_admin()
    await OfficeLogo.delete().where(OfficeLogo.tenant == admin.tenant_id)


async def logo_of(tenant_id: int) -> tuple[bytes, str] | None:
    """(the logo's bytes, its media type), if the office uploaded one."""
    row = (
        await OfficeLogo.select(OfficeLogo.content, OfficeLogo.content_type)
        .where(OfficeLogo.tenant == tenant_id)
        .first()
    )
    return (bytes(row["content"]), row["content_type"]) if row else None


async def kop_fields(tenant_id: int) -> dict[str, str]:
    """The office's own kop fields (``place``, ``address``), as saved."""
    row = (
        await Tenant.select(Tenant.kop_place, Tenant.kop_address)
        .where(Tenant.id == tenant_id)
        .first()
    )
    return {"place": row["kop_place"], "address": row["kop_address"]} if row else {}


def institution_of(service: TenantService) -> Institution | None:
    """The institution of the office's plugin (its letters' name, government, address), if
    the plugin declares one."""
    for plugin in service.plugins.plugins():
        if plugin.name == service.tenant["plugin"] and plugin.institution is not None:
            return plugin.institution
    return None


def office_name(service: TenantService) -> str:
    """The office's name as its letters give it: the plugin's institution, else its own."""
    institution = institution_of(service)
    return (institution.name if institution else "") or service.tenant["name"]


async def letterhead(service: TenantService) -> Letterhead:
    """What the signed report's kop prints for ``service``'s office."""
    government, address, contact, place = "", "", "", ""
    office = office_name(service)
    institution = institution_of(service)
    if institution is not None:
        government = institution.government
        address, contact = institution.address, institution.contact
        place = institution.place
    own = await kop_fields(service.ref.id)
    logo = await logo_of(service.ref.id)
    return Letterhead(
        government=government,
        office=office,
        address=own.get("address") or address,
        contact=contact,
        place=own.get("place") or place,
        logo=logo[0] if logo else None,
        logo_type=logo[1] if logo else "",
    )
