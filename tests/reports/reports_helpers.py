"""Helpers of the export tests: the indicator set, the units' submissions and the approvals
the recaps are built from."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from alur.core.kinerja.model import (
    Approval,
    ApprovalKind,
    Direction,
    Entry,
    Evidence,
    Indicator,
    IndicatorSet,
    Recap,
    Submission,
)

D = Decimal


UNITS = ("gakperda", "linmas", "trantib")


UNIT_NAMES = {"gakperda": "Bidang Gakperda", "linmas": "Bidang Linmas"}  # trantib: no name


KETERTIBAN = "Meningkatnya ketertiban umum"


TATA_KELOLA = "Meningkatnya akuntabilitas kinerja"


OFFICE = "Satuan Polisi Pamong Praja"


SOP = "SOP Pengumpulan Data Kinerja"


PERIOD = "Triwulan III 2026"


SIGNER_NIP = "19700101 199001 1 001"


def indicator_set() -> IndicatorSet:
    return IndicatorSet(
        PERIOD,
        (
            Indicator("IKU-1", KETERTIBAN, "Persentase perda yang ditegakkan", "%", D("80")),
            Indicator(
                "IKU-2",
                KETERTIBAN,
                "Jumlah pengaduan ketertiban",
                "kasus",
                D("10"),
                Direction.LOWER,
                units=("linmas",),
            ),
            Indicator("IKU-3", KETERTIBAN, "Jumlah perda baru", "dokumen", D("0")),
            Indicator("IKU-4", TATA_KELOLA, "Nilai SAKIP", "nilai", D("1234.5")),
        ),
    )


def submissions() -> dict[str, Submission]:
    """gakperda and linmas filled in; trantib has not entered anything yet."""
    return {
        "gakperda": Submission(
            "gakperda",
            2,
            (
                Entry(
                    "IKU-1",
                    D("84"),
                    "Operasi gabungan sesuai rencana",
                    (Evidence("ba-operasi.pdf", "a" * 64), Evidence("foto.jpg", "b" * 64)),
                ),
                Entry("IKU-3", D("3"), "Tiga perda baru disahkan"),
                Entry("IKU-4", D("1300.25")),
            ),
        ),
        "linmas": Submission(
            "linmas",
            1,
            (
                Entry("IKU-1", D("72.5")),
                Entry("IKU-2", D("4"), "Pengaduan turun"),
                Entry("IKU-3", D("0")),
                Entry("IKU-4", D("1234.5")),
            ),
        ),
    }


def approvals(recap: Recap, *, acting: str = "Plh", signed: bool = True) -> list[Approval]:
    made = [
        Approval(
            ApprovalKind.PARAF,
            5,
            "0" * 64,  # a paraf of an earlier version of the data
            "Kurnia Dewi",
            "Kasubag Perencanaan",
            at=datetime(2026, 10, 1, 2, 0, tzinfo=UTC),
        ),
        Approval(
            ApprovalKind.PARAF,
            6,
            recap.content_hash,
            "Siti Rahayu",
            "Sekretaris",
            nip="19800101 200501 2 001",
            at=datetime(2026, 10, 2, 1, 0, tzinfo=UTC),
        ),
    ]
    if signed:
        made.append(
            Approval(
                ApprovalKind.SIGN,
                7,
                recap.content_hash,
                "Budi Santoso",
                "Kepala Satuan Polisi Pamong Praja",
                nip=SIGNER_NIP,
                acting=acting,
                acting_for="Agus Wibowo" if acting else "",
                at=datetime(2026, 10, 2, 3, 15, tzinfo=UTC),
            )
        )
    return made
