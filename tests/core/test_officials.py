"""How officials are written on a letter (alur.core.officials): NIP spacing, the full jabatan."""

from __future__ import annotations

import pytest

from alur.core.officials import format_nip, full_jabatan

SATPOL = "Satuan Polisi Pamong Praja Kabupaten Banyumas"


@pytest.mark.parametrize(
    ("given", "printed"),
    [
        ("197711072018013001", "19771107 201801 3 001"),
        ("19771107 201801 3 001", "19771107 201801 3 001"),
        ("19771107.201801.3.001", "19771107 201801 3 001"),
        (" 123456789 ", "123456789"),  # an old NIP: not guessed at
        ("1977110720180130011", "1977110720180130011"),  # 19 digits
        ("", ""),
    ],
)
def test_format_nip(given: str, printed: str) -> None:
    assert format_nip(given) == printed


@pytest.mark.parametrize(
    ("jabatan", "office", "title"),
    [
        ("Kepala Satuan", SATPOL, f"Kepala {SATPOL}"),
        ("Sekretaris", SATPOL, f"Sekretaris {SATPOL}"),
        ("Kasubag Perencanaan", SATPOL, f"Kepala Sub Bagian Perencanaan {SATPOL}"),
        (f"Kepala {SATPOL}", SATPOL, f"Kepala {SATPOL}"),  # already in full
        (
            "Kepala Dinas",
            "Badan Kesatuan Bangsa dan Politik Kota Pekalongan",
            "Kepala Badan Kesatuan Bangsa dan Politik Kota Pekalongan",
        ),
        (
            "Karo Organisasi",
            "Biro Organisasi Sekretariat Daerah Provinsi Kalimantan Barat",
            "Kepala Biro Organisasi Sekretariat Daerah Provinsi Kalimantan Barat",
        ),
        ("Kabid", "", "Kepala Bidang"),
        ("", SATPOL, ""),
    ],
)
def test_full_jabatan(jabatan: str, office: str, title: str) -> None:
    assert full_jabatan(jabatan, office) == title
