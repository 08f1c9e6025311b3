"""The signed report as PDF (alur.reports.pdf), from a recap built with the real
:func:`alur.core.kinerja.recap.build_recap`, read back with pypdf: the recap table, the
signature block (name, "NIP. ...", "Plh."), the invalidated paraf, the draft marker, the
page header repeated on a long recap, escaping, DejaVu embedded, and nothing fetched."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from alur.core.kinerja.model import (
    Approval,
    ApprovalKind,
    Entry,
    Indicator,
    IndicatorSet,
    Recap,
    Submission,
)
from alur.core.kinerja.recap import build_recap
from alur.reports.pdf import css_string, no_network_fetcher, signed_report_pdf
from tests.reports.reports_helpers import (
    OFFICE,
    PERIOD,
    SIGNER_NIP,
    SOP,
    UNIT_NAMES,
    D,
    approvals,
)

GOVERNMENT = "Pemerintah Kabupaten Banyumas"


# --- PDF ------------------------------------------------------------------------------------


def pdf_pages(recap: Recap, apps: list[Approval], language: str = "id", **kw: str) -> list[str]:
    data = signed_report_pdf(
        recap,
        office=kw.get("office", OFFICE),
        government=GOVERNMENT,
        sop_name=SOP,
        period=PERIOD,
        unit_names=UNIT_NAMES,
        approvals=apps,
        place_and_date=kw.get("place_and_date", "Purwokerto, 2 Oktober 2026"),
        language=language,
    )
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(BytesIO(data)).pages]


def flat(text: str) -> str:
    """The text with line breaks as spaces (table cells wrap)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def signed_id(recap: Recap) -> str:
    pages = pdf_pages(recap, approvals(recap))
    assert len(pages) == 1
    return pages[0]


def test_the_signed_report_shows_the_recap_table(signed_id: str) -> None:
    text = flat(signed_id)
    # the kop and the title are in capitals, as on an official letter
    for expected in (GOVERNMENT.upper(), OFFICE.upper(), "REKAPITULASI DATA KINERJA"):
        assert expected in text
    assert f"Periode: {PERIOD}" in text
    assert "Indikator Kinerja" in text
    assert "Capaian Indikator (%)" in text
    # Indonesian notation: "." groups thousands, "," is the decimal sign.
    assert "Nilai SAKIP nilai 1.234,5 1.300,25 105,33 1.234,5 100,00" in text
    assert "Persentase perda yang ditegakkan % 80 84 105,00 72,5 90,63 — — 97,81" in text
    assert "Jumlah perda baru dokumen 0 3 target 0 0 target 0 — — target 0" in text
    assert "Jumlah (2 dari 3 indikator dihitung) 257,81" in text
    assert "Rata-rata 128,91" in text


def test_the_signature_block_of_an_acting_official(signed_id: str) -> None:
    lines = [line.strip() for line in signed_id.splitlines()]
    signature = lines.index("Purwokerto, 2 Oktober 2026")
    assert lines[signature + 1 : signature + 4] == [
        "Plh. Kepala Satuan Polisi Pamong Praja",  # already names the office: kept as it is
        "Budi Santoso",
        "NIP. 19700101 199001 1 001",  # SIGNER_NIP, spaced
    ]
    assert "Ditandatangani secara elektronik di Alur pada 2 Okt 2026 10.15 WIB" in signed_id
    assert "BELUM DITANDATANGANI" not in signed_id


def test_a_paraf_of_changed_data_is_marked_invalid(signed_id: str) -> None:
    text = flat(signed_id)  # the paraf list beside the signature: its cells wrap
    kurnia = text.split("Kurnia Dewi", 1)[1].split("Paraf", 1)[0]
    assert kurnia.strip().endswith("tidak berlaku: data berubah")
    assert "1 Okt 2026 09.00 WIB" in kurnia
    siti = text.split("Siti Rahayu", 1)[1].split("Tanda tangan", 1)[0]
    assert siti.strip().endswith("berlaku")
    assert "tidak" not in siti


def test_the_footer_has_no_hash_and_the_page_numbers(recap: Recap, signed_id: str) -> None:
    # the 64-character hash gave way to the verification line (test_reports_letter.py)
    assert recap.content_hash not in flat(signed_id).replace(" ", "")
    assert "Halaman 1 dari 1" in signed_id


@pytest.mark.parametrize("acting", ["Plt", ""])
def test_plt_and_definitive_signers(recap: Recap, acting: str) -> None:
    text = pdf_pages(recap, approvals(recap, acting=acting))[0]
    jabatan = "Kepala Satuan Polisi Pamong Praja"
    lines = [line.strip() for line in text.splitlines()]
    expected = f"Plt. {jabatan}" if acting else jabatan
    assert lines[lines.index("Budi Santoso") - 1] == expected
    assert "Plh." not in text


def test_an_unsigned_report_is_a_draft(recap: Recap) -> None:
    text = pdf_pages(recap, approvals(recap, signed=False))[0]
    assert flat(text).count("BELUM DITANDATANGANI — draf") >= 3  # on top, signature, footer
    assert "Budi Santoso" not in text
    assert "NIP. " not in text


def test_a_signature_of_an_earlier_recap_does_not_sign_this_one(recap: Recap) -> None:
    stale = [Approval(ApprovalKind.SIGN, 7, "f" * 64, "Budi Santoso", "Kepala", nip=SIGNER_NIP)]
    text = pdf_pages(recap, stale)[0]
    assert "BELUM DITANDATANGANI" in text
    budi = flat(text).split("Budi Santoso", 1)[1]
    assert budi.split("Purwokerto", 1)[0].strip().endswith("tidak berlaku: data berubah")
    assert "NIP. 19700101 199001 1 001" not in text


def test_the_report_in_english(recap: Recap) -> None:
    text = pdf_pages(recap, approvals(recap, signed=False), language="en")[0]
    assert "NOT SIGNED — draft" in flat(text)
    assert "not valid: the data changed" in flat(text)
    assert "Nilai SAKIP nilai 1,234.5 1,300.25 105.33" in flat(text)
    assert "Page 1 of 1" in text


def test_a_long_recap_repeats_the_header_on_every_page() -> None:
    indicators = tuple(
        Indicator(f"IKU-{n}", f"Sasaran {n // 20 + 1}", f"Indikator nomor {n}", "%", D("100"))
        for n in range(1, 61)
    )
    entries = tuple(Entry(i.code, D(90)) for i in indicators)
    long = build_recap(
        IndicatorSet(PERIOD, indicators),
        ("gakperda",),
        {"gakperda": Submission("gakperda", 1, entries)},
    )
    pages = pdf_pages(long, approvals(long))
    assert len(pages) > 1
    for page in pages[1:]:
        assert "Indikator Kinerja" in page
        assert "Bidang Gakperda" in page
    assert "Indikator nomor 60" in "".join(pages)
    assert f"Halaman 2 dari {len(pages)}" in pages[1]
    assert "Budi Santoso" in pages[-1]


def test_text_is_escaped_and_nothing_is_fetched(recap: Recap) -> None:
    office = 'Dinas <img src="http://example.invalid/x.png"> & "Kominfo"'
    text = pdf_pages(recap, approvals(recap), office=office)[0]
    assert office.upper() in text  # shown as text (capitals: the kop), not interpreted as HTML
    fetch = no_network_fetcher()
    for url in ("http://example.invalid/x.png", "https://example.invalid/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetch(url)
    assert fetch("data:text/plain,halo").read() == b"halo"


def test_css_strings_cannot_end_the_style_element() -> None:
    assert css_string('a "b" </style>\\') == '"a \\"b\\" \\3C /style\\3E \\\\"'


def test_the_pdf_embeds_dejavu(recap: Recap) -> None:
    data = signed_report_pdf(
        recap,
        office=OFFICE,
        government=GOVERNMENT,
        sop_name=SOP,
        period=PERIOD,
        unit_names=UNIT_NAMES,
        approvals=(),
    )
    page = PdfReader(BytesIO(data)).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert fonts
    assert all("+DejaVu-Sans" in name for name in fonts)
