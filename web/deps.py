"""Dependencies the controllers declare: the shared services, who is signed in, and the
tenant of a ``/t/{slug}/…`` URL (answering 404 to anyone who is not a member there *now*:
:func:`alur.tenants.identity.belonging.current_offices` decides, so an expired or future Plt/Plh
is not a member)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath

from alur.tenants.cases.service import TenantService
from alur.tenants.errors import NotFound
from alur.tenants.identity.belonging import Person, current_offices, load_person
from alur.tenants.storage.tables import Operator
from alur.web.services import Services


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: a tenant user or a platform operator."""

    name: str
    username: str
    user_id: int | None = None
    operator_id: int | None = None
    tenants: tuple[dict, ...] = field(default_factory=tuple)  # {id, slug, name, admin}, now
    person: Person | None = None  # a tenant user's memberships and delegations
    must_change_password: bool = False  # signed in with a one-time password: choose one first

    @property
    def is_operator(self) -> bool:
        return self.operator_id is not None

    def tenant(self, slug: str) -> dict | None:
        return next((t for t in self.tenants if t["slug"] == slug), None)


def provide_services(state: State) -> Services:
    return state["services"]


class PasswordChangeRequired(NotAuthorizedException):
    """Signed in with a one-time password: every page but the change page sends the person
    there (:data:`PASSWORD_CHANGE_PAGE`; a route opts out with ``opt={PASSWORD_CHANGE: True}``)."""


PASSWORD_CHANGE = "password_change"  # route opt: open to a person who must change first
PASSWORD_CHANGE_PAGE = "/akun/kata-sandi"


async def provide_viewer(request: Request) -> Viewer:
    session = request.session
    viewer = await load_viewer(session.get("uid"), session.get("op"), session.get("pv", 0))
    if viewer is None:
        request.clear_session()
        raise NotAuthorizedException()
    if viewer.must_change_password and not request.route_handler.opt.get(PASSWORD_CHANGE):
        raise PasswordChangeRequired()
    return viewer


async def load_viewer(uid: int | None, op: int | None, version: int = 0) -> Viewer | None:
    """The signed-in account, or ``None`` when it is gone, inactive, or its password was
    reset or changed since the session began (``version``: the session's password version,
    :mod:`alur.tenants.identity.passwords`)."""
    if op is not None:
        row = (
            await Operator.select(
                Operator.name,
                Operator.username,
                Operator.active,
                Operator.must_change_password,
                Operator.password_version,
            )
            .where(Operator.id == op)
            .first()
        )
        if row is None or not row["active"] or row["password_version"] != version:
            return None
        return Viewer(
            row["name"],
            row["username"],
            operator_id=op,
            must_change_password=bool(row["must_change_password"]),
        )
    if uid is None:
        return None
    person = await load_person(uid)
    if person is None or not person.active or person.password_version != version:
        return None
    offices = current_offices(person, datetime.now(UTC))
    return Viewer(
        person.name,
        person.username,
        user_id=uid,
        tenants=offices,
        person=person,
        must_change_password=person.must_change_password,
    )


async def provide_tenant(
    slug: FromPath[str], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> TenantService:
    """The tenant of the URL, for its current members only: everyone else gets 404."""
    if viewer.tenant(slug) is None:
        raise NotFound(what="page")
    service = await TenantService.open(services.database, services.plugins, slug)
    return service.for_one_request(person=viewer.person)
