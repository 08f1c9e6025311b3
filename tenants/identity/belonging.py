"""Who belongs to an office *now*, and the engine actor of a person.

:func:`actor_for` turns a user's memberships in a tenant, plus the delegations active on a
given day, into the engine's :class:`~alur.core.engine.Actor` — the only way a person is
handed to the state machine.

Who belongs to an office *now* is decided here, once: :func:`current_offices` (a loaded
:class:`Person`) and :func:`belongs` (by ids). A membership counts always; a Plt/Plh
delegation counts only from its first to its last day inclusive, both read as dates in the
*office's* timezone. Every door asks these — the web's office list and ``/t/{slug}/…``
routes, and the GraphQL tokens bound to a person — so an expired or future Plt/Plh opens
nothing of the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from alur.core.engine import Actor, Delegation
from alur.core.engine import Membership as EngineMembership
from alur.core.i18n import gettext
from alur.tenants.errors import NotFound
from alur.tenants.storage.tables import Delegation as DelegationRow
from alur.tenants.storage.tables import Membership, User


@dataclass(frozen=True)
class Person:
    """A user with every membership and delegation they hold, in every office.

    Loaded once per web request (:func:`load_person`, one statement) and used both for the
    list of the person's current offices (:func:`current_offices`) and, through
    :func:`actor_in`, for the engine actor in the office of the page — instead of loading the same rows again per office.
    """

    user_id: int
    name: str
    username: str
    active: bool
    memberships: tuple[dict, ...]  # tenant, slug, tenant_name, role, unit_slug, administrator
    delegations: tuple[dict, ...]  # tenant, slug, tenant_name, timezone, role, unit_slug, kind, …
    must_change_password: bool = False  # a one-time password (alur.tenants.identity.passwords)
    password_version: int = 0  # sessions of an older version are refused


# The person, their memberships and their delegations in one statement (a page asks on
# every request): one row per membership ("m") or delegation ("d"), or one row of NULLs.
_PERSON = """
SELECT u.name AS user_name, u.username, u.active, u.must_change_password, u.password_version, x.*
FROM alur_user u LEFT JOIN (
  SELECT 'm' AS row_kind, m.tenant, t.slug, t.name AS tenant_name, t.timezone, m.role,
         un.slug AS unit_slug, m.administrator, NULL AS kind, NULL AS official,
         NULL AS official_name, CAST(NULL AS DATE) AS starts_on, CAST(NULL AS DATE) AS ends_on
  FROM alur_membership m JOIN alur_tenant t ON t.id = m.tenant
  LEFT JOIN alur_unit un ON un.id = m.unit
  WHERE m."user" = {}
  UNION ALL
  SELECT 'd', d.tenant, t.slug, t.name, t.timezone, d.role, un.slug, FALSE, d.kind, d.official, o.name,
         d.starts_on, d.ends_on
  FROM alur_delegation d JOIN alur_tenant t ON t.id = d.tenant
  LEFT JOIN alur_unit un ON un.id = d.unit JOIN alur_user o ON o.id = d.official
  WHERE d.delegate = {}
) x ON TRUE
WHERE u.id = {}
"""


async def load_person(user_id: int) -> Person | None:
    rows = await User.raw(_PERSON, user_id, user_id, user_id)
    if not rows:
        return None
    first = rows[0]
    memberships = []
    delegations = []
    for r in rows:
        if r["row_kind"] == "m":
            memberships.append(
                {
                    "tenant": r["tenant"],
                    "slug": r["slug"],
                    "tenant_name": r["tenant_name"],
                    "role": r["role"],
                    "unit_slug": r["unit_slug"],
                    "administrator": bool(r["administrator"]),
                }
            )
        elif r["row_kind"] == "d":
            delegations.append(
                {
                    "tenant": r["tenant"],
                    "slug": r["slug"],
                    "tenant_name": r["tenant_name"],
                    "timezone": r["timezone"],
                    "role": r["role"],
                    "unit_slug": r["unit_slug"],
                    "kind": r["kind"],
                    "official": r["official"],
                    "official_name": r["official_name"],
                    "starts_on": _day(r["starts_on"]),
                    "ends_on": _day(r["ends_on"]),
                }
            )
    return Person(
        user_id=user_id,
        name=first["user_name"],
        username=first["username"],
        active=bool(first["active"]),
        memberships=tuple(memberships),
        delegations=tuple(delegations),
        must_change_password=bool(first["must_change_password"]),
        password_version=int(first["password_version"] or 0),
    )


_DELEGATION_COLUMNS = (
    DelegationRow.tenant,
    DelegationRow.tenant.slug.as_alias("slug"),
    DelegationRow.tenant.name.as_alias("tenant_name"),
    DelegationRow.tenant.timezone.as_alias("timezone"),
    DelegationRow.role,
    DelegationRow.unit.slug.as_alias("unit_slug"),
    DelegationRow.kind,
    DelegationRow.official,
    DelegationRow.official.name.as_alias("official_name"),
    DelegationRow.starts_on,
    DelegationRow.ends_on,
)


def office_today(timezone: str, now: datetime) -> date:
    """The date at ``now`` in an office's timezone (an IANA name such as Asia/Jayapura)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def _current(delegation: dict, on: date) -> bool:
    """Whether a delegation holds on ``on`` (a date in its office): first to last day."""
    return _day(delegation["starts_on"]) <= on <= _day(delegation["ends_on"])


def current_offices(person: Person, now: datetime) -> tuple[dict, ...]:
    """The offices ``person`` belongs to at ``now``, by name: ``{id, slug, name, admin}``.

    The one rule of office membership (see the module docstring): every membership, and
    each Plt/Plh delegation whose dates include today in its office's timezone. Whether the
    person is active is asked beside it, by every door (sign-in, session, token).
    """
    found: dict[int, dict] = {}
    current = [d for d in person.delegations if _current(d, office_today(d["timezone"], now))]
    for r in (*person.memberships, *current):
        office = found.setdefault(
            r["tenant"],
            {"id": r["tenant"], "slug": r["slug"], "name": r["tenant_name"], "admin": False},
        )
        office["admin"] = office["admin"] or bool(r.get("administrator"))
    return tuple(sorted(found.values(), key=lambda o: (o["name"], o["slug"])))


async def belongs(tenant_id: int, user_id: int, now: datetime) -> bool:
    """Whether user ``user_id`` belongs to the office at ``now`` (:func:`current_offices`)."""
    person = await load_person(user_id)
    return person is not None and any(o["id"] == tenant_id for o in current_offices(person, now))


def actor_in(person: Person, tenant_id: int, on: date) -> Actor:
    """The engine actor of ``person`` in the tenant on day ``on`` — a date in the office's
    timezone — with the delegations of :func:`current_offices` (see :func:`actor_for`)."""
    rows = [r for r in person.memberships if r["tenant"] == tenant_id]
    delegations = [d for d in person.delegations if d["tenant"] == tenant_id and _current(d, on)]
    # A Plt/Plh from another office may hold only a delegation here: that is enough.
    if not person.active or not (rows or delegations):
        raise NotFound(what=gettext("user"))
    memberships = [EngineMembership(r["role"], r["unit_slug"]) for r in rows if r["role"]]
    for d in delegations:
        memberships.append(
            EngineMembership(
                d["role"],
                d["unit_slug"],
                Delegation(d["kind"]),
                str(d["official"]),
                d["official_name"],
            )
        )
    return Actor(
        id=str(person.user_id),
        name=person.name,
        memberships=tuple(memberships),
        administrator=any(r["administrator"] for r in rows),
    )


def _day(value: date | str) -> date:
    """A DATE column as a date (SQLite may hand back the ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def actor_for(tenant_id: int, user_id: int, on: date) -> Actor:
    """The engine actor for ``user_id`` in the tenant on day ``on``: own memberships plus
    the Plt/Plh delegations active that day. Unknown users and users without a membership
    here are :class:`NotFound` (another tenant's user looks like no user at all)."""
    user = (
        await User.select(User.name, User.username, User.active).where(User.id == user_id).first()
    )
    if user is None:
        raise NotFound(what=gettext("user"))
    memberships = await Membership.select(
        Membership.tenant,
        Membership.role,
        Membership.unit.slug.as_alias("unit_slug"),
        Membership.administrator,
    ).where((Membership.tenant == tenant_id) & (Membership.user == user_id))
    delegations = await DelegationRow.select(*_DELEGATION_COLUMNS).where(
        (DelegationRow.tenant == tenant_id)
        & (DelegationRow.delegate == user_id)
        & (DelegationRow.starts_on <= on)
        & (DelegationRow.ends_on >= on)
    )
    person = Person(
        user_id,
        user["name"],
        user["username"],
        user["active"],
        tuple(memberships),
        tuple(delegations),
    )
    return actor_in(person, tenant_id, on)
