"""The data kinerja forms and pages of the web UI, over HTTP (litestar's TestClient), on
SQLite and PostgreSQL: the format editor, a unit's form with versions and evidence, the
changes a verifier sees after a "Tidak" — all inside one office. The recap, its approvals and
the exports: test_web_kinerja_recap.py."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from tests.web.kinerja.web_kinerja_helpers import (
    EARLIER,
    FORMAT,
    LINMAS,
    LINMAS_DATA,
    PERIOD,
    act,
    as_user,
    case_path,
    designed,
    fill_fields,
    filled,
    kinerja_page,
    my_task,
    post,
    save_data,
    save_format,
    start_case,
    text_of,
)


def version_of(c: TestClient, key: str, unit: str) -> int:
    page = c.get(case_path(key) + "/kinerja").text
    section = re.search(rf'data-unit="{unit}">.*?data-version="(\d+)"', page, re.S)
    assert section, unit
    return int(section.group(1))


# --- the format editor ---------------------------------------------------------------------


def test_design_form_refuses_bad_rows_keeping_every_typed_value(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    page = client.get(case_path(key)).text
    assert 'data-kinerja="design"' in page
    assert page.count('data-row="') == 3  # an empty format: spare rows only
    assert f'href="{case_path(key)}/kinerja"' in page
    bad = [dict(FORMAT[0], target="abc", unit_of_measure=""), FORMAT[1]]
    r = save_format(client, key, bad)
    assert r.status_code == 422
    text = text_of(r)
    assert '"abc" bukan angka' in text
    assert "isi satuan" in text
    for value in ("IKU-1", "Persentase perda yang ditegakkan", "abc", "IKU-2", "pengaduan"):
        # (sasaran and indicator are textareas: long names wrap instead of being cut)
        assert f'value="{value}"' in text or f">{value}</textarea>" in text, value
    assert re.search(r'name="r0.target" value="abc"[^>]*aria-invalid="true"', r.text)
    assert re.search(r'<option value="lower" selected>', r.text)  # row 2's direction kept
    assert "IKU-1" not in kinerja_page(client, key)  # nothing saved

    assert save_format(client, key, FORMAT).status_code == 303
    page = client.get(case_path(key)).text
    assert 'value="IKU-3"' in page
    assert re.search(r'name="r2.units" value="linmas" checked', page)
    assert re.search(r'name="r2.units" value="sda" >', page)
    assert page.count('data-row="') == 6  # three indicators, three spare rows
    summary = kinerja_page(client, key)
    assert "Nilai evaluasi SAKIP" in summary
    assert "makin rendah makin baik" in summary
    # Step 1 now completes: the format has indicators.
    act(client, key, 1, "complete")


def test_design_with_htmx_copy_and_added_rows(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    task = my_task(client, key, 1)
    r = save_format(client, key, FORMAT[:1], htmx=True)
    assert r.status_code == 200
    assert "<html" not in r.text
    assert 'id="case-live-inner"' in r.text
    assert 'class="notice" role="status"' in r.text
    r = save_format(client, key, [dict(FORMAT[0], target="-5")], htmx=True)
    assert r.status_code == 422
    assert "tidak boleh negatif" in text_of(r)
    # One more row (htmx): the next index, and the button moves on.
    row = client.get(f"{case_path(key)}/kinerja/tasks/{task}/row?index=4")
    assert 'name="r4.code"' in row.text
    assert re.search(
        rf'hx-swap-oob="true"\s+hx-get="{case_path(key)}/kinerja/tasks/{task}/row\?index=5"',
        row.text,
    )
    # A task the case does not have, or a row index the editor cannot hold: nothing (404).
    for wrong in (
        "tasks/99999999999999999999999/row?index=1",
        f"tasks/{task}/row?index={10**23}",
        f"tasks/{task}/row?index=-5",
        f"tasks/{task}/row?index=1000",
        "tasks/0/row?index=1",
        "tasks/999/row?index=1",
    ):
        assert client.get(f"{case_path(key)}/kinerja/{wrong}").status_code == 404, wrong
    assert client.get(f"{case_path(key)}/kinerja/tasks/{task}/row?index=999").status_code == 200
    # Copy the earlier period's format (the sample's three indicators).
    page = client.get(case_path(key)).text
    assert f'<option value="{EARLIER}"' in page
    assert f'<option value="{PERIOD}"' not in page  # not from the case's own period
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": ""})
    assert r.status_code == 422
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": "Tahun 1999"})
    assert r.status_code == 422
    assert "Tahun 1999" in text_of(r)
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": EARLIER})
    assert r.status_code == 303
    summary = kinerja_page(client, key)
    assert "Nilai evaluasi SAKIP unit" in summary  # from the sample format
    assert "Persentase perda yang ditegakkan" not in summary  # replaced


# --- a unit's form -------------------------------------------------------------------------


def test_fill_form_versions_evidence_and_refusals(client: TestClient) -> None:
    key = designed(client)
    as_user(client, "kabid.linmas")
    page = text_of(client.get(case_path(key)))
    assert 'data-kinerja="fill"' in page
    assert "Nilai evaluasi SAKIP" in page  # linmas reports IKU-3
    r = save_data(client, key, LINMAS, dict(LINMAS_DATA, **{"IKU-1": ("87,x", "")}))
    assert r.status_code == 422
    text = text_of(r)
    assert '"87,x" bukan angka' in text
    assert 'value="87,x"' in text
    assert "Evaluasi belum selesai." in text  # the other typed values are kept
    assert version_of(client, key, "linmas") == 0  # nothing saved
    r = save_data(client, key, LINMAS, dict(LINMAS_DATA, **{"IKU-1": ("87,5", "")}))
    assert r.status_code == 422
    assert "jelaskan mengapa capaian di bawah target" in text_of(r)
    assert version_of(client, key, "linmas") == 0

    assert save_data(client, key, LINMAS, LINMAS_DATA).status_code == 303
    assert version_of(client, key, "linmas") == 1
    page = text_of(client.get(case_path(key)))
    assert 'name="IKU-1.realisasi" value="87,5"' in page
    assert re.search(r'data-version="1">[^<]*Kabid linmas[^<]*\d{4}', page)
    # Version 2 with an evidence file; the file is listed and downloads.
    r = post(
        client,
        key,
        f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data",
        fill_fields(LINMAS_DATA),
        files={"IKU-1.evidence": ("bukti-iku1.pdf", b"%PDF-1.7 bukti", "application/pdf")},
    )
    assert r.status_code == 303
    assert version_of(client, key, "linmas") == 2
    page = client.get(case_path(key)).text
    link = re.search(rf'href="({case_path(key)}/attachments/\d+)">bukti-iku1.pdf', page)
    assert link
    assert client.get(link.group(1)).content == b"%PDF-1.7 bukti"
    sha = re.search(r'name="IKU-1.remove" value="([0-9a-f]{64})"', page)
    assert sha
    # A refused file saves nothing; then version 3 removes the evidence.
    r = post(
        client,
        key,
        f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data",
        fill_fields(LINMAS_DATA),
        files={"IKU-2.evidence": ("virus.exe", b"MZ", "application/x-msdownload")},
    )
    assert r.status_code == 422
    assert version_of(client, key, "linmas") == 2
    data = {**fill_fields(LINMAS_DATA), "IKU-1.remove": sha.group(1)}
    r = post(client, key, f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data", data)
    assert r.status_code == 303
    assert version_of(client, key, "linmas") == 3
    form = client.get(case_path(key)).text.split("kinerja-fill-form")[1].split("</form>")[0]
    assert "IKU-1.realisasi" in form
    assert "bukti-iku1.pdf" not in form
    # Another unit's Kabid may not write linmas' data.
    task = my_task(client, key, 4, LINMAS)
    as_user(client, "kabid.sda")
    r = post(client, key, f"/kinerja/tasks/{task}/data", fill_fields(LINMAS_DATA))
    assert r.status_code == 403
    assert version_of(client, key, "linmas") == 3


def test_fill_form_refuses_codes_sent_twice_or_not_reported(client: TestClient) -> None:
    """The form used to keep the last of a code sent twice and drop a code the unit does not
    report; the service refuses both, as it does over GraphQL, each message next to its
    field (or above the form for a code it has no field for), every typed value kept."""
    key = designed(client)
    as_user(client, "kabid.linmas")
    data: dict = fill_fields(LINMAS_DATA)
    data["IKU-2.realisasi"] = [data["IKU-2.realisasi"], "99"]
    data["IKU-9.realisasi"] = "1"
    r = post(client, key, f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data", data)
    assert r.status_code == 422
    text = text_of(r)
    assert re.search(
        r'id="k\d+-IKU-2-code-error"[^>]*>kode "IKU-2" dipakai lebih dari sekali', text
    )
    assert '<p class="error" role="alert">IKU-9 bukan indikator yang dilaporkan oleh linmas' in text
    assert 'name="IKU-2.realisasi" value="4"' in text
    assert "Evaluasi belum selesai." in text
    assert version_of(client, key, "linmas") == 0


def test_verifier_sees_what_changed_after_tidak(client: TestClient) -> None:
    key = filled(client)
    as_user(client, "staf")
    page = text_of(client.get(case_path(key)))
    assert page.count('data-kinerja="verify"') == 2  # one task per unit
    act(client, key, 5, "tidak", LINMAS, note="IKU-1 salah ketik.")
    as_user(client, "kabid.linmas")
    changed = dict(LINMAS_DATA, **{"IKU-1": ("90", "Dua perda tertunda karena anggaran.")})
    assert save_data(client, key, LINMAS, changed).status_code == 303
    act(client, key, 4, "complete", LINMAS)
    as_user(client, "staf")
    page = text_of(client.get(case_path(key)))
    verify = page.split('data-unit="linmas"')[1].split("</section>")[0]
    assert re.search(
        r'class="num changed" data-field="realisasi"><del>87,5</del> → <ins>90</ins>', verify
    )
    assert "<del>" not in verify.split('data-indicator="IKU-2"')[1]  # unchanged rows plain
    assert version_of(client, key, "linmas") == 2
