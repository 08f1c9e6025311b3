"""How a person is told: contact details and choices, checked once for both doors.

The admin's user form, the person's own settings page and GraphQL all call
:func:`set_contacts`, which checks every field (:func:`contact_problems`) and refuses with
:class:`~alur.tenants.errors.InvalidInput` naming each wrong field in the user's language.
Email addresses are checked for syntax by ``email-validator`` (no DNS lookup: offices run on
closed networks); WhatsApp numbers by ``phonenumbers`` (Google's libphonenumber), Indonesian
numbers may be written ``0812…`` and are stored in E.164 (``+62812…``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from alur.core.i18n import LANGUAGES, format_message, gettext
from alur.tenants.cases.rows import from_json
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.storage.tables import User

EMAIL = "email"  # the built-in external channel; the in-app list is always on
APP = "app"
MAX_EMAIL = 254
FIELDS = ("email", "whatsapp", "channels", "digest_only", "after_hours", "language")


@dataclass(frozen=True)
class Contacts:
    """A person's contact details and choices (``channels``: the external channels they
    chose; empty means the default, email when they have an address)."""

    email: str = ""
    whatsapp: str = ""
    channels: tuple[str, ...] = ()
    digest_only: bool = False
    after_hours: bool = False
    language: str = "id"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def external_channels(self) -> tuple[str, ...]:
        """The channels messages go out through (besides the app): the chosen ones, or by
        default email when there is an address. A choice of none is stored as ``["app"]``."""
        if self.channels:
            return tuple(c for c in self.channels if c != APP)
        return (EMAIL,) if self.email else ()


def contacts_of(row: Mapping[str, Any]) -> Contacts:
    """The contacts of a ``alur_user`` row (a dict with the contact columns)."""
    return Contacts(
        email=row.get("email") or "",
        whatsapp=row.get("whatsapp") or "",
        channels=tuple(from_json(row.get("channels")) or ()),
        digest_only=bool(row.get("digest_only")),
        after_hours=bool(row.get("after_hours")),
        language=row.get("language") or "id",
    )


def normal_email(text: str) -> str:
    """``text`` as a normalised email address; raises ValueError with the reason."""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def normal_whatsapp(text: str) -> str:
    """``text`` as an E.164 number (``0812…`` read as Indonesian); raises ValueError."""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_problems(
    values: Mapping[str, Any], available: Sequence[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned values and a message per wrong field (in the current language).

    ``values`` may hold any of :data:`FIELDS` (missing ones are not changed); ``available``
    are the channel names this installation offers (email and the plugins' channels).
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "email" in values:
        text = str(values["email"] or "").strip()
        if len(text) > MAX_EMAIL:
            errors["email"] = format_message("at most {n} characters", n=MAX_EMAIL)
        elif text:
            try:
                clean["email"] = normal_email(text)
            except ValueError:
                errors["email"] = gettext("not a valid email address, e.g. nama@instansi.go.id")
        else:
            clean["email"] = ""
    if "whatsapp" in values:
        text = str(values["whatsapp"] or "").strip()
        if len(text) > 32:
            errors["whatsapp"] = format_message("at most {n} characters", n=32)
        elif text:
            try:
                clean["whatsapp"] = normal_whatsapp(text)
            except ValueError:
                errors["whatsapp"] = gettext("not a valid phone number, e.g. 0812 3456 7890")
        else:
            clean["whatsapp"] = ""
    if "channels" in values:
        chosen = values["channels"]
        if isinstance(chosen, str):
            chosen = [chosen] if chosen else []
        unknown = [c for c in chosen if c not in available]
        if not isinstance(chosen, list | tuple) or unknown:
            errors["channels"] = format_message(
                "unknown channel {names}; choose from {available}",
                names=", ".join(map(str, unknown)) or "?",
                available=", ".join(available),
            )
        else:  # choosing none is a choice: in the app only (not "the default" again)
            clean["channels"] = list(dict.fromkeys(chosen)) or [APP]
    for flag in ("digest_only", "after_hours"):
        if flag in values:
            value = values[flag]
            if isinstance(value, str):
                value = value.lower() in ("1", "true", "on", "yes", "ya")
            clean[flag] = bool(value)
    if "language" in values:
        lang = str(values["language"] or "")
        if lang not in LANGUAGES:
            errors["language"] = format_message(
                "choose one of {languages}", languages=", ".join(LANGUAGES)
            )
        else:
            clean["language"] = lang
    email = clean.get("email", values.get("_current_email", ""))
    if EMAIL in clean.get("channels", ()) and not email and "email" not in errors:
        errors["email"] = gettext("give an email address to be told by email")
    return clean, errors


async def get_contacts(user_id: int) -> Contacts:
    rows = await User.select(*(getattr(User, f) for f in FIELDS)).where(User.id == user_id)
    if not rows:
        raise NotFound(what=gettext("user"))
    return contacts_of(rows[0])


async def set_contacts(
    user_id: int, values: Mapping[str, Any], available: Sequence[str]
) -> Contacts:
    """Check and save a person's contacts; :class:`InvalidInput` names every wrong field
    and nothing is saved."""
    current = await get_contacts(user_id)
    clean, errors = contact_problems({**values, "_current_email": current.email}, available)
    if errors:
        raise InvalidInput(errors)
    if clean:
        await User.update({getattr(User, k): v for k, v in clean.items()}).where(User.id == user_id)
    return await get_contacts(user_id)
