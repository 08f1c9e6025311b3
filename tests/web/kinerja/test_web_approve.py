"""The Paraf / Tandatangani confirmation (cases/_task_approve.html, alur.web.cases.approve), the
report preview, the official PDF with the office's kop, and the public verification page
(alur.web.verify), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import segno
from litestar.testing import TestClient
from PIL import Image
from pypdf import PdfReader

from alur.core.kinerja.codes import printed_code
from tests.web.kinerja.web_kinerja_helpers import (
    LINMAS,
    SDA,
    SLUG,
    act,
    approve,
    as_user,
    case_path,
    csrf,
    filled,
    my_task,
    text_of,
)


def recap_hash_of(content: bytes) -> str:
    """The recap hash the PDF names in its metadata (keywords "alur_recap_hash=...")."""
    keywords = PdfReader(io.BytesIO(content)).metadata.get("/Keywords", "")
    found = re.search(r"alur_recap_hash=([0-9a-f]{64})", str(keywords))
    assert found is not None, keywords
    return found.group(1)


def pdf_text(content: bytes) -> str:
    return re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    )


def at_paraf(client: TestClient) -> str:
    key = filled(client)
    as_user(client, "staf")
    act(client, key, 5, "ya", LINMAS)
    act(client, key, 5, "ya", SDA)
    act(client, key, 6, "complete")
    as_user(client, "kasubag-perencanaan")
    return key


def admin_post(client: TestClient, path: str, data: dict, files=None):
    page = f"/t/{SLUG}/admin/kop"
    body = {"_csrf_token": csrf(client, page), **data}
    return client.post(f"/t/{SLUG}/admin{path}", data=body, files=files, follow_redirects=False)


def png(width: int = 120, height: int = 140) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "PNG")
    return out.getvalue()


def test_the_paraf_form_asks_the_password_and_keeps_the_note(client: TestClient) -> None:
    key = at_paraf(client)
    task = my_task(client, key, 7)
    page = text_of(client.get(case_path(key)))
    article = page.split(f'id="task-{task}"')[1].split("</article>")[0]
    assert 'data-approve="paraf"' in article
    assert f"/approve/{task}/pratinjau.pdf" in article
    assert 'type="password"' in article
    assert 'name="confirm"' in article
    assert "/complete" not in article  # no plain "Selesaikan" for a paraf
    # the box not ticked: refused next to it, the note kept
    r = approve(client, key, 7, note="Sudah sesuai", confirm="")
    assert r.status_code == 422
    form = text_of(r).split(f'id="task-{task}"')[1]
    assert f'id="approve-confirm-error-{task}"' in form
    assert "Sudah sesuai" in form
    # a wrong password: refused next to the password field, nothing typed lost, nothing echoed
    r = approve(client, key, 7, password="salah-sekali", note="Sudah sesuai")
    assert r.status_code == 422
    form = text_of(r).split(f'id="task-{task}"')[1]
    assert f'id="approve-password-error-{task}"' in form
    assert "Kata sandi tidak benar" in form
    assert "Sudah sesuai" in form
    assert "salah-sekali" not in text_of(r)
    assert 'name="confirm" value="yes" required checked' in form
    # the old door refuses too: the rule is the service's
    r = client.post(
        case_path(key) + f"/tasks/{task}/complete",
        data={"_csrf_token": csrf(client, case_path(key)), "note": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 422
    # the preview: the report as it will be, marked, nothing recorded
    preview = client.get(case_path(key) + f"/approve/{task}/pratinjau.pdf")
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "application/pdf"
    text = pdf_text(preview.content)
    assert "PRATINJAU — belum ditandatangani" in text
    assert "Kasubag Perencanaan" in text
    assert 'class="approval' not in text_of(client.get(case_path(key) + "/kinerja"))
    assert approve(client, key, 7, note="Sudah sesuai").status_code == 303
    assert 'class="approval valid"' in text_of(client.get(case_path(key) + "/kinerja"))


def test_the_signed_report_is_an_official_letter(client: TestClient) -> None:
    as_user(client, "admin")
    assert admin_post(client, "/kop", {"place": "Purwokerto", "address": ""}).status_code == 303
    assert admin_post(client, "/kop/logo", {}, files={"logo": ("logo.png", png(), "image/png")})
    people = text_of(client.get(f"/t/{SLUG}/admin/people"))
    kepala = re.search(r'<option value="(\d+)">Kepala Satuan', people)
    assert kepala is not None
    r = admin_post(
        client,
        "/people/pangkat",
        {"user": kepala.group(1), "pangkat": "Pembina Utama Muda, IV/c"},
    )
    assert r.status_code == 303
    key = at_paraf(client)
    assert approve(client, key, 7).status_code == 303
    as_user(client, "sekretaris")
    assert approve(client, key, 8).status_code == 303
    as_user(client, "kepala-satuan")
    page = text_of(client.get(case_path(key)))
    assert 'data-approve="sign"' in page
    assert approve(client, key, 9).status_code == 303
    pdf = client.get(case_path(key) + "/kinerja/laporan.pdf")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = pdf_text(pdf.content)
    assert re.search(r"Purwokerto, \d{1,2} \w+ 20\d\d", text)  # place and date
    assert "Kepala Satuan Polisi Pamong Praja Kabupaten Banyumas" in text  # the full jabatan
    assert "Pembina Utama Muda, IV/c" in text
    assert "NIP. 19700101 199003 1 001" in text
    recap_hash = recap_hash_of(pdf.content)
    code = printed_code(recap_hash)
    assert code in text
    assert "http://127.0.0.1:8000/verifikasi" in text  # the verification line
    assert recap_hash not in text.replace(" ", "")  # no 64-character hash
    images = [x for p in reader.pages for x in p.images]
    assert len(images) >= 1  # the logo (the QR code is vector)

    # the public page: signed, by whom; no session; unknown codes are not found
    client.cookies.clear()
    r = client.get(f"/verifikasi/{recap_hash}")
    assert r.status_code == 200
    assert "alur_session" not in r.headers.get("set-cookie", "")  # no session
    shown = text_of(r)
    assert 'data-verify="signed"' in shown
    assert "Kepala Satuan Polisi Pamong Praja Kabupaten Banyumas" in shown
    assert "Satuan Polisi Pamong Praja Kabupaten Banyumas" in shown
    assert key not in shown
    assert "Triwulan" not in shown
    assert 'data-verify="signed"' in text_of(client.get(f"/verifikasi?kode={code}"))
    unknown = client.get("/verifikasi/" + "0" * 64)
    assert unknown.status_code == 404
    assert 'data-verify="not-found"' in text_of(unknown)
    assert client.get("/verifikasi/bukan-kode").status_code == 404


def test_a_recap_with_only_a_paraf_is_not_signed(client: TestClient) -> None:
    key = at_paraf(client)
    assert approve(client, key, 7).status_code == 303
    as_user(client, "sekretaris")
    task = my_task(client, key, 8)
    preview_of_sign = client.get(case_path(key) + f"/approve/{task}/pratinjau.pdf")
    client.cookies.clear()
    r = client.get(f"/verifikasi/{recap_hash_of(preview_of_sign.content)}")
    assert r.status_code == 200
    assert 'data-verify="not-signed"' in text_of(r)


def test_the_logo_upload_checks_type_and_size(client: TestClient) -> None:
    as_user(client, "admin")
    for name, content, kind, message in (
        ("logo.txt", b"bukan gambar", "image/png", "PNG atau JPEG"),
        ("logo.gif", _gif(), "image/gif", "PNG atau JPEG"),
        ("logo.png", png(2400, 10), "image/png", "paling besar 2000 piksel"),
        ("logo.png", b"\x89PNG" + b"0" * (600 * 1024), "image/png", "lebih besar dari 512 KB"),
    ):
        r = admin_post(client, "/kop/logo", {}, files={"logo": (name, content, kind)})
        assert r.status_code == 422, name
        page = text_of(r)
        error = page.split('id="logo-logo-error"')[1].split("</small>")[0]
        assert message in error, (name, error)
        assert 'aria-describedby="logo-logo-error"' in page
    assert "kop/logo" not in text_of(client.get(f"/t/{SLUG}/admin/kop")).split("<img")[-1] or (
        client.get(f"/t/{SLUG}/admin/kop/logo").status_code == 404
    )
    r = admin_post(client, "/kop/logo", {}, files={"logo": ("logo.png", png(), "image/png")})
    assert r.status_code == 303
    logo = client.get(f"/t/{SLUG}/admin/kop/logo")
    assert logo.status_code == 200
    assert logo.headers["content-type"].startswith("image/png")
    as_user(client, "staf")
    assert client.get(f"/t/{SLUG}/admin/kop/logo").status_code == 404  # administrators only


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


def test_the_qr_code_holds_the_verification_address() -> None:
    from alur.reports.letter import qr_data_url, verification

    check = verification("https://alur.example.go.id/", "ab" * 32)
    assert check.url == "https://alur.example.go.id/verifikasi/" + "ab" * 32
    assert check.code == "ABAB-ABAB-ABAB-ABAB"
    expected = segno.make(check.url, error="m").svg_data_uri(scale=1, border=0)
    assert check.qr == qr_data_url(check.url) == expected
    assert segno.make(check.url, error="m").matrix  # a real QR symbol
