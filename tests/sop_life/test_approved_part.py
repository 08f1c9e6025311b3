"""What approval writes into a revision's header: its signatory, and the dates it leaves
empty — but never over a date the office's SOP already has from the plugin."""

from __future__ import annotations

from alur.core.model import Official, SopHeader
from alur.core.sop_life.part import OfficePart, approved_part, starting_part

BASE = SopHeader(nomor="800/1", nama="SOP", tanggal_pembuatan="1 Agustus 2023")
HEAD = Official(nama="KEPALA", jabatan="Kepala", nip="1")


def approve(part: OfficePart, number: int = 0) -> OfficePart:
    return approved_part(
        part, number, HEAD, approved_on="3 Desember 2026", effective="4 Januari 2027", base=BASE
    )


def test_the_institution_keeps_its_tanggal_pembuatan() -> None:
    """The plugin's own institution starts from an empty part: its revision 0 follows the
    plugin's header, so approval keeps the date the SOP was made on."""
    header = approve(starting_part(None, institution=True)).header
    assert "tanggal_pembuatan" not in header
    assert header["tanggal_efektif"] == "4 Januari 2027"
    assert header["disahkan_oleh"] == HEAD


def test_another_office_gets_the_approval_date() -> None:
    header = approve(starting_part(None, institution=False)).header
    assert header["tanggal_pembuatan"] == "3 Desember 2026"


def test_a_later_revision_is_dated_by_its_approval() -> None:
    header = approve(OfficePart(), number=1).header
    assert header["tanggal_revisi"] == "3 Desember 2026"
