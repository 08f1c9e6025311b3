"""Helpers of test_graphql_isolation.py: every scalar argument of the schema (walked, not listed),
the arguments declared not to be identifiers (with the reason), and office B made worth
leaking (a case carried to a per-unit fan-out with a claimed task, its people and cursors, a draft
revision of its SOP)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)

from alur.core.engine import Claim, Complete
from alur.graphql.schema import schema
from alur.graphql.testing import OFFICE_B, SOP_B, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_policy import save_policy
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.tables import Notification, Webhook

GHOST = "zz-hantu-zz"  # an identifier of nothing, of any kind


VALUE = "<value>"  # what the probed value (B's or the ghost) is replaced with before comparing


PI = "pageInfo { endCursor }"


B_WEBHOOK = "https://b.example.org/rahasia-b"  # office B's webhook


# --- the schema's arguments ----------------------------------------------------------------


def _scalar_paths(prefix: str, type_: Any) -> Iterator[str]:
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        for name, input_field in named.fields.items():
            yield from _scalar_paths(f"{prefix}.{name}", input_field.type)
    elif isinstance(named, GraphQLScalarType) and named.name != "Boolean":
        yield prefix


def schema_arguments() -> set[str]:
    """``Type.field(argument.input_field…)`` of every non-Boolean scalar argument reachable
    from the root types (enums cannot carry an identifier of another office)."""
    gql_schema = schema._schema
    found: set[str] = set()
    seen: set[str] = set()
    todo: list[Any] = [gql_schema.query_type, gql_schema.mutation_type]
    while todo:
        owner = todo.pop()
        if owner is None or owner.name in seen or owner.name.startswith("__"):
            continue
        seen.add(owner.name)
        if isinstance(owner, GraphQLUnionType):
            todo.extend(owner.types)
            continue
        if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for name, f in owner.fields.items():
            assert isinstance(f, GraphQLField)
            for arg_name, arg in f.args.items():
                found.update(_scalar_paths(f"{owner.name}.{name}({arg_name}", arg.type))
            todo.append(get_named_type(f.type))
    return {path + ")" for path in found}


NOT_IDENTIFIERS = {
    "Query.cases(first)": "a page size",
    "Query.tasks(first)": "a page size",
    "Query.cases(filter.period)": "free text, matched within the token's own office",
    "Query.cases(filter.updatedSince)": "a time",
    "Mutation.startCase(input.period)": 'a period, e.g. "Triwulan III 2026"',
    "Mutation.cancelCase(reason)": "free text",
    "Mutation.previewCaseMove(mapping.from)": "a step number of the SOP of the cases named",
    "Mutation.previewCaseMove(mapping.to)": "a step number of the SOP of the cases named",
    "Mutation.moveCases(mapping.from)": "a step number of the SOP of the cases named",
    "Mutation.moveCases(mapping.to)": "a step number of the SOP of the cases named",
    "Mutation.startCase(input.durations.step)": "a step number of the SOP being started",
    "Mutation.startCase(input.durations.waktu)": 'a duration, e.g. "3 hari"',
    "Mutation.completeTask(note)": "free text",
    "Mutation.completeTask(data)": "the step's output",
    "Mutation.completeTask(password)": "the token's own person's password (paraf/sign)",
    "Mutation.approveSopRevision(password)": "the token's own person's password (pengesahan)",
    "Mutation.decideGate(password)": "the token's own person's password (paraf/sign)",
    "Mutation.decideGate(note)": "free text",
    # a task's number only means something within its case: probed with B's case key
    "Mutation.claimTask(task)": "a number within the case named by caseKey",
    "Mutation.completeTask(task)": "a number within the case named by caseKey",
    "Mutation.decideGate(task)": "a number within the case named by caseKey",
    "Mutation.reassignTask(task)": "a number within the case named by caseKey",
    "Mutation.unclaimTask(task)": "a number within the case named by caseKey",
    "Mutation.saveIndicatorSet(task)": "a number within the case named by caseKey",
    "Mutation.copyIndicatorSet(task)": "a number within the case named by caseKey",
    "Mutation.saveRealisasi(task)": "a number within the case named by caseKey",
    # the format's content: new text for the case's own office (units are probed)
    "Mutation.saveIndicatorSet(indicators.code)": "a new indicator code",
    "Mutation.saveIndicatorSet(indicators.sasaran)": "free text",
    "Mutation.saveIndicatorSet(indicators.text)": "free text",
    "Mutation.saveIndicatorSet(indicators.unitOfMeasure)": "free text",
    "Mutation.saveIndicatorSet(indicators.target)": "a number",
    "Mutation.saveRealisasi(values.code)": "an indicator code of the format of the case named",
    "Mutation.saveRealisasi(values.realisasi)": "a number",
    "Mutation.saveRealisasi(values.explanation)": "free text",
    "Query.notifications(first)": "a page size",
    "Query.mutuBaku(from)": "a date",
    "Query.mutuBaku(to)": "a date",
    "Query.provinceMutuBaku(plugin)": "an installed plugin's name: platform tokens only (an "
    "office's token is refused before it is read); the figures name offices on purpose",
    "Query.provinceMutuBaku(sop)": "an SOP id of the plugin named: platform tokens only",
    "Query.provinceMutuBaku(from)": "a date",
    "Query.provinceMutuBaku(to)": "a date",
    "Query.officeOverview(period)": "a period of the token's own office's cases; any other "
    "text selects the period containing today",
    "Query.notifications(before)": "a position in the token's person's own list: an id "
    "bound, which selects nothing of anyone else's",
    "Webhook.deliveries(first)": "a page size",
    "Mutation.createWebhook(url)": "a new URL for the token's own office",
    "Mutation.createWebhook(events)": "event kinds, the same in every office",
    # an office's SOP revisions: numbers within the SOP named by ``sop`` (probed)
    "Query.sopRevision(number)": "a revision's number within the SOP named by sop",
    "Query.sopComparison(from)": "a revision's number within the SOP named by sop",
    "Query.sopComparison(to)": "a revision's number within the SOP named by sop",
    "Mutation.saveSopDraft(number)": "a revision's number within the SOP named by sop",
    "Mutation.submitSopRevision(number)": "a revision's number within the SOP named by sop",
    "Mutation.returnSopRevision(number)": "a revision's number within the SOP named by sop",
    "Mutation.approveSopRevision(number)": "a revision's number within the SOP named by sop",
    "Mutation.revokeSopRevision(number)": "a revision's number within the SOP named by sop",
    "Mutation.saveSopDraft(version)": "the edit counter of the revision named",
    "Mutation.submitSopRevision(version)": "the edit counter of the revision named",
    "Mutation.approveSopRevision(version)": "the edit counter of the revision named",
    "Mutation.saveSopDraft(part)": "the office's own part of the revision named",
    "Mutation.saveSopDraft(effectiveOn)": "a date",
    "Mutation.returnSopRevision(note)": "free text",
    "Mutation.revokeSopRevision(note)": "free text",
    "Mutation.saveMonevForm(version)": "the version of the monev form named",
    "Mutation.saveMonevForm(rows.step)": "a kegiatan number of the monev form named",
    "Mutation.saveMonevForm(rows.catatan)": "free text",
    "Mutation.saveMonevForm(rows.tindakan)": "free text",
    "Mutation.parafMonevForm(version)": "the version of the monev form named",
    "Mutation.parafMonevForm(password)": "the token's own person's password (paraf)",
    "Mutation.reopenMonevForm(note)": "free text",
}


# --- office B, worth leaking ---------------------------------------------------------------


@dataclass
class OfficeB:
    """B's identifiers (each a real one, used by B) and what must never show up for A."""

    values: dict[str, Any]
    markers: set[str]


B_PEOPLE = {  # username: (role, unit or None); unit "*" = one person per unit of B
    "b.sekretaris": ("sekretaris", None),
    "b.renval": ("kasubbag_renval", None),
    "b.petugas": ("petugas", None),
    "b.kabid": ("kepala_bidang", "*"),
}


async def office_b_worth_leaking(world: World) -> OfficeB:
    """Carry B's case to its per-unit step 7, one task claimed; B's identifiers."""
    b = world.b
    roles = b.sop(SOP_B).roles_by_id
    a_units = {u["slug"] for u in await world.a.units()}
    b_units = [u["slug"] for u in await b.units() if u["active"]]
    people: dict[str, int] = {"b.kepala": world.users["b.kepala"]}
    names = {"Kepala Dinas (B)"}
    for username, (role, unit) in B_PEOPLE.items():
        for u in b_units if unit == "*" else [None]:
            login = f"{username}.{u}" if u else username
            user = await create_user(login, f"{login.title()} (B)", "rahasia-2026")
            await add_membership(b.ref.id, user.id, roles[role], u)
            people[login] = user.id
            names.add(f"{login.title()} (B)")
    key = world.case_b
    steps = {1: "b.kepala", 2: "b.sekretaris", 3: "b.renval", 4: "b.petugas", 5: "b.renval"}
    steps[6] = "b.petugas"
    for task, login in steps.items():
        await fill_in_sample(KinerjaService(b), people[login], key, task)  # the data kinerja
        await b.act(people[login], key, Complete(task, f"catatan rahasia B {task}"))
    fanned = [t for t in (await b.case(key)).state.open_tasks.values() if t.step == 7]
    assert len(fanned) == len(b_units) >= 1
    only_b = [t for t in fanned if t.unit not in a_units]
    assert only_b, f"every unit of B is also a unit of A: {b_units}"
    claimed = only_b[0]
    claimer = f"b.kabid.{claimed.unit}"
    await b.act(people[claimer], key, Claim(claimed.id))
    await fill_in_sample(KinerjaService(b), people[claimer], key, claimed.id)  # B's unit's data

    async def cursor(query: str) -> str:
        data = await world.data(query, "b-write")
        (connection,) = data.values()
        return connection["pageInfo"]["endCursor"]

    values = {
        "case": key,
        "slug": OFFICE_B,
        "sop": SOP_B,
        "unit": claimed.unit,
        "period": (await b.case(key)).period,  # B has a format data kinerja of it
        "role": "kepala_bidang",
        "username": claimer,
        "case-cursor": await cursor("{ cases(first: 1) { ... on CaseConnection { " + PI + " } } }"),
        "task-cursor": await cursor("{ tasks(first: 1) { ... on TaskConnection { " + PI + " } } }"),
    }
    # B's own draft of its SOP (revision 0), by its administrator
    admin = await create_user("b.admin", "Admin (B)", "rahasia-2026")
    await add_membership(b.ref.id, admin.id, None, administrator=True)
    people["b.admin"] = admin.id
    names.add("Admin (B)")
    await SopRevisions(b, admin.id).start_draft(SOP_B)
    hook = Webhook(tenant=b.ref.id, url=B_WEBHOOK, secret="whsec_b", events="[]")
    await hook.save()
    told = Notification(
        tenant=b.ref.id, user=people["b.kepala"], kind="task_reminded", key="isolation:b"
    )
    await told.save()
    values |= {"webhook": hook.id, "notification": told.id}
    # B's monev form (its assessor has read the notice of it)
    await save_policy(b, admin.id, "kasubbag_renval", 6)
    (form, *_) = await MonevForms(b).open_now(admin.id)
    await Notification.update({Notification.read_at: form.opened_at}).where(
        (Notification.tenant == b.ref.id) & (Notification.kind == "monev_opened")
    )
    values["monev"] = form.id
    markers = {key, OFFICE_B, "Kesbangpol", SOP_B, "catatan rahasia B", *people, *names}
    markers.add(B_WEBHOOK)
    markers |= {f'"{u}"' for u in b_units if u not in a_units}  # as JSON strings
    markers |= {"kepala_bidang", "kasubbag_renval"}
    return OfficeB(values, markers)
