"""The Kesbangpol Pekalongan plugin transcribes its SOP faithfully (seed 003).

The expected values below are copied from the source document, with the typo fixes listed
in the plugin's README.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import alur_kesbangpol_pekalongan as plugin
import pluggy
import pytest

from alur.core import SopDefinition, StepKind, hookspecs
from alur.core.testing import assert_conformant

START, PROCESS, DECISION, END = (StepKind.START, StepKind.PROCESS, StepKind.DECISION,
                                 StepKind.END)  # fmt: skip

HASIL = "hasil pengumpulan dan pengolahan data"
FORMAT = "format atau media pengumpulan data kinerja"
CATATAN = "catatan penerimaan data dan informasi"

# (number, kegiatan, actor, kind, kelengkapan, waktu, output, keterangan)
STEPS = [
    (1, "Memberikan perintah untuk mengumpulkan dan mengolah data kinerja", "kepala_dinas",
     START, "-", "5 menit", "surat tugas/ disposisi", ""),
    (2, "Memerintahkan Kasubbag Renval untuk mengumpulkan dan mengolah data kinerja",
     "sekretaris", PROCESS, "-", "5 menit", "surat tugas/ disposisi", ""),
    (3, "Mengkoordinasikan staff untuk mengumpulkan dan mengolah data kinerja",
     "kasubbag_renval", PROCESS, "-", "1 jam", "-", ""),
    (4, "Membuat format atau media pengumpulan data kinerja seperti formulir, blanko, "
        "kuesioner, dan lain sebagainya", "petugas", PROCESS,
     "daftar data dan informasi yang dibutuhkan", "1 hari", FORMAT, ""),
    (5, "memverifikasi format atau media pengumpulan data kinerja", "kasubbag_renval",
     PROCESS, FORMAT, "1 hari", FORMAT, ""),
    (6, "membagikan format dan media pengumpulan data kepada kepala bidang", "petugas",
     PROCESS, "-", "5 menit", "-", ""),
    (7, "mengkoordinasikan pengumpulan data sesuai format atau media yang ditetapkan",
     "kepala_bidang", PROCESS, "-", "30 menit", "-", ""),
    (8, "menerima dan memverifikasi data kinerja dari bidang", "petugas", DECISION, "-",
     "1 hari", "-", ""),
    (9, "mengolah data kinerja", "petugas", PROCESS, "data kinerja", "5 hari",
     "hasil pengolahan data", ""),
    (10, "menyampaikan laporan hasil pengumpulan dan pengolahan data kinerja kepada "
         "kasubbag renval", "petugas", PROCESS, HASIL, "15 menit", "-", ""),
    (11, "memverifikasi hasil pengumpulan dan pengolahan data kinerja", "kasubbag_renval",
     PROCESS, HASIL, "1 hari", CATATAN, ""),
    (12, "melakukan verifikasi dan validasi akhir atas hasil pengumpulan dan pengolahan "
         "data kinerja", "sekretaris", PROCESS, HASIL, "1 hari", CATATAN, ""),
    (13, "menerima hasil pengumpulan dan pengolahan data kinerja dan memerintahkan "
         "sekretaris untuk laporan kinerja", "kepala_dinas", END, "-", "5 menit", "-", ""),
]  # fmt: skip


@pytest.fixture(scope="module")
def sop() -> SopDefinition:
    definitions = plugin.alur_sop_definitions()
    assert [d.id for d in definitions] == ["pengumpulan-pengolahan-data-kinerja"]
    return definitions[0]


def test_identity(sop: SopDefinition) -> None:
    assert sop.version == "1"
    assert sop.source.endswith("pengumpulan-pengolahan-data-kinerja.toml")


def test_header(sop: SopDefinition) -> None:
    h = sop.header
    assert h.nomor == "000.8.3.3/..173-7"
    assert h.nama == "STANDAR OPERASIONAL PROSEDUR PENGUMPULAN DAN PENGOLAHAN DATA KINERJA"
    assert h.tanggal_pembuatan == "1 Agustus 2023"
    assert h.tanggal_revisi == ""
    assert h.tanggal_efektif == "4 Oktober 2023"
    assert h.disahkan_oleh.nama == "M. TAUFIQ ROCHMAN, S.STP"
    assert h.disahkan_oleh.jabatan == "Kepala Badan Kesatuan Bangsa dan Politik Kota Pekalongan"
    assert h.disahkan_oleh.nip == "197801071997031002"
    assert len(h.dasar_hukum) == 5
    assert h.dasar_hukum[0] == (
        "Peraturan Presiden Nomor 29 Tahun 2014 tentang Sistem Akuntabilitas Kinerja Instansi "
        "Pemerintah"
    )
    # the template's placeholders are kept; "Sisten" is fixed to "Sistem"
    assert h.dasar_hukum[2].startswith("Peraturan Wali Kota Pekalongan Nomor ... Tahun .... ")
    assert h.dasar_hukum[2].endswith("Tata Kerja ..... (Nama OPD)")
    assert "Pelaksanaan Sistem Akuntabilitas Kinerja" in h.dasar_hukum[3]
    assert h.kualifikasi_pelaksana == (
        "Pendidikan minimal S1",
        "Mampu berkomunikasi dengan baik",
        "Mampu mengoperasikan komputer dengan baik",
        "Memiliki pengetahuan tentang pengumpulan data, pengolahan data, dan pelaporan data "
        "kinerja",
    )
    assert h.keterkaitan == ("SOP Pelaporan Kinerja",)
    assert h.peralatan_perlengkapan == ("Meja Kerja", "Kursi Tamu", "ATK", "Komputer dan Internet")
    assert h.peringatan == (
        "Jika pembuatan SOP ini tidak dilaksanakan akan berdampak :",
        "data kinerja tidak dapat terkumpul dengan baik",
        "pengolahan data kinerja tidak sesuai dengan ketentuan dan kebutuhan pelaporan kinerja",
    )
    assert h.pencatatan_pendataan == ()  # the section is empty in the document


def test_roles(sop: SopDefinition) -> None:
    assert [(r.id, r.name, r.rank, r.per_unit) for r in sop.roles] == [
        ("kepala_dinas", "Kepala Dinas", 5, False),
        ("sekretaris", "Sekretaris", 4, False),
        ("kepala_bidang", "Kepala Bidang", 3, True),
        ("kasubbag_renval", "Kasubbag Renval", 2, False),  # column: "Kassubag Renval"
        ("petugas", "Petugas Pengelola Data Kinerja", 1, False),
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
    expected = {n: (n + 1,) for n in range(1, 13)}
    expected.update({8: (9, 7), 13: ()})
    assert {s.number: s.successors() for s in sop.steps} == expected


def test_gates(sop: SopDefinition) -> None:
    gates = {s.number: (s.gate.ya, s.gate.tidak) for s in sop.steps if s.gate}
    assert gates == {8: (9, 7)}
    assert sop.step(8).gate.question.endswith("?")


def test_per_unit_fan_out(sop: SopDefinition) -> None:
    # Each Kepala Bidang collects their bidang's data (7); the Petugas verifies it per
    # bidang (8) and a "tidak" returns only that bidang's data; step 9 joins.
    assert [s.number for s in sop.steps if s.per_unit] == [7, 8]


def test_every_step_is_delegable(sop: SopDefinition) -> None:
    # No step of this SOP is a signature.
    assert all(s.delegable for s in sop.steps)


def test_waktu(sop: SopDefinition) -> None:
    assert sop.needs_duration_at_start() == ()
    assert sop.step(3).waktu.office_minutes(510) == 60
    assert sop.step(9).waktu.amount == 5


def test_institution() -> None:
    inst = plugin.alur_institution()
    assert inst.slug == "kesbangpol-pekalongan"
    assert inst.name == "Badan Kesatuan Bangsa dan Politik Kota Pekalongan"
    assert inst.government == "Pemerintah Kota Pekalongan"
    assert (inst.address, inst.contact) == ("", "")  # not given in the document


def test_units() -> None:
    assert [(u.id, u.name) for u in plugin.alur_units()] == [
        ("ideologi", "Bidang Ideologi, Wawasan Kebangsaan dan Karakter Bangsa"),
        ("politik", "Bidang Politik Dalam Negeri dan Organisasi Kemasyarakatan"),
        ("ketahanan", "Bidang Ketahanan Ekonomi, Sosial, Budaya, Agama dan Penanganan Konflik"),
    ]


def test_hooks_match_the_hookspecs() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(plugin)
    pm.check_pending()  # every @hookimpl names a real hook
    assert pm.hook.alur_institution() == [plugin.alur_institution()]


def test_entry_point() -> None:
    (ep,) = entry_points(group="alur.plugins", name="kesbangpol_pekalongan")
    assert ep.load() is plugin


def test_conformant() -> None:
    # Loads and validates the plugin, then walks every path of its SOP (every gate answer)
    # with fake people: each walk finishes, and every step is reached.
    assert_conformant(plugin, name=plugin.PLUGIN)
