"""Alur plugin of Satuan Polisi Pamong Praja (Satpol PP) Kabupaten Banyumas.

Ships the SOP "Mekanisme Pengumpulan Data Kinerja" (``sop/pengumpulan-data-kinerja.toml``)
with the institution's identity, its pelaksana and its default bidang.
"""

from __future__ import annotations

import functools

from alur.core import (
    Institution,
    Role,
    SopDefinition,
    Unit,
    hookimpl,
    load_package_definitions,
    roles_of,
)

PLUGIN = "satpolpp_banyumas"  # the entry point name


@functools.cache
def _definitions() -> tuple[SopDefinition, ...]:
    return tuple(load_package_definitions(__name__, plugin=PLUGIN))


@hookimpl
def alur_institution() -> Institution:
    return Institution(
        slug="satpolpp-banyumas",
        name="Satuan Polisi Pamong Praja Kabupaten Banyumas",
        government="Pemerintah Kabupaten Banyumas",
        place="Purwokerto",
        address="Jl. Prof. Dr. Soeharso No. 42 Purwokerto Kode Pos 53114",
        contact="Telp. (0281) 631596 email : satpolppbanyumas@gmail.com",
    )


@hookimpl
def alur_units() -> list[Unit]:
    # Not in the SOP document: the usual bidang of a Satpol PP; tenant admins adjust them.
    return [
        Unit(id="gakperda", name="Bidang Penegakan Peraturan Daerah"),
        Unit(id="tibumtranmas", name="Bidang Ketertiban Umum dan Ketenteraman Masyarakat"),
        Unit(id="linmas", name="Bidang Perlindungan Masyarakat"),
        Unit(id="sda", name="Bidang Sumber Daya Aparatur"),
    ]


@hookimpl
def alur_sop_definitions() -> list[SopDefinition]:
    return list(_definitions())


@hookimpl
def alur_roles() -> list[Role]:
    return roles_of(_definitions())  # every SOP's pelaksana, in order, each id once
