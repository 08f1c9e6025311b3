"""The office's identity on everything it prints: its kop (letterhead) and logo.

The identity (issue 16) is the office's pemerintah line (``kop_government``), unit name
(``kop_unit``; empty: the office's name), address, telephone, email and the place name printed
before the date of its letters ("Cilacap, 4 Januari 2027"), set by its administrator
(:func:`save_identity`: text limits, the email address and telephone number checked with the
rules of :mod:`alur.tenants.notify.contacts`; recorded on the office's chain as
``office_changed`` ``identity_changed``). :func:`identity_of` is what is printed: an office
that *is* its plugin's institution (its slug is the institution's) shows the plugin's
``Institution`` where its own fields are empty; any other office never shows another
institution's identity (empty fields stay empty, the unit name is the office's name).

The office admin uploads the logo (PNG or JPEG, at most :data:`MAX_LOGO_BYTES` and
:data:`MAX_LOGO_SIDE` pixels a side; the bytes are checked with Pillow, not the name or the
declared type). It lives in ``alur_office_logo`` (one row per office, read only when a report
or the admin page needs it); the other fields on the office row. :func:`letterhead` is what a
signed report's kop prints: the identity and the logo.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers
from PIL import Image, UnidentifiedImageError

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.core.model import Institution
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.notify.contacts import MAX_EMAIL, normal_email
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.storage.tables import OfficeLogo, Tenant, User

log = logging.getLogger(__name__)

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 2000  # pixels
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_PLACE = 100
MAX_ADDRESS = 255
# The office's identity (alur_tenant.kop_<field>) and the longest each may be.
IDENTITY_FIELDS = ("government", "unit", "address", "phone", "email", "place")
IDENTITY_LIMITS = {
    "government": 255,
    "unit": 255,
    "address": MAX_ADDRESS,
    "phone": 64,
    "email": MAX_EMAIL,
    "place": MAX_PLACE,
}


@dataclass(frozen=True, slots=True)
class OfficeIdentity:
    """Who the office is on everything it prints (its SOP sheets, reports, PDF, XLSX)."""

    government: str  # "Pemerintah Kabupaten Cilacap"
    unit: str  # "Satuan Polisi Pamong Praja Kabupaten Cilacap"
    address: str
    phone: str
    email: str
    place: str  # "Cilacap": before the date of its letters
    institution_contact: str = ""  # the institution's contact line, for its own office

    @property
    def contact(self) -> str:
        """The contact line: "Telp. (0282) 534567 · Email: satpolpp@cilacapkab.go.id"."""
        parts = []
        if self.phone:
            parts.append(f"Telp. {self.phone}")
        if self.email:
            parts.append(f"Email: {self.email}")
        return " · ".join(parts) or self.institution_contact

    @property
    def key(self) -> str:
        """A short digest of everything printed, for caches of rendered sheets."""
        text = "\x1f".join((*(getattr(self, f) for f in IDENTITY_FIELDS), self.contact))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


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


def normal_phone(text: str) -> str:
    """An office telephone number as printed on its kop (``(0282) 534567``, national
    format; read as Indonesian unless it starts with +); raises ValueError."""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    if number.country_code != 62:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def identity_problems(fields: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the fields as stored, the problem of each wrong one): text limits, an email address
    (:func:`~alur.tenants.notify.contacts.normal_email`) and a telephone number."""
    values = {f: str(fields.get(f) or "").strip() for f in IDENTITY_FIELDS}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if problem := _text_problem(value, IDENTITY_LIMITS[name]):
            errors[name] = problem
    if values["email"] and "email" not in errors:
        try:
            values["email"] = normal_email(values["email"])
        except ValueError:
            errors["email"] = gettext("Give an email address such as satpolpp@cilacapkab.go.id.")
    if values["phone"] and "phone" not in errors:
        try:
            values["phone"] = normal_phone(values["phone"])
        except ValueError:
            errors["phone"] = gettext("Give a telephone number such as (0282) 534567.")
    return values, errors


async def save_identity(admin: TenantAdmin, fields: Mapping[str, str]) -> OfficeIdentity:
    """Set the office's identity (every field of :data:`IDENTITY_FIELDS`; a field not given
    is emptied: the default). Every problem at once (:class:`InvalidInput`, by field);
    recorded on the office's chain as ``identity_changed`` (details: the changed fields)."""
    await admin._require_admin()
    values, errors = identity_problems(fields)
    if errors:
        raise InvalidInput(errors)
    before = await kop_fields(admin.tenant_id)
    changed = {f: v for f, v in values.items() if before.get(f, "") != v}
    if changed:
        actor = (await admin.service.context(admin.user_id)).actor
        async with write_transaction(admin.service.db):
            await Tenant.update({getattr(Tenant, f"kop_{f}"): v for f, v in values.items()}).where(
                Tenant.id == admin.tenant_id
            )
            await record_office_change(
                admin.service.db,
                admin.service.ref,
                "identity_changed",
                actor=actor.id,
                actor_name=actor.name,
                details=changed,
            )
        log.info("identity of %s changed by %s", admin.service.ref.slug, await _who(admin))
    admin.service.tenant = {
        **admin.service.tenant,
        **{f"kop_{f}": v for f, v in values.items()},
    }
    return identity_of(admin.service)


async def save_kop(admin: TenantAdmin, place: str, address: str) -> None:
    """Set the place name and address line of the office's kop, keeping its other identity
    fields (:func:`save_identity`)."""
    fields = await kop_fields(admin.tenant_id)
    await save_identity(admin, {**fields, "place": place, "address": address})


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
    """The office's own identity fields (``government``, ``unit``, ``address``, ``phone``,
    ``email``, ``place``), as saved (empty: the default)."""
    columns = [getattr(Tenant, f"kop_{f}") for f in IDENTITY_FIELDS]
    row = await Tenant.select(*columns).where(Tenant.id == tenant_id).first()
    return {f: row[f"kop_{f}"] for f in IDENTITY_FIELDS} if row else {}


def institution_of(service: TenantService) -> Institution | None:
    """The institution of the office's plugin (its letters' name, government, address), if
    the plugin declares one."""
    for plugin in service.plugins.plugins():
        if plugin.name == service.tenant["plugin"] and plugin.institution is not None:
            return plugin.institution
    return None


def identity_of(service: TenantService) -> OfficeIdentity:
    """The identity the office prints (module docstring): its own fields; where one is
    empty, the institution's — only when the office *is* its plugin's institution; else the
    unit name is the office's name and the other fields stay empty."""
    row = service.tenant
    own = {f: (row.get(f"kop_{f}") or "").strip() for f in IDENTITY_FIELDS}
    institution = institution_of(service)
    if institution is not None and service.is_institution_office(service.tenant["plugin"]):
        defaults = {
            "government": institution.government,
            "unit": institution.name,
            "address": institution.address,
            "place": institution.place,
        }
        contact = institution.contact
    else:
        defaults, contact = {}, ""
    values = {f: own[f] or defaults.get(f, "") for f in IDENTITY_FIELDS}
    values["unit"] = values["unit"] or row["name"]
    return OfficeIdentity(**values, institution_contact=contact)


def office_name(service: TenantService) -> str:
    """The office's name as its letters give it (its identity's unit name)."""
    return identity_of(service).unit


async def letterhead(service: TenantService) -> Letterhead:
    """What the signed report's kop prints for ``service``'s office: its identity
    (:func:`identity_of`) and its logo."""
    identity = identity_of(service)
    logo = await logo_of(service.ref.id)
    return Letterhead(
        government=identity.government,
        office=identity.unit,
        address=identity.address,
        contact=identity.contact,
        place=identity.place,
        logo=logo[0] if logo else None,
        logo_type=logo[1] if logo else "",
    )
