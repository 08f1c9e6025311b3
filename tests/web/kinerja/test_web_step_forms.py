"""A bound step's form completed in one press, refusals that keep every typed value, the
"saved" notice after a save without JavaScript, and the step an attachment is labelled with
(issue 14, points 1, 11 and 12), over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from tests.web.kinerja.web_kinerja_helpers import (
    FORMAT,
    LINMAS,
    LINMAS_DATA,
    SDA,
    SDA_DATA,
    as_user,
    case_path,
    designed,
    fill_fields,
    format_fields,
    kinerja_page,
    my_task,
    post,
    save_data,
    start_case,
    text_of,
)

COMPLETE = {"then": "complete"}


def open_steps(c: TestClient, key: str) -> list[int]:
    page = c.get(case_path(key)).text
    return [int(s) for s in re.findall(r'<article id="task-\d+" [^>]*data-step="(\d+)"', page)]


def test_complete_before_save_saves_the_format_and_completes(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    task = my_task(client, key, 1)
    page = client.get(case_path(key)).text
    form = page.split('class="kinerja-format"')[1].split("</form>")[0]
    assert 'name="then" value="complete"' in form  # "Complete" is the form's own button
    assert 'name="note"' in form
    assert f'action="{case_path(key)}/tasks/{task}/complete"' not in page  # no second form
    data = {**format_fields(FORMAT), **COMPLETE, "note": "Format awal."}
    r = post(client, key, f"/kinerja/tasks/{task}/format", data, htmx=True)
    assert r.status_code == 200, text_of(r)[:2000]
    assert r.headers["HX-Trigger"] == "inbox-changed"
    assert 1 not in open_steps(client, key)
    assert "Jumlah pengaduan yang belum ditindaklanjuti" in kinerja_page(client, key)


def test_a_refused_complete_shows_the_form_with_everything_typed(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    task = my_task(client, key, 1)
    bad = [dict(FORMAT[0], target="abc"), dict(FORMAT[1], units=["linmas"])]
    data = {
        **format_fields(bad),
        **COMPLETE,
        "note": "Format awal.",
        "data_name": "Nomor surat",
        "data_value": "005/12",
    }
    r = post(client, key, f"/kinerja/tasks/{task}/format", data)
    assert r.status_code == 422
    text = text_of(r)
    assert re.search(r'name="r0.target" value="abc"[^>]*aria-invalid="true"', r.text)
    assert '<option value="lower" selected>' in r.text
    assert re.search(r'name="r1.units" value="linmas" checked', r.text)
    assert ">Format awal.</textarea>" in text
    assert 'value="Nomor surat"' in text
    assert 'value="005/12"' in text
    assert 1 in open_steps(client, key)

    # The completion is refused (its file may not be attached): nothing is saved, the file
    # is asked for again next to its input, the rows stay as typed.
    files = {"attachment": ("virus.exe", b"MZ", "application/x-msdownload")}
    data = {**format_fields(FORMAT), **COMPLETE, "note": "Format awal."}
    r = post(client, key, f"/kinerja/tasks/{task}/format", data, files=files)
    assert r.status_code == 422
    assert re.search(
        rf'name="attachment" aria-invalid="true" aria-describedby="c{task}-attachment-error"',
        r.text,
    )
    assert f'id="c{task}-attachment-error"' in r.text
    assert 'value="IKU-3"' in r.text
    assert "Jumlah pengaduan yang belum ditindaklanjuti" not in kinerja_page(client, key)
    # A data row with a value but no name: the message stands next to the data rows.
    data = {**format_fields(FORMAT), **COMPLETE, "data_name": "", "data_value": "005/12"}
    r = post(client, key, f"/kinerja/tasks/{task}/format", data, htmx=True)
    assert r.status_code == 422
    assert f'id="c{task}-data-error"' in r.text
    assert 1 in open_steps(client, key)


def test_complete_before_save_saves_the_units_data(client: TestClient) -> None:
    key = designed(client)
    as_user(client, "kabid.linmas")
    task = my_task(client, key, 4, LINMAS)
    typed = {**fill_fields(LINMAS_DATA), "IKU-1.realisasi": "delapan"}
    files = {"IKU-1.evidence": ("bukti.pdf", b"%PDF-1.7 bukti", "application/pdf")}
    data = {**typed, **COMPLETE, "note": "Data bidang."}
    r = post(client, key, f"/kinerja/tasks/{task}/data", data, files=files)
    assert r.status_code == 422
    text = text_of(r)
    assert re.search(r'name="IKU-1.realisasi" value="delapan"[^>]*aria-invalid="true"', text)
    assert "Dua perda tertunda karena anggaran.</textarea>" in text
    assert ">Data bidang.</textarea>" in text
    evidence = re.search(r'<small class="error" id="k\d+-IKU-1-evidence-error">([^<]*)<', text)
    assert evidence
    assert "bukti.pdf" in evidence.group(1)  # the file was not kept: choose it again

    r = post(client, key, f"/kinerja/tasks/{task}/data", {**fill_fields(LINMAS_DATA), **COMPLETE})
    assert r.status_code == 303
    assert r.headers["location"] == case_path(key)
    assert f'id="task-{task}"' not in client.get(case_path(key)).text  # linmas' task is done
    assert 'data-unit="linmas"' in kinerja_page(client, key)

    # "Save", then "Complete" with the same values: one version, not two.
    as_user(client, "kabid.sda")
    assert save_data(client, key, SDA, SDA_DATA).status_code == 303
    task = my_task(client, key, 4, SDA)
    r = post(client, key, f"/kinerja/tasks/{task}/data", {**fill_fields(SDA_DATA), **COMPLETE})
    assert r.status_code == 303
    page = kinerja_page(client, key)
    assert re.search(r'data-unit="sda">.*?data-version="1"', page, re.S)


def test_a_save_without_javascript_returns_to_the_form_saying_so_once(client) -> None:
    as_user(client, "staf")
    key = start_case(client)
    task = my_task(client, key, 1)
    r = post(client, key, f"/kinerja/tasks/{task}/format", format_fields(FORMAT))
    assert r.status_code == 303
    assert r.headers["location"] == f"{case_path(key)}#task-{task}"
    page = client.get(case_path(key)).text
    form = page.split(f'id="task-{task}"')[1]
    assert re.search(r'<p class="notice" role="status">[^<]+</p>', form)
    again = client.get(case_path(key)).text
    assert 'class="notice" role="status"' not in again
    # copying from a period comes back the same way
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": "Triwulan III 2026"})
    assert r.status_code == 303
    assert r.headers["location"].endswith(f"#task-{task}")


def test_attachments_are_labelled_with_their_upload_step(client: TestClient) -> None:
    key = designed(client)
    as_user(client, "kabid.sda")  # sda's task at step 4 is not task 4
    task = my_task(client, key, 4, SDA)
    assert task != 4
    files = {"IKU-1.evidence": ("bukti-sda.pdf", b"%PDF-1.7 bukti", "application/pdf")}
    assert save_data(client, key, SDA, SDA_DATA, files=files).status_code == 303
    page = text_of(client.get(case_path(key)))
    item = re.search(
        r'<li data-attachment-step="(\d*)"[^>]*><a [^>]*>bukti-sda.pdf</a>\s*<small>([^<]*)<', page
    )
    assert item, page[page.find("attachments") :][:800]
    assert item.group(1) == "4"
    assert " 4. " in item.group(2)
    assert "SHA-256" not in item.group(2)


def test_answering_the_format_check_saves_the_corrections_typed(client: TestClient) -> None:
    """The Kasubag's check of the format (step 2: a gate bound to the format) answers Ya or
    Tidak from the format editor itself: the corrections typed are saved with the answer,
    and a refused answer keeps them typed and saves nothing."""
    as_user(client, "staf")
    key = start_case(client)
    task = my_task(client, key, 1)
    data = {**format_fields(FORMAT), **COMPLETE, "note": "Format awal."}
    assert post(client, key, f"/kinerja/tasks/{task}/format", data).status_code == 303
    as_user(client, "kasubag-perencanaan")
    task = my_task(client, key, 2)
    page = client.get(case_path(key)).text
    form = page.split('class="kinerja-format"')[1].split("</form>")[0]
    assert 'name="then" value="ya"' in form
    assert 'name="then" value="tidak"' in form
    assert f'action="{case_path(key)}/tasks/{task}/ya"' not in page  # no second form
    corrected = [{**FORMAT[0], "target": "90"}, *FORMAT[1:]]
    # "Tidak" without its note is refused: the correction stays typed, nothing is saved
    fields = {**format_fields([{**FORMAT[0], "target": "75"}, *FORMAT[1:]]), "then": "tidak"}
    r = post(client, key, f"/kinerja/tasks/{task}/format", fields)
    assert r.status_code == 422, text_of(r)[:2000]
    assert 'value="75"' in r.text.split('class="kinerja-format"')[1].split("</form>")[0]
    assert 2 in open_steps(client, key)
    # "Ya" saves the corrections typed (no "Save" before) and answers the gate
    fields = {**format_fields(corrected), "then": "ya", "note": "Target IKU-1 dikoreksi."}
    r = post(client, key, f"/kinerja/tasks/{task}/format", fields, htmx=True)
    assert r.status_code == 200, text_of(r)[:2000]
    assert r.headers["HX-Trigger"] == "inbox-changed"
    assert 2 not in open_steps(client, key)
    assert 3 in open_steps(client, key)
    kinerja = kinerja_page(client, key)
    row = kinerja.split("Persentase perda yang ditegakkan")[1].split("</tr>")[0]
    assert ">90<" in row.replace(" ", ""), row
