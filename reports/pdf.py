"""The signed data kinerja report as PDF (WeasyPrint, A4 landscape).

``templates/signed_report.html`` lays out an official letter of the office: the kop (logo,
government, office, address and contact, a double rule), the title ("Rekapitulasi Data
Kinerja", SOP, period), the recap table of :mod:`alur.reports.table` (its header row repeats on
every page), then — kept together with the table's last rows, never alone on a page — the
paraf list (those that no longer hold marked "tidak berlaku: data berubah") beside the
signature block of the newest tanda tangan that holds for this recap (:mod:`.letter`): place
and date, the full jabatan ("Plh. Kepala Satuan Polisi Pamong Praja Kabupaten Banyumas" for an
acting official), the QR code of the public verification page, the name in bold and
underlined, the pangkat/golongan, "NIP. 19771107 201801 3 001". Without such a signature the
report says "BELUM DITANDATANGANI" on top, in the signature block and on every page footer; a
preview (the signer checking before confirming) says "PRATINJAU". The footer carries the
verification line (the page's address and the short code) and the page numbers.

Fonts are DejaVu (Debian's fonts-dejavu-core) so that any Indonesian text renders. Nothing is
loaded from outside: the URL fetcher refuses every URL that is not a ``data:`` URL.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from alur.core.errors import N_
from alur.core.i18n import gettext, ngettext
from alur.core.kinerja.model import Approval, Recap
from alur.reports.approvals import approval_lines, valid_signature
from alur.reports.letter import logo_data_url, signature_block, verification
from alur.reports.table import in_language, recap_table

TEMPLATES = Path(__file__).parent / "templates"
PAGE_OF = N_("Page {page} of {pages}")
DRAFT = N_("NOT SIGNED — draft")
PREVIEW = N_("PREVIEW — not signed yet")


def no_network_fetcher() -> URLFetcher:
    """A WeasyPrint URL fetcher that only reads ``data:`` URLs (refusing http, file, ...)."""
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return Markup('"' + escaped.replace("<", "\\3C ").replace(">", "\\3E ") + '"')


def page_counter_css() -> Markup:
    """The translated "Page {page} of {pages}" as CSS ``content`` with page counters."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(gettext(PAGE_OF)):
        if literal:
            parts.append(str(css_string(literal)))
        if field in ("page", "pages"):
            parts.append(f"counter({field})")
    return Markup(" ".join(parts))


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def report_html(
    recap: Recap,
    *,
    office: str,
    government: str,
    sop_name: str,
    period: str,
    unit_names: Mapping[str, str],
    approvals: Sequence[Approval],
    place_and_date: str = "",
    language: str = "id",
    timezone: str = "Asia/Jakarta",
    address: str = "",
    contact: str = "",
    logo: tuple[bytes, str] | None = None,
    base_url: str = "",
    preview: bool = False,
) -> str:
    """The report's HTML in ``language`` (what :func:`signed_report_pdf` prints)."""
    with in_language(language):
        table = recap_table(recap, unit_names)
        signature = valid_signature(approvals, recap.content_hash)
        signed = None
        if signature is not None:
            signed = signature_block(signature, office, language=language, timezone=timezone)
        check = verification(base_url, recap.content_hash) if base_url and signed else None
        footer = check.line if check is not None else ""
        marker = gettext(PREVIEW) if preview else (gettext(DRAFT) if signed is None else "")
        return (
            environment()
            .get_template("signed_report.html")
            .render(
                language=language,
                office=office,
                government=government,
                address=address,
                contact=contact,
                logo=logo_data_url(*logo) if logo else "",
                sop_name=sop_name,
                period=period,
                place_and_date=place_and_date,
                table=table,
                complete=recap.complete,
                approvals=approval_lines(
                    approvals, recap.content_hash, language=language, timezone=timezone
                ),
                signed=signed,
                check=check,
                preview=gettext(PREVIEW) if preview else "",
                draft=gettext(DRAFT),
                recap_hash=recap.content_hash,
                footer_line=css_string(footer),
                footer_draft=css_string(marker),
                page_counter=page_counter_css(),
            )
        )


def signed_report_pdf(
    recap: Recap,
    *,
    office: str,
    government: str,
    sop_name: str,
    period: str,
    unit_names: Mapping[str, str],
    approvals: Sequence[Approval],
    place_and_date: str = "",
    language: str = "id",
    timezone: str = "Asia/Jakarta",
    address: str = "",
    contact: str = "",
    logo: tuple[bytes, str] | None = None,
    base_url: str = "",
    preview: bool = False,
) -> bytes:
    """The signed report as PDF bytes, in ``language`` ("id" or "en").

    ``government`` heads the page (e.g. "Pemerintah Kabupaten Banyumas"); ``place_and_date``
    is printed above the signature ("Purwokerto, 12 Oktober 2026"); approval times are
    shown in ``timezone``. ``address``, ``contact`` and ``logo`` (bytes, media type) complete
    the kop; ``base_url`` is the installation's address the QR code points to (no QR without
    it); ``preview`` marks the report as a preview on top and on every page.
    """
    html = report_html(
        recap,
        office=office,
        government=government,
        sop_name=sop_name,
        period=period,
        unit_names=unit_names,
        approvals=approvals,
        place_and_date=place_and_date,
        language=language,
        timezone=timezone,
        address=address,
        contact=contact,
        logo=logo,
        base_url=base_url,
        preview=preview,
    )
    pdf = HTML(string=html, url_fetcher=no_network_fetcher()).write_pdf()
    assert pdf is not None
    return pdf
