"""The Satpol PP Banyumas plugin transcribes its SOP faithfully (seed 001).

The expected values below are copied from the source document, with the typo fixes listed
in the plugin's README.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import alur_satpolpp_banyumas as plugin
import pluggy
import pytest

from alur.core import SopDefinition, StepKind, hookspecs
from alur.core.testing import assert_conformant

START, PROCESS, DECISION, END = (StepKind.START, StepKind.PROCESS, StepKind.DECISION,
                                 StepKind.END)  # fmt: skip

# (number, kegiatan, actor, kind, kelengkapan, waktu, output, keterangan)
STEPS = [
    (1, "Membuat draft format data kinerja", "staf", START, "", "2 hari",
     "Draft format data kinerja", ""),
    (2, "Mengkoreksi format data kinerja bila benar digandakan bila salah dikembalikan ke "
        "staf untuk diperbaiki", "kasubag_perencanaan", DECISION, "", "10 menit",
     "Format data kinerja", ""),
    (3, "Menggandakan dan menyerahkan ke Kabid", "staf", PROCESS, "", "1 Hari",
     "Format data kinerja di meja Kabid", ""),
    (4, "Menerima dan mengisi data kinerja", "kabid", PROCESS, "", "3 hari",
     "Format data kinerja sudah di isi", ""),
    (5, "Menerima dan verifikasi data kinerja dari Bidang", "staf", DECISION, "", "1 hari",
     "Data kinerja yang sudah ter verifikasi", ""),
    (6, "Mengentri dan menyerahkan data kinerja pada Kasubag Perencanaan", "staf", PROCESS,
     "", "2 hari", "Print out data kinerja", "SOP Pendokumentasian"),
    (7, "Validasi dan paraf data kinerja", "kasubag_perencanaan", PROCESS, "", "10 menit",
     "Print Out data kinerja yang sudah di paraf", "SOP Pengiriman surat"),
    (8, "Paraf data kinerja", "sekretaris", PROCESS, "", "10 Menit", "Print Out data kinerja",
     ""),
    (9, "Menandatangani data kinerja", "kepala_satuan", END,
     "Print Out data kinerja yang sudah di paraf", "10 menit",
     "Print Out data kinerja yang sudah ditanda tangani", ""),
]  # fmt: skip


@pytest.fixture(scope="module")
def sop() -> SopDefinition:
    definitions = plugin.alur_sop_definitions()
    assert [d.id for d in definitions] == ["pengumpulan-data-kinerja"]
    return definitions[0]


def test_identity(sop: SopDefinition) -> None:
    assert sop.version == "1"
    assert sop.source.endswith("pengumpulan-data-kinerja.toml")


def test_header(sop: SopDefinition) -> None:
    h = sop.header
    assert h.nomor == "050/056/1"
    assert h.nama == "Mekanisme Pengumpulan Data Kinerja"
    assert h.tanggal_pembuatan == "08 JANUARI 2021"
    assert h.tanggal_revisi == ""
    assert h.tanggal_efektif == "JANUARI 2021"  # the document's "Tanggal Pengesahan"
    assert h.disahkan_oleh.nama == "EKO HERI SURONO, S.Sos"
    assert h.disahkan_oleh.jabatan == "Kepala Satuan Polisi Pamong Praja Kabupaten Banyumas"
    assert h.disahkan_oleh.nip == "0425 198903 1 005"  # truncated in the scan, kept
    assert len(h.dasar_hukum) == 3
    assert h.dasar_hukum[0] == (
        "Peraturan Menteri Dalam Negeri Nomor 52 Tahun 2011 tentang Standar Operasional "
        "Prosedur Di Lingkungan Pemerintah Provinsi dan Kabupaten/Kota;"
    )
    assert h.dasar_hukum[2].startswith("Peraturan Bupati Banyumas Nomor 58 Tahun 2016 Tentang")
    assert h.kualifikasi_pelaksana == (
        "Memiliki kewenangan dalam penyusunan Data Kinerja Utama OPD",
        "Memiliki Kemampuan dalam menyusun Indikator Kinerja Utama OPD",
    )
    assert h.keterkaitan == ("SOP Rapat Internal", "SOP Pengumpulan Data")
    assert h.peralatan_perlengkapan == ("Renstra", "Renja", "DPA", "Perangkat Komputer")
    assert h.peringatan == ("Tertib Pelaporan Kinerja",)
    assert h.pencatatan_pendataan == (
        "Rumusan rencana program dan kegiatan dan anggaran untuk periode satu tahun anggaran",
    )


def test_roles(sop: SopDefinition) -> None:
    assert [(r.id, r.name, r.rank, r.per_unit) for r in sop.roles] == [
        ("staf", "Staf", 1, False),
        ("kasubag_perencanaan", "Kasubag Perencanaan", 2, False),
        ("sekretaris", "Sekretaris", 4, False),
        ("kabid", "Kabid", 3, True),
        ("kepala_satuan", "Kepala Satuan", 5, False),
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
    # Process steps continue with the following step; gates branch; 9 ends.
    assert {s.number: s.successors() for s in sop.steps} == {
        1: (2,), 2: (3, 1), 3: (4,), 4: (5,), 5: (6, 4), 6: (7,), 7: (8,), 8: (9,), 9: (),
    }  # fmt: skip


def test_gates(sop: SopDefinition) -> None:
    gates = {s.number: (s.gate.ya, s.gate.tidak) for s in sop.steps if s.gate}
    assert gates == {2: (3, 1), 5: (6, 4)}
    assert all(s.gate.question.endswith("?") for s in sop.steps if s.gate)


def test_per_unit_fan_out(sop: SopDefinition) -> None:
    # Each Kabid fills in their bidang's data (4); the Staf verifies it per bidang (5) and
    # a "tidak" returns only that bidang's data; step 6 joins.
    assert [s.number for s in sop.steps if s.per_unit] == [4, 5]


def test_only_signing_is_not_delegable(sop: SopDefinition) -> None:
    assert [s.number for s in sop.steps if not s.delegable] == [9]


def test_waktu(sop: SopDefinition) -> None:
    assert sop.needs_duration_at_start() == ()
    assert sop.step(3).waktu.amount == 1
    assert sop.step(8).waktu.office_minutes(510) == 10


def test_institution() -> None:
    inst = plugin.alur_institution()
    assert inst.slug == "satpolpp-banyumas"
    assert inst.name == "Satuan Polisi Pamong Praja Kabupaten Banyumas"
    assert inst.government == "Pemerintah Kabupaten Banyumas"
    assert inst.address == "Jl. Prof. Dr. Soeharso No. 42 Purwokerto Kode Pos 53114"
    assert inst.contact == "Telp. (0281) 631596 email : satpolppbanyumas@gmail.com"


def test_units() -> None:
    assert [(u.id, u.name) for u in plugin.alur_units()] == [
        ("gakperda", "Bidang Penegakan Peraturan Daerah"),
        ("tibumtranmas", "Bidang Ketertiban Umum dan Ketenteraman Masyarakat"),
        ("linmas", "Bidang Perlindungan Masyarakat"),
        ("sda", "Bidang Sumber Daya Aparatur"),
    ]


def test_hooks_match_the_hookspecs() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(plugin)
    pm.check_pending()  # every @hookimpl names a real hook
    assert pm.hook.alur_institution() == [plugin.alur_institution()]


def test_entry_point() -> None:
    (ep,) = entry_points(group="alur.plugins", name="satpolpp_banyumas")
    assert ep.load() is plugin


def test_conformant() -> None:
    # Loads and validates the plugin, then walks every path of its SOP (every gate answer)
    # with fake people: each walk finishes, and every step is reached.
    assert_conformant(plugin, name=plugin.PLUGIN)
