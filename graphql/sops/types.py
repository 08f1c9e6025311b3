"""SOP definitions as GraphQL types: the header with every Permenpan RB 35/2012 field, the
pelaksana (roles) and the steps with their mutu baku, gates and flags.

Plain data, built once per definition and office calendar (:func:`sop_definition`,
cached per request) — no resolvers, since every field is already known.
"""

from __future__ import annotations

import enum

import strawberry

from alur.core import model
from alur.core.durations import Duration


@strawberry.enum(description="The flowchart symbol of a step.")
class StepKind(enum.Enum):
    START = "start"
    PROCESS = "process"
    DECISION = "decision"
    END = "end"


@strawberry.enum(description="The unit of a step's standard time.")
class TimeUnit(enum.Enum):
    MENIT = "menit"
    JAM = "jam"
    HARI = "hari"


@strawberry.type(description="A named official, e.g. the one who signed the SOP.")
class Official:
    nama: str
    jabatan: str
    nip: str


@strawberry.type(description="The SOP identity block (Permenpan RB 35/2012), text as written.")
class SopHeader:
    nomor: str
    nama: str
    tanggal_pembuatan: str
    tanggal_revisi: str
    tanggal_efektif: str
    disahkan_oleh: Official
    dasar_hukum: list[str]
    kualifikasi_pelaksana: list[str]
    keterkaitan: list[str]
    peralatan_perlengkapan: list[str]
    peringatan: list[str]
    pencatatan_pendataan: list[str]


@strawberry.type(description="A pelaksana: the org role that performs steps.")
class Role:
    id: str
    name: str
    rank: int = strawberry.field(description="Seniority: larger is more senior.")
    per_unit: bool = strawberry.field(description="Held once per unit (e.g. every Kabid).")


@strawberry.type(description="A step's standard time (mutu baku: waktu).")
class Waktu:
    text: str = strawberry.field(description='As written in the SOP, e.g. "2 hari".')
    amount: float | None
    unit: TimeUnit | None
    determined_at_start: bool = strawberry.field(
        description='"Sesuai dengan waktu yang ditentukan": each case sets it when it starts.'
    )
    minutes: int | None = strawberry.field(
        description="In office minutes on the office's calendar (a hari is one office day)."
    )


@strawberry.type(description='A decision: "ya" continues, "tidak" returns to an earlier step.')
class Gate:
    question: str
    ya: int | None
    tidak: int | None


@strawberry.type(description="One kegiatan (uraian prosedur) with its pelaksana and mutu baku.")
class Step:
    number: int
    kegiatan: str
    actor: Role
    kind: StepKind
    kelengkapan: str
    waktu: Waktu
    output: str
    keterangan: str
    next: int | None = strawberry.field(description="The following step (not for decisions).")
    gate: Gate | None
    per_unit: bool = strawberry.field(description="Runs once per unit, in parallel, then joins.")
    delegable: bool = strawberry.field(description="False where a Plt/Plh may not act.")


@strawberry.type(name="SopDefinition", description="One SOP: header, pelaksana and steps.")
class SopDefinitionType:
    id: str
    version: str
    hash: str = strawberry.field(description="SHA-256 of its content; cases pin it.")
    header: SopHeader
    roles: list[Role]
    steps: list[Step]


def sop_definition(d: model.SopDefinition, minutes_per_day: int) -> SopDefinitionType:
    """The GraphQL form of ``d``; ``minutes_per_day`` is the office day of its office."""
    h = d.header
    roles = {r.id: Role(id=r.id, name=r.name, rank=r.rank, per_unit=r.per_unit) for r in d.roles}
    return SopDefinitionType(
        id=d.id,
        version=d.version,
        hash=d.content_hash,
        header=SopHeader(
            nomor=h.nomor,
            nama=h.nama,
            tanggal_pembuatan=h.tanggal_pembuatan,
            tanggal_revisi=h.tanggal_revisi,
            tanggal_efektif=h.tanggal_efektif,
            disahkan_oleh=Official(
                nama=h.disahkan_oleh.nama, jabatan=h.disahkan_oleh.jabatan, nip=h.disahkan_oleh.nip
            ),
            dasar_hukum=list(h.dasar_hukum),
            kualifikasi_pelaksana=list(h.kualifikasi_pelaksana),
            keterkaitan=list(h.keterkaitan),
            peralatan_perlengkapan=list(h.peralatan_perlengkapan),
            peringatan=list(h.peringatan),
            pencatatan_pendataan=list(h.pencatatan_pendataan),
        ),
        roles=list(roles.values()),
        steps=[_step(s, roles, minutes_per_day) for s in d.steps],
    )


def _step(s: model.Step, roles: dict[str, Role], minutes_per_day: int) -> Step:
    return Step(
        number=s.number,
        kegiatan=s.kegiatan,
        actor=roles[s.actor],
        kind=StepKind(str(s.kind)),
        kelengkapan=s.kelengkapan,
        waktu=waktu(s.waktu, minutes_per_day),
        output=s.output,
        keterangan=s.keterangan,
        next=s.next,
        gate=Gate(question=s.gate.question, ya=s.gate.ya, tidak=s.gate.tidak) if s.gate else None,
        per_unit=s.per_unit,
        delegable=s.delegable,
    )


def waktu(duration: Duration, minutes_per_day: int) -> Waktu:
    return Waktu(
        text=duration.text,
        amount=duration.amount,
        unit=TimeUnit(str(duration.unit)) if duration.unit is not None else None,
        determined_at_start=duration.determined_at_start,
        minutes=duration.office_minutes(minutes_per_day),
    )
