"""``mutuBaku`` and ``provinceMutuBaku``: the Mutu baku figures for integrators, from the
same services as the web's Mutu baku page and ``alur report mutu-baku``.

* ``mutuBaku`` is the token's office as the token's person may see it
  (:class:`~alur.tenants.monitoring.report.MutuBakuReports`): the office's leaders and its
  monev assessor read it, the leaders see it per person too; a token bound to no person and
  a platform token get ``Forbidden``.
* ``provinceMutuBaku`` is one SOP family across offices, offices named
  (:func:`~alur.tenants.monitoring.province.family_figures`): platform tokens only.

A bad filter is ``InvalidInput`` naming the argument (``sop``, ``unit``, ``from``, ``to``,
``plugin``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from alur.core.calendar import JAKARTA
from alur.core.errors import AlurError
from alur.core.i18n import gettext
from alur.graphql.cases.mutations import acting_service
from alur.graphql.errors import Forbidden, InvalidInput, from_error
from alur.graphql.monitoring.types import (
    MutuBakuReport,
    ProvinceMutuBaku,
    province_node,
    report_node,
)
from alur.graphql.permissions import authenticated
from alur.graphql.types import Info
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.monitoring.province import family_figures
from alur.tenants.monitoring.report import MutuBakuReports, ReportFilter

MutuBakuResult = Annotated[
    MutuBakuReport | Forbidden | InvalidInput, strawberry.union("MutuBakuResult")
]
ProvinceMutuBakuResult = Annotated[
    ProvinceMutuBaku | Forbidden | InvalidInput, strawberry.union("ProvinceMutuBakuResult")
]
# The service's field names, as the arguments are called here.
FIELD_NAMES = {"start": "from", "end": "to"}

From = Annotated[
    date | None,
    strawberry.argument(
        name="from", description="The period's first office date (default: six months ago)."
    ),
]
To = Annotated[
    date | None,
    strawberry.argument(name="to", description="The period's last office date (default: today)."),
]


@strawberry.type
class MutuBakuQuery:
    @strawberry.field(
        description="The token's office's Mutu baku figures: per SOP and step, how long the "
        "work actually took (office minutes) against the mutu baku, over a period (a span "
        "counts when it closed within it; at most three years). For the office's leaders "
        "and its monev assessor, as a token bound to them; per person for the leaders only.",
        extensions=authenticated(),
    )
    async def mutu_baku(
        self,
        info: Info,
        sop: Annotated[
            str | None, strawberry.argument(description="One SOP's id (default: every SOP).")
        ] = None,
        start: From = None,
        end: To = None,
        unit: Annotated[
            str | None,
            strawberry.argument(description="Only this unit's work (a unit's slug)."),
        ] = None,
    ) -> MutuBakuResult:
        identity = info.context.identity
        assert identity is not None
        try:
            if identity.platform or identity.tenant_id is None or identity.user_id is None:
                raise ForbiddenError(
                    what=gettext(
                        "read the Mutu baku figures with this token: use a token of the "
                        "office bound to a person"
                    )
                )
            service, user_id = await acting_service(info)
            f = ReportFilter.parse(sop, start, end, unit, today=service.today())
            found = await MutuBakuReports(service).report(user_id, f)
        except AlurError as exc:
            return from_error(exc, field_names=FIELD_NAMES)  # type: ignore[return-value]
        return report_node(found)

    @strawberry.field(
        description="One SOP family (an SOP of a plugin, whichever office runs it) across "
        "offices, offices named, over a period: per office and step, and every office "
        "together (the province median). Platform tokens only.",
        extensions=authenticated(),
    )
    async def province_mutu_baku(
        self,
        info: Info,
        plugin: Annotated[str, strawberry.argument(description="The plugin's name.")],
        sop: Annotated[str, strawberry.argument(description="The SOP's id.")],
        start: From = None,
        end: To = None,
    ) -> ProvinceMutuBakuResult:
        identity = info.context.identity
        assert identity is not None
        try:
            if not identity.platform:
                raise ForbiddenError(
                    what=gettext(
                        "read the figures across offices: they are for the platform's "
                        "operators (a platform token)"
                    )
                )
            today = info.context.now.astimezone(JAKARTA).date()
            f = ReportFilter.parse(sop, start, end, today=today)
            assert f.period is not None
            found = await family_figures(info.context.plugins, plugin, sop, f.period)
        except AlurError as exc:
            return from_error(exc, field_names=FIELD_NAMES)  # type: ignore[return-value]
        return province_node(found)
