"""Alur plugin of Biro Organisasi, Sekretariat Daerah Provinsi Kalimantan Barat.

Ships the SOP "Perbaikan Data Kinerja" (``sop/perbaikan-data-kinerja.toml``) with the
institution's identity, its pelaksana and its default bagian.
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

PLUGIN = "biro_organisasi_kalbar"  # the entry point name


@functools.cache
def _definitions() -> tuple[SopDefinition, ...]:
    return tuple(load_package_definitions(__name__, plugin=PLUGIN))


@hookimpl
def alur_institution() -> Institution:
    # The document gives no address or contact.
    return Institution(
        slug="biro-organisasi-kalbar",
        name="Biro Organisasi Sekretariat Daerah Provinsi Kalimantan Barat",
        government="Pemerintah Provinsi Kalimantan Barat",
        place="Pontianak",
    )


@hookimpl
def alur_units() -> list[Unit]:
    # Not in the SOP document: the usual bagian of the Biro; tenant admins adjust them.
    return [
        Unit(id="kelembagaan", name="Bagian Kelembagaan dan Analisis Jabatan"),
        Unit(
            id="reformasi-birokrasi",
            name="Bagian Reformasi Birokrasi dan Akuntabilitas Kinerja",
        ),
        Unit(id="tatalaksana", name="Bagian Tatalaksana"),
    ]


@hookimpl
def alur_sop_definitions() -> list[SopDefinition]:
    return list(_definitions())


@hookimpl
def alur_roles() -> list[Role]:
    return roles_of(_definitions())  # every SOP's pelaksana, in order, each id once
