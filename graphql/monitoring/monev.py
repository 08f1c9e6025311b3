"""The SOP monitoring forms (monev) through GraphQL: the queries ``monevForms`` and
``monevForm``, the mutations ``saveMonevForm``, ``parafMonevForm`` and ``reopenMonevForm``.

Every rule is the service's (:class:`~alur.tenants.monitoring.monev.MonevForms`, the same the
web pages call): who reads (the office's leaders, its admin, its assessor), who saves (the
assessor), who initials (the assessor in their own right, with their password asked again,
every kegiatan judged), the version read (``stale_monev``), the text limits (field
``rows.<n>.catatan``…). A token must be an office's token bound to a person; mutations need a
write token and act as its person.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from alur.core.errors import AlurError
from alur.core.errors import InvalidInput as InvalidInputError
from alur.core.i18n import format_message, gettext
from alur.graphql.cases.mutations import acting_service
from alur.graphql.errors import Conflict, Forbidden, InvalidInput, NotFound, from_error
from alur.graphql.permissions import authenticated, writing
from alur.graphql.types import Info
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_rows import MonevRecord


@strawberry.enum(description='A kegiatan "berjalan dengan baik" or "tidak berjalan dengan baik".')
class MonevJudgement(enum.Enum):
    BAIK = "baik"
    TIDAK = "tidak"


@strawberry.enum(description="A monev form is open until its assessor's paraf (diparaf).")
class MonevState(enum.Enum):
    OPEN = "open"
    DIPARAF = "diparaf"


@strawberry.type(description="One kegiatan of a monev form.")
class MonevRow:
    step: int = strawberry.field(description="The kegiatan's number in the SOP.")
    kegiatan: str
    proposed: MonevJudgement | None = strawberry.field(
        description="Alur's proposal from the figures of the period; null: no data."
    )
    evidence: str = strawberry.field(description="The figures behind the proposal, in words.")
    judgement: MonevJudgement | None = strawberry.field(
        description="The assessor's judgement; null until given."
    )
    catatan: str
    tindakan: str = strawberry.field(description="The action to take.")


@strawberry.type(description="One version of a monev form: what made it, who, when.")
class MonevVersion:
    version: int
    what: str = strawberry.field(description="opened, saved, diparaf or reopened.")
    content_hash: str
    saved_by: str
    saved_at: datetime


@strawberry.type(
    description="The SOP monitoring form of one SOP for one period, pre-filled from the "
    "measured step times (Permenpan RB 35/2012)."
)
class MonevForm:
    id: int
    sop: str = strawberry.field(description="The SOP's id.")
    sop_name: str
    sop_nomor: str
    definition_hash: str = strawberry.field(description="The SOP definition it assesses.")
    period_start: date
    period_end: date
    state: MonevState
    due_on: date
    version: int = strawberry.field(
        description="Its version: give it back to save or initial, so that a change made "
        "meanwhile by someone else is refused (`stale_monev`), not overwritten."
    )
    content_hash: str = strawberry.field(description="What a paraf binds to.")
    rows: list[MonevRow]
    updated_by: str
    updated_at: datetime
    paraf_name: str | None
    paraf_jabatan: str | None
    paraf_nip: str | None
    paraf_at: datetime | None
    forms: strawberry.Private[MonevForms]
    user_id: strawberry.Private[int]

    @strawberry.field(description="Every version of the form, newest first.")
    async def versions(self) -> list[MonevVersion]:
        found = await self.forms.versions(self.user_id, self.id)
        return [
            MonevVersion(
                version=v.version,
                what=v.what,
                content_hash=v.content_hash,
                saved_by=v.saved_by,
                saved_at=v.saved_at,
            )
            for v in found
        ]


@strawberry.type
class MonevFormList:
    forms: list[MonevForm]


@strawberry.type
class MonevFormChanged:
    form: MonevForm


@strawberry.input(description="The assessor's entries for one kegiatan.")
class MonevRowInput:
    step: int = strawberry.field(description="The kegiatan's number.")
    judgement: MonevJudgement | None = strawberry.field(
        default=None, description="The judgement; null: none (yet)."
    )
    catatan: str | None = strawberry.field(default=None, description="null: keep it.")
    tindakan: str | None = strawberry.field(default=None, description="null: keep it.")


MonevFormsResult = Annotated[
    MonevFormList | Forbidden | NotFound, strawberry.union("MonevFormsResult")
]
MonevFormResult = Annotated[MonevForm | Forbidden | NotFound, strawberry.union("MonevFormResult")]
MonevActionResult = Annotated[
    MonevFormChanged | Forbidden | NotFound | InvalidInput | Conflict,
    strawberry.union("MonevActionResult"),
]
FormId = Annotated[int, strawberry.argument(description="The monev form's id.")]
Version = Annotated[
    int,
    strawberry.argument(description="The form's `version` as read (`stale_monev` if changed)."),
]


def form_node(r: MonevRecord, forms: MonevForms, user_id: int) -> MonevForm:
    def judged(value: str | None) -> MonevJudgement | None:
        return MonevJudgement(value) if value else None

    return MonevForm(
        id=r.id,
        sop=r.sop_id,
        sop_name=r.form.sop_name,
        sop_nomor=r.form.sop_nomor,
        definition_hash=r.definition_hash,
        period_start=r.period.start,
        period_end=r.period.end,
        state=MonevState(r.state),
        due_on=r.due_on,
        version=r.version,
        content_hash=r.content_hash,
        rows=[
            MonevRow(
                step=row.step,
                kegiatan=row.kegiatan,
                proposed=judged(row.proposed),
                evidence=row.evidence,
                judgement=judged(row.judgement),
                catatan=row.catatan,
                tindakan=row.tindakan,
            )
            for row in r.form.rows
        ],
        updated_by=r.updated_by,
        updated_at=r.updated_at,
        paraf_name=r.paraf_name or None,
        paraf_jabatan=r.paraf_jabatan or None,
        paraf_nip=r.paraf_nip or None,
        paraf_at=r.paraf_at,
        forms=forms,
        user_id=user_id,
    )


async def _forms(info: Info) -> tuple[MonevForms, int]:
    identity = info.context.identity
    assert identity is not None
    if identity.platform or identity.tenant_id is None or identity.user_id is None:
        raise ForbiddenError(
            what=gettext(
                "read the office's monev forms with this token: use a token of the office "
                "bound to a person"
            )
        )
    service, user_id = await acting_service(info)
    return MonevForms(service), user_id


async def _guarded(run: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await run()
    except AlurError as exc:
        return from_error(exc)


async def _acted(
    info: Info, act: Callable[[MonevForms, int], Awaitable[MonevRecord]]
) -> MonevActionResult:
    async def run() -> MonevFormChanged:
        forms, user_id = await _forms(info)
        return MonevFormChanged(form=form_node(await act(forms, user_id), forms, user_id))

    return await _guarded(run)


MAX_ROWS = 200  # more kegiatan than any SOP has


@strawberry.type
class MonevQuery:
    @strawberry.field(
        description="The office's SOP monitoring forms, newest period first (its leaders, "
        "admin and monev assessor).",
        extensions=authenticated(),
    )
    async def monev_forms(self, info: Info) -> MonevFormsResult:
        async def run() -> MonevFormList:
            forms, user_id = await _forms(info)
            return MonevFormList(
                forms=[form_node(r, forms, user_id) for r in await forms.list(user_id)]
            )

        return await _guarded(run)

    @strawberry.field(description="One SOP monitoring form.", extensions=authenticated())
    async def monev_form(self, info: Info, id: FormId) -> MonevFormResult:
        async def run() -> MonevForm:
            forms, user_id = await _forms(info)
            return form_node(await forms.get(user_id, id), forms, user_id)

        return await _guarded(run)


@strawberry.type
class MonevMutation:
    @strawberry.mutation(
        description="Save the assessor's judgements, catatan and tindakan (a new version; "
        "kegiatan not given keep theirs). Every problem at once, by field "
        "(`rows.3.catatan`).",
        extensions=writing(),
    )
    async def save_monev_form(
        self, info: Info, id: FormId, version: Version, rows: list[MonevRowInput]
    ) -> MonevActionResult:
        values: dict[str, dict[str, Any]] = {}
        twice = sorted({r.step for r in rows if sum(1 for x in rows if x.step == r.step) > 1})
        for row in rows[:MAX_ROWS]:
            entry: dict[str, Any] = {"judgement": row.judgement.value if row.judgement else ""}
            if row.catatan is not None:
                entry["catatan"] = row.catatan
            if row.tindakan is not None:
                entry["tindakan"] = row.tindakan
            values[str(row.step)] = entry

        async def save(forms: MonevForms, user_id: int) -> MonevRecord:
            # a kegiatan given twice, or more rows than any SOP has: said, never guessed
            if len(rows) > MAX_ROWS:
                raise InvalidInputError(
                    {"rows": format_message("At most {count} rows.", count=MAX_ROWS)}
                )
            if twice:
                raise InvalidInputError(
                    {
                        f"rows.{n}": gettext("This kegiatan is given twice; give it once.")
                        for n in twice[:20]
                    }
                )
            return await forms.save(user_id, id, values, version=version)

        return await _acted(info, save)

    @strawberry.mutation(
        description="The assessor's paraf: only a holder of the assessor role in their own "
        "right (not as Plt/Plh), every kegiatan judged; binds the paraf to the content hash; "
        "the form is read-only afterwards.",
        extensions=writing(),
    )
    async def paraf_monev_form(
        self,
        info: Info,
        id: FormId,
        version: Version,
        password: Annotated[
            str | None,
            strawberry.argument(
                description="The password of the person the token acts for, asked again: "
                "required; a wrong one is InvalidInput on `password`."
            ),
        ] = None,
    ) -> MonevActionResult:
        return await _acted(info, lambda f, u: f.paraf(u, id, version=version, password=password))

    @strawberry.mutation(
        description="The office admin withdraws the paraf (a new version, same content).",
        extensions=writing(),
    )
    async def reopen_monev_form(self, info: Info, id: FormId, note: str = "") -> MonevActionResult:
        return await _acted(info, lambda f, u: f.reopen(u, id, note))
