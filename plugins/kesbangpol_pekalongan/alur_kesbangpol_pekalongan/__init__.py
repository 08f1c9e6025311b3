"""Alur plugin of Badan Kesatuan Bangsa dan Politik (Kesbangpol) Kota Pekalongan.

Ships the SOP "Pengumpulan dan Pengolahan Data Kinerja"
(``sop/pengumpulan-pengolahan-data-kinerja.toml``) with the institution's identity, its
pelaksana and its default bidang.
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

PLUGIN = "kesbangpol_pekalongan"  # the entry point name


@functools.cache
def _definitions() -> tuple[SopDefinition, ...]:
    return tuple(load_package_definitions(__name__, plugin=PLUGIN))


@hookimpl
def alur_institution() -> Institution:
    # The document gives no address or contact.
    return Institution(
        slug="kesbangpol-pekalongan",
        name="Badan Kesatuan Bangsa dan Politik Kota Pekalongan",
        government="Pemerintah Kota Pekalongan",
        place="Pekalongan",
    )


@hookimpl
def alur_units() -> list[Unit]:
    # Not in the SOP document: the usual bidang of a Kesbangpol; tenant admins adjust them.
    return [
        Unit(id="ideologi", name="Bidang Ideologi, Wawasan Kebangsaan dan Karakter Bangsa"),
        Unit(
            id="politik",
            name="Bidang Politik Dalam Negeri dan Organisasi Kemasyarakatan",
        ),
        Unit(
            id="ketahanan",
            name="Bidang Ketahanan Ekonomi, Sosial, Budaya, Agama dan Penanganan Konflik",
        ),
    ]


@hookimpl
def alur_sop_definitions() -> list[SopDefinition]:
    return list(_definitions())


@hookimpl
def alur_roles() -> list[Role]:
    return roles_of(_definitions())  # every SOP's pelaksana, in order, each id once
