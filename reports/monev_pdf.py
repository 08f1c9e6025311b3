"""The SOP monitoring form (monev) as PDF (WeasyPrint, A4 landscape).

``templates/monev_form.html`` prints the layout of :mod:`.monev_form` under the office's kop
(``templates/_kop.html``, the same kop as the signed data kinerja report): the title, the
SOP's name, nomor and period, the form's table (its header rows repeat on every page; a row
never splits across pages; long text wraps), then — kept with the table's last rows — the
place and date and "Dinilai oleh" with the assessor's name, jabatan and NIP, or "BELUM
DIPARAF" (on top, in the closing block and on every page footer). The footer carries the
form's content hash and the page numbers.

Fonts and the fetcher are the signed report's (:mod:`.pdf`): DejaVu, ``data:`` URLs only.
"""

from __future__ import annotations

from weasyprint import HTML

from alur.core.monitoring.monev import MonevForm
from alur.reports.letter import logo_data_url
from alur.reports.monev_form import MonevParaf, form_layout
from alur.reports.pdf import css_string, environment, no_network_fetcher, page_counter_css
from alur.reports.table import in_language
from alur.tenants.offices.letterhead import Letterhead


def monev_html(
    form: MonevForm,
    office: Letterhead,
    paraf: MonevParaf | None,
    *,
    language: str = "id",
    timezone: str = "Asia/Jakarta",
) -> str:
    """The form's HTML in ``language`` (what :func:`monev_pdf` prints)."""
    with in_language(language):
        layout = form_layout(
            form, place=office.place, paraf=paraf, language=language, timezone=timezone
        )
        footer = f"{layout.labels['form_hash']}: {layout.content_hash}"
        marker = "" if layout.closing.initialled else layout.labels["not_initialled"]
        return (
            environment()
            .get_template("monev_form.html")
            .render(
                language=language,
                form=layout,
                government=office.government,
                office=office.office,
                address=office.address,
                contact=office.contact,
                logo=logo_data_url(office.logo, office.logo_type) if office.logo else "",
                footer_line=css_string(footer),
                footer_marker=css_string(marker),
                page_counter=page_counter_css(),
            )
        )


def monev_pdf(
    form: MonevForm,
    office: Letterhead,
    paraf: MonevParaf | None,
    *,
    language: str = "id",
    timezone: str = "Asia/Jakarta",
) -> bytes:
    """The monitoring form as PDF bytes, in ``language`` ("id" or "en").

    ``office``: the kop, :func:`alur.tenants.offices.letterhead.letterhead` of the office
    (its ``place`` is printed before the date); ``paraf``: the assessor's paraf (``None``, or
    one given on other content: the form prints as not initialled), its time shown in
    ``timezone``.
    """
    html = monev_html(form, office, paraf, language=language, timezone=timezone)
    pdf = HTML(string=html, url_fetcher=no_network_fetcher()).write_pdf()
    assert pdf is not None
    return pdf
