"""The comparison of two definitions (alur.core.sop_life.compare)."""

from __future__ import annotations

from alur.core.model import Official
from alur.core.sop_life.compare import compare
from alur.core.sop_life.part import OfficePart, apply_part


def test_changes_are_listed_by_header_field_then_step_and_field(installed) -> None:
    base = installed.sop("satpolpp_banyumas", "pengumpulan-data-kinerja")
    assert compare(base, base) == []
    step = base.steps[2].number
    after = apply_part(
        base,
        OfficePart(
            header={"nomor": "800/1/2027", "disahkan_oleh": Official("BUDI", "Kepala", "1")},
            steps={step: {"waktu": "9 hari", "keterangan": "baru"}},
        ),
    )
    changes = compare(base, after)
    assert [c.path for c in changes] == [
        "header.nomor",
        "header.disahkan_oleh",
        f"steps.{step}.waktu",
        f"steps.{step}.keterangan",
    ]
    waktu = changes[2]
    assert (waktu.before, waktu.after) == (base.step(step).waktu.text, "9 hari")
    assert changes[1].after == "BUDI / Kepala / 1"
