"""The signed report as an official letter (alur.reports.letter, signed_report.html): the kop with
the office's logo, place and date, the full jabatan, pangkat, spaced NIP, the verification line
and its QR code, a preview marked as such, and the signature block never alone on a page."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from io import BytesIO

import pytest
import segno
from PIL import Image
from pypdf import PdfReader

from alur.core.kinerja.model import Indicator, IndicatorSet, Recap
from alur.core.kinerja.recap import build_recap
from alur.reports.pdf import report_html, signed_report_pdf
from tests.reports.reports_helpers import (
    OFFICE,
    PERIOD,
    SOP,
    UNIT_NAMES,
    D,
    Entry,
    Submission,
    approvals,
)

BASE = "https://alur.jatengprov.go.id"
KOP = {
    "office": "Satuan Polisi Pamong Praja Kabupaten Banyumas",
    "government": "Pemerintah Kabupaten Banyumas",
    "address": "Jl. Prof. Dr. Soeharso No. 42 Purwokerto",
    "place_and_date": "Purwokerto, 2 Desember 2026",
}


def logo() -> tuple[bytes, str]:
    out = io.BytesIO()
    Image.new("RGB", (60, 70), "navy").save(out, "PNG")
    return out.getvalue(), "image/png"


def signed_by_kepala(recap: Recap):
    made = approvals(recap, acting="")
    made[-1] = replace(
        made[-1], jabatan="Kepala Satuan", nip="197711072018013001", pangkat="Pembina, IV/a"
    )
    return made


def text_of(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(BytesIO(pdf)).pages]


def test_the_letter_has_kop_place_date_title_pangkat_nip_and_verification(recap: Recap) -> None:
    kw = dict(sop_name=SOP, period=PERIOD, unit_names=UNIT_NAMES, base_url=BASE, **KOP)
    pdf = signed_report_pdf(recap, approvals=signed_by_kepala(recap), logo=logo(), **kw)
    (text,) = text_of(pdf)
    assert "PEMERINTAH KABUPATEN BANYUMAS SATUAN POLISI PAMONG PRAJA KABUPATEN BANYUMAS" in text
    assert KOP["address"] in text
    signature = text.split("Purwokerto, 2 Desember 2026", 1)[1]
    assert signature.startswith(
        " Kepala Satuan Polisi Pamong Praja Kabupaten Banyumas Budi Santoso Pembina, IV/a "
        "NIP. 19771107 201801 3 001"
    ), signature
    code = "-".join(re.findall("....", recap.content_hash[:16].upper()))
    assert f"buka {BASE}/verifikasi dan masukkan kode {code}" in text
    assert recap.content_hash not in text.replace(" ", "")
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages[0].images) == 1  # the logo; the QR code is vector
    # the QR code holds the public page's address for this recap (segno's own SVG of it)
    html = report_html(recap, approvals=signed_by_kepala(recap), logo=logo(), **kw)
    url = f"{BASE}/verifikasi/{recap.content_hash}"
    assert segno.make(url, error="m").svg_data_uri(scale=1, border=0) in html


def test_a_draft_has_no_qr_code_and_a_preview_is_marked(recap: Recap) -> None:
    kw = dict(sop_name=SOP, period=PERIOD, unit_names=UNIT_NAMES, base_url=BASE, **KOP)
    draft = report_html(recap, approvals=approvals(recap, signed=False), **kw)
    assert "data:image/svg+xml" not in draft  # nothing signed: nothing to verify
    (text,) = text_of(
        signed_report_pdf(recap, approvals=signed_by_kepala(recap), preview=True, **kw)
    )
    assert text.count("PRATINJAU — belum ditandatangani") >= 2  # on top and in the footer
    assert "Budi Santoso" in text


@pytest.mark.parametrize("count", [16, 17])
def test_the_signature_is_never_alone_on_a_page(count: int) -> None:
    indicators = tuple(
        Indicator(f"IKU-{n}", "Sasaran 1", f"Indikator nomor {n}", "%", D("100"))
        for n in range(1, count + 1)
    )
    entries = tuple(Entry(i.code, D(90)) for i in indicators)
    long = build_recap(
        IndicatorSet(PERIOD, indicators),
        ("gakperda",),
        {"gakperda": Submission("gakperda", 1, entries)},
    )
    pages = text_of(
        signed_report_pdf(
            long,
            office=OFFICE,
            government="Pemerintah Kabupaten Banyumas",
            sop_name=SOP,
            period=PERIOD,
            unit_names=UNIT_NAMES,
            approvals=approvals(long),
            place_and_date="Purwokerto, 2 Oktober 2026",
            base_url=BASE,
        )
    )
    assert len(pages) == 2
    assert "Budi Santoso" in pages[-1]
    assert "Rata-rata" in pages[-1]  # the table's last rows came along
