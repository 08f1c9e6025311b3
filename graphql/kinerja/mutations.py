"""Data kinerja mutations: the format of a period and a unit's realisasi, written at an open
task of the step bound to them.

``saveIndicatorSet`` and ``copyIndicatorSet`` act at a task of a ``design`` step,
``saveRealisasi`` at a unit's task of a ``fill`` step — the same
:class:`~alur.tenants.kinerja.service.KinerjaService` calls the web UI makes, as the write token's
person (their role, unit and Plt/Plh delegations decide; a task claimed by someone else is
``Forbidden``). Each save is one transaction: on ``InvalidInput`` nothing was saved. The step
is then completed with ``completeTask`` / ``decideGate``, which refuse a design step without a
format or a fill step without the unit's data, and record the paraf and tanda tangan that
``Case.kinerja.approvals`` lists.

Numbers are typed as canonical decimals, "87.5" or "-3" ("1,234.5" is read too): the forms
are read with ``language="en"`` whatever ``Accept-Language`` says, so a payload means the
same in every request — in Indonesian notation "1.234" would be 1234, not 1.234.

Evidence files are not taken over GraphQL (no multipart uploads: a JSON API stays usable
from any client, and strawberry's multipart support would have to be opened up against
CSRF); a saved version keeps the evidence of the previous one, and files are attached in
the web UI.

``InvalidInput.fields`` name the argument paths:

======================================  ==============================================
service key                             GraphQL field
======================================  ==============================================
``"{row}.{field}"`` (format)            ``indicators.{row}.{field in camelCase}``
``"indicators"`` (format)               ``indicators``
``"from_period"``                       ``fromPeriod``
``"{code}.realisasi"`` / ``.explanation``  ``values.{i}.realisasi`` / ``.explanation``,
                                        ``i`` the index of the value with that code
the same for a code not given           ``values``, the message prefixed "{code}: "
``"indicators"`` (no indicator to fill)  ``values``
``"{code}.code"`` (given twice, or not   ``values.{i}.code``, ``i`` the index of the
reported by the unit)                   last value with that code
======================================  ==============================================

The codes are checked by the service
(:func:`~alur.tenants.kinerja.rules.values_by_code`), as for the web form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any

import strawberry

from alur.core.errors import AlurError
from alur.graphql.cases.mutations import CaseKey, TaskNumber, acting_service
from alur.graphql.cases.types import Case, case_node
from alur.graphql.errors import (
    ActionRefused,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    from_error,
)
from alur.graphql.kinerja.types import (
    Direction,
    IndicatorSet,
    Submission,
    indicator_set_node,
    submission_node,
)
from alur.graphql.permissions import writing
from alur.graphql.types import Info
from alur.tenants.cases.store import StoredCase
from alur.tenants.errors import InvalidInput as InvalidInputError
from alur.tenants.kinerja.service import KinerjaService

FORMAT_FIELDS = {"unit_of_measure": "unitOfMeasure", "allow_negative": "allowNegative"}
ENTRY_FIELDS = ("realisasi", "explanation", "evidence")


@strawberry.input(description="One indicator of the format.")
class IndicatorInput:
    code: str = strawberry.field(description='Unique in the format, e.g. "IKU-1".')
    sasaran: str
    text: str = strawberry.field(description="The indicator.")
    unit_of_measure: str = strawberry.field(description='Satuan, e.g. "%".')
    target: str = strawberry.field(description='A canonical decimal, e.g. "100" or "12.5".')
    direction: Direction = Direction.HIGHER
    units: list[str] | None = strawberry.field(
        default=None, description="Unit slugs that report it (default: every unit)."
    )
    allow_negative: bool = False


@strawberry.input(description="A unit's realisasi of one indicator.")
class RealisasiInput:
    code: str = strawberry.field(description="The indicator's code.")
    realisasi: str = strawberry.field(description='A canonical decimal, e.g. "87.5".')
    explanation: str = strawberry.field(
        default="", description="Required when the capaian is below 100 % or the target is 0."
    )


@strawberry.type(description="The format was saved.")
class IndicatorSetSaved:
    indicator_set: IndicatorSet
    case: Case


@strawberry.type(description="A new version of the unit's data was saved.")
class RealisasiSaved:
    submission: Submission
    case: Case


IndicatorSetResult = Annotated[
    IndicatorSetSaved | Forbidden | NotFound | Conflict | InvalidInput | ActionRefused,
    strawberry.union("IndicatorSetResult"),
]
RealisasiResult = Annotated[
    RealisasiSaved | Forbidden | NotFound | Conflict | InvalidInput | ActionRefused,
    strawberry.union("RealisasiResult"),
]

Write = Callable[[KinerjaService, int, StoredCase], Awaitable[Any]]
Paths = Callable[[Mapping[str, str]], dict[str, str]]


async def at_task(info: Info, case_key: str, write: Write, paths: Paths) -> Any:
    """Run a data kinerja write: the case first (another office's key is ``NotFound``), then
    the person, then ``write``; expected errors become results, with the service's field
    keys renamed by ``paths``."""
    try:
        service = await info.context.tenant_service()
        case = await service.case(case_key)
        service, user_id = await acting_service(info)
        return await write(KinerjaService(service), user_id, case)
    except InvalidInputError as exc:
        return from_error(InvalidInputError(paths(exc.errors)))
    except AlurError as exc:
        return from_error(exc)


async def case_now(info: Info, case: StoredCase) -> Case:
    """The case as it is after a write (the request's loaders forget what they had)."""
    loaders = info.context.loaders
    loaders.forget_case(case.id)
    loaders.forget_indicator_set(case.tenant_id, case.period)
    row = await loaders.cases.load(case.id)
    assert row is not None
    return case_node(row)


def format_paths(errors: Mapping[str, str]) -> dict[str, str]:
    """``"{row}.{field}"`` → ``"indicators.{row}.{graphqlField}"`` (module docstring)."""
    renamed = {}
    for key, message in errors.items():
        row, dot, field = key.partition(".")
        if dot and row.isdigit():
            key = f"indicators.{row}.{FORMAT_FIELDS.get(field, field)}"
        renamed[key] = message
    return renamed


def copy_paths(errors: Mapping[str, str]) -> dict[str, str]:
    return {"fromPeriod" if k == "from_period" else k: v for k, v in errors.items()}


def realisasi_paths(values: Sequence[RealisasiInput]) -> Paths:
    """``"{code}.{field}"`` → ``"values.{i}.{field}"`` (module docstring)."""
    index = {v.code: i for i, v in reversed(list(enumerate(values)))}
    last = {v.code: i for i, v in enumerate(values)}

    def paths(errors: Mapping[str, str]) -> dict[str, str]:
        renamed: dict[str, str] = {}
        for key, message in errors.items():
            code, dot, field = key.rpartition(".")
            if key == "indicators":
                renamed["values"] = message
            elif dot and field == "code" and code in last:
                renamed[f"values.{last[code]}.code"] = message
            elif dot and field in ENTRY_FIELDS and code in index:
                renamed[f"values.{index[code]}.{field}"] = message
            elif dot and field in ENTRY_FIELDS:
                shown = f"{code}: {message}"
                renamed["values"] = (
                    f"{renamed['values']}; {shown}" if "values" in renamed else shown
                )
            else:
                renamed[key] = message
        return renamed

    return paths


def indicator_rows(indicators: Sequence[IndicatorInput]) -> list[dict[str, str]]:
    """The format's rows as the web form sends them (read by ``read_indicator_set``)."""
    return [
        {
            "code": i.code,
            "sasaran": i.sasaran,
            "text": i.text,
            "unit_of_measure": i.unit_of_measure,
            "target": i.target,
            "direction": i.direction.value,
            "units": " ".join(i.units or ()),
            "allow_negative": "true" if i.allow_negative else "",
        }
        for i in indicators
    ]


@strawberry.type
class KinerjaMutation:
    @strawberry.mutation(
        description="Replace the format data kinerja of the case's period, at an open task of "
        "a step where the format is designed.",
        extensions=writing(),
    )
    async def save_indicator_set(
        self, info: Info, case_key: CaseKey, task: TaskNumber, indicators: list[IndicatorInput]
    ) -> IndicatorSetResult:
        async def write(kinerja: KinerjaService, user_id: int, case: StoredCase) -> Any:
            rows = indicator_rows(indicators)
            saved = await kinerja.save_indicator_set(user_id, case_key, task, rows, language="en")
            return IndicatorSetSaved(
                indicator_set=indicator_set_node(saved, case.tenant_id),
                case=await case_now(info, case),
            )

        return await at_task(info, case_key, write, format_paths)

    @strawberry.mutation(
        description="Copy the format of an earlier period into the case's period (replacing "
        "its format), at an open task of a step where the format is designed.",
        extensions=writing(),
    )
    async def copy_indicator_set(
        self,
        info: Info,
        case_key: CaseKey,
        task: TaskNumber,
        from_period: Annotated[
            str, strawberry.argument(description='The period to copy, e.g. "Triwulan II 2026".')
        ],
    ) -> IndicatorSetResult:
        async def write(kinerja: KinerjaService, user_id: int, case: StoredCase) -> Any:
            saved = await kinerja.copy_indicator_set(user_id, case_key, task, from_period)
            return IndicatorSetSaved(
                indicator_set=indicator_set_node(saved, case.tenant_id),
                case=await case_now(info, case),
            )

        return await at_task(info, case_key, write, copy_paths)

    @strawberry.mutation(
        description="Save a new version of a unit's realisasi, at the unit's open task of the "
        "step where the units fill in their data. Give every indicator the unit reports; the "
        "evidence of the previous version is kept.",
        extensions=writing(),
    )
    async def save_realisasi(
        self, info: Info, case_key: CaseKey, task: TaskNumber, values: list[RealisasiInput]
    ) -> RealisasiResult:
        async def write(kinerja: KinerjaService, user_id: int, case: StoredCase) -> Any:
            given = [
                (v.code, {"realisasi": v.realisasi, "explanation": v.explanation}) for v in values
            ]
            saved = await kinerja.save_submission(user_id, case_key, task, given, language="en")
            return RealisasiSaved(
                submission=submission_node(saved), case=await case_now(info, case)
            )

        return await at_task(info, case_key, write, realisasi_paths(values))
