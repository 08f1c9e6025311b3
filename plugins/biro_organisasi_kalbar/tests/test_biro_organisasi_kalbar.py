"""The Biro Organisasi Kalbar plugin transcribes its SOP faithfully (seed 004).

The expected values below are copied from the source document, with the fixes listed in
the plugin's README.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import alur_biro_organisasi_kalbar as plugin
import pluggy
import pytest

from alur.core import SopDefinition, StepKind, hookspecs
from alur.core.testing import assert_conformant

START, PROCESS, DECISION, END = (StepKind.START, StepKind.PROCESS, StepKind.DECISION,
                                 StepKind.END)  # fmt: skip

DOK = "Dokumen, data"
BAHAN = "Bahan Informasi Perbaikan Data kinerja"
DRAFT = "Draft Perbaikan Data kinerja"
HASIL = "Perbaikan Data kinerja"

# (number, kegiatan, actor, kind, kelengkapan, waktu, output, keterangan)
STEPS = [
    (1, "Memerintahkan Kabag Tatalaksana untuk membuat Nota Dinas permintaan data dan "
        "informasi kinerja untuk perbaikan data kinerja", "karo_organisasi", START,
     "Surat permintaan data kpd PD", "20 Menit", "Disposisi", ""),
    (2, "menyampaikan perbaikan data dan informasi kinerja kepada Kasubbag TU Biro", "kabag",
     PROCESS, DOK, "Sesuai dengan waktu yang ditentukan", BAHAN, ""),
    (3, "Menerima dan memerintahkan pelaksana untuk menghimpun perbaikan data kinerja",
     "kasubbag_tu", PROCESS, DOK, "20 Menit", BAHAN, ""),
    (4, "Menganalisis dan mengevaluasi perbaikan data dan informasi kinerja Bagian-Bagian "
        "yang sudah terkumpul", "pelaksana", PROCESS, DOK, "20 Menit", BAHAN, ""),
    (5, "Menyusun perbaikan data kinerja, kemudian disampaikan kepada Kabag Tatalaksana",
     "kasubbag_tu", PROCESS, DOK, "120 Menit", DRAFT, ""),
    (6, "Menelaah dan mengoreksi perbaikan data kinerja, jika ada perbaikan dikembalikan "
        "kepada Kasubbag, jika sudah sesuai disampaikan kepada Karo.", "kabag_tatalaksana",
     DECISION, DOK, "30 Menit", DRAFT, ""),
    (7, "Menelaah dan mengoreksi perbaikan data kinerja, jika ada perbaikan dikembalikan "
        "kepada Kabag, jika sudah sesuai ditandatangani Kepala Biro agar dijadikan arsip.",
     "karo_organisasi", DECISION, DOK, "240 Menit", DRAFT, ""),
    (8, "Menerima hasil perbaikan data kinerja dan memerintahkan Kasubbag untuk "
        "Mengarsipkan perbaikan data kinerja Biro", "kabag_tatalaksana", PROCESS, DOK,
     "30 Menit", HASIL, ""),
    (9, "Memerintahkan Arsiparis untuk Mengarsipkan perbaikan data kinerja Biro Organisasi",
     "kasubbag_tu", PROCESS, DOK, "15 Menit", HASIL, ""),
    (10, "Mengarsipkan Perbaikan Data Kinerja dalam Arsip Biro", "arsiparis", END, DOK,
     "25 Menit", HASIL, ""),
]  # fmt: skip


@pytest.fixture(scope="module")
def sop() -> SopDefinition:
    definitions = plugin.alur_sop_definitions()
    assert [d.id for d in definitions] == ["perbaikan-data-kinerja"]
    return definitions[0]


def test_identity(sop: SopDefinition) -> None:
    assert sop.version == "1"
    assert sop.source.endswith("perbaikan-data-kinerja.toml")


def test_header(sop: SopDefinition) -> None:
    h = sop.header
    assert h.nomor == "D65 / 2 / OP-B"
    assert h.nama == "Perbaikan Data Kinerja"
    assert h.tanggal_pembuatan == "4 Januari 2021"
    assert h.tanggal_revisi == "4 Januari 2021"
    assert h.tanggal_efektif == "4 Januari 2021"
    assert h.disahkan_oleh.nama == "Rita Hastarita, S.Sos, M.Si"
    assert h.disahkan_oleh.jabatan == "Kepala Biro Organisasi"  # the paraf tick is dropped
    assert h.disahkan_oleh.nip == "19791208 200003 2 002"
    assert len(h.dasar_hukum) == 2
    assert h.dasar_hukum[0].startswith(
        "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 53 "
        "Tahun 2014 tentang Pedoman Petunjuk Teknis"
    )
    # cut off in the source document, kept as written
    assert h.dasar_hukum[1].endswith("Nomor 11 Tahun 2019 tentang Perubahan Atas Peraturan")
    assert h.kualifikasi_pelaksana == (
        "Memahami aturan-aturan terkait bidang Akuntabilitas Kinerja.",
        "Mampu berkomunikasi dengan baik",
    )
    assert h.keterkaitan == (
        "SOP Pengumpulan Data Kinerja",
        "SOP Monitoring dan Evaluasi Kinerja Secara Periodik",
        "SOP LAKIP dan Penyusunan Renja",
    )
    assert h.peralatan_perlengkapan == ("Alat Tulis Kantor", "Komputer", "Printer")
    assert h.peringatan == (
        "Jika Kebijakan tidak dibuat, maka akan mengakibatkan tidak terlaksananya aturan yang "
        "seharusnya dilaksanakan.",
    )
    assert h.pencatatan_pendataan == ("Buku Agenda, Nota Dinas",)


def test_roles(sop: SopDefinition) -> None:
    assert [(r.id, r.name, r.rank, r.per_unit) for r in sop.roles] == [
        ("karo_organisasi", "Karo Organisasi", 4, False),
        ("kabag", "Kabag", 3, True),
        ("pelaksana", "Pelaksana", 1, False),
        ("kasubbag_tu", "Kasubbag TU", 2, False),
        ("kabag_tatalaksana", "Kabag Tatalaksana", 3, False),
        ("arsiparis", "Arsiparis", 1, False),
    ]
    assert plugin.alur_roles() == list(sop.roles)


def test_every_step_is_transcribed(sop: SopDefinition) -> None:
    assert [s.number for s in sop.steps] == [row[0] for row in STEPS]


@pytest.mark.parametrize("row", STEPS, ids=lambda row: f"step{row[0]}")
def test_step(sop: SopDefinition, row: tuple) -> None:
    number, kegiatan, actor, kind, kelengkapan, waktu, output, keterangan = row
    s = sop.step(number)
    assert s.kegiatan == kegiatan
    assert s.actor == actor
    assert s.kind is kind
    assert s.kelengkapan == kelengkapan
    assert s.waktu.text == waktu
    assert s.output == output
    assert s.keterangan == keterangan


def test_flow(sop: SopDefinition) -> None:
    expected = {n: (n + 1,) for n in range(1, 10)}
    expected.update({6: (7, 5), 7: (8, 6), 10: ()})
    assert {s.number: s.successors() for s in sop.steps} == expected


def test_gates(sop: SopDefinition) -> None:
    gates = {s.number: (s.gate.ya, s.gate.tidak) for s in sop.steps if s.gate}
    # 6: "dikembalikan kepada Kasubbag" (5) / "disampaikan kepada Karo" (7);
    # 7: "dikembalikan kepada Kabag" (6) / "ditandatangani Kepala Biro" (8)
    assert gates == {6: (7, 5), 7: (8, 6)}
    assert all(s.gate.question.endswith("?") for s in sop.steps if s.gate)


def test_per_unit_fan_out(sop: SopDefinition) -> None:
    # Each Bagian's Kabag sends its corrections (2); step 3 joins.
    assert [s.number for s in sop.steps if s.per_unit] == [2]


def test_only_signing_is_not_delegable(sop: SopDefinition) -> None:
    assert [s.number for s in sop.steps if not s.delegable] == [7]


def test_waktu(sop: SopDefinition) -> None:
    assert sop.needs_duration_at_start() == (2,)
    assert sop.step(5).waktu.office_minutes(510) == 120
    assert sop.step(7).waktu.office_minutes(510) == 240


def test_institution() -> None:
    inst = plugin.alur_institution()
    assert inst.slug == "biro-organisasi-kalbar"
    assert inst.name == "Biro Organisasi Sekretariat Daerah Provinsi Kalimantan Barat"
    assert inst.government == "Pemerintah Provinsi Kalimantan Barat"
    assert (inst.address, inst.contact) == ("", "")  # not given in the document


def test_units() -> None:
    assert [(u.id, u.name) for u in plugin.alur_units()] == [
        ("kelembagaan", "Bagian Kelembagaan dan Analisis Jabatan"),
        ("reformasi-birokrasi", "Bagian Reformasi Birokrasi dan Akuntabilitas Kinerja"),
        ("tatalaksana", "Bagian Tatalaksana"),
    ]


def test_hooks_match_the_hookspecs() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(plugin)
    pm.check_pending()  # every @hookimpl names a real hook
    assert pm.hook.alur_institution() == [plugin.alur_institution()]


def test_entry_point() -> None:
    (ep,) = entry_points(group="alur.plugins", name="biro_organisasi_kalbar")
    assert ep.load() is plugin


def test_conformant() -> None:
    # Loads and validates the plugin, then walks every path of its SOP (every gate answer)
    # with fake people: each walk finishes, and every step is reached.
    assert_conformant(plugin, name=plugin.PLUGIN)
