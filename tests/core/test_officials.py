"""How officials are written on a letter (alur.core.officials): NIP spacing, the full jabatan."""

from __future__ import annotations

from datetime import date

import pytest

from alur.core.officials import format_nip, full_jabatan, nip_problem, normalize_nip

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


TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    "nip",
    [
        "",  # not known (honorer)
        "197001011990031001",
        "19700101 199003 1 001",  # typed as printed
        "199912312026122999",  # TMT this month, a woman, serial 999
        "194002291958021001",  # 29 February 1940 (a leap year)
    ],
)
def test_a_nip_that_holds(nip: str) -> None:
    assert nip_problem(nip, TODAY) is None


@pytest.mark.parametrize(
    ("nip", "says"),
    [
        ("19700101199003100", "18 digits"),
        ("1970010119900310011", "18 digits"),
        ("19700101-199003-1-001", "18 digits"),
        ("１９７００１０１１９９００３１００１", "18 digits"),  # full-width digits
        ("197002301990031001", "date of birth"),  # 30 February
        ("193912311960031001", "before 1940"),
        ("197001011990131001", "not a month"),
        ("197001011990001001", "not a month"),
        ("197006011987051001", "17 years"),  # TMT at 16 years 11 months
        ("197001012027011001", "in the future"),
        ("197001011990033001", "gender"),
        ("197001011990030001", "gender"),
        ("197001011990031000", "000"),
    ],
)
def test_a_nip_that_does_not_hold_says_why(nip: str, says: str) -> None:
    problem = nip_problem(nip, TODAY)
    assert problem is not None
    assert says in problem


def test_a_nip_is_stored_without_its_spaces() -> None:
    assert normalize_nip(" 19700101 199003 1 001 ") == "197001011990031001"
    assert format_nip(normalize_nip("19700101 199003 1 001")) == "19700101 199003 1 001"
