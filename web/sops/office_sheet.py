"""An office's SOP sheet: a definition rendered with the identity of the office that runs it.

:func:`office_document_html` is the one function every page showing an office's SOP sheet
calls — the SOP page (the sheet in force), the case page (the case's pinned definition), the
revision editor and approval pages (a revision's sheet, ``revision_number`` given). The sheet
shows the office's own identity (:func:`alur.tenants.offices.letterhead.identity_of`), never
the plugin institution's unless the office is that institution; the signatory and dates are
the definition's (its *disahkan oleh*), except for a plugin's SOP that an office other than
the plugin's institution runs without a revision of its own: then its nomor, date and
signatory cells say "Belum disahkan" (the institution's are not the office's).

Rendered sheets are cached by what they show: the definition's content hash, the office's
identity, the revision number and whether it is signed.
"""

from __future__ import annotations

from markupsafe import Markup

from alur.core.model import SopDefinition
from alur.tenants.caches import ByteBoundedCache, text_bytes
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import NotFound
from alur.tenants.offices.letterhead import identity_of
from alur.web.sops.sopdoc import SheetIdentity, render_document

# The rendered documents, within their share of the process's cache budget
# (alur.tenants.caches); a rendered document is one text, weighed exactly.
_DOCUMENTS: ByteBoundedCache[tuple[str, str, int | None, bool], Markup] = ByteBoundedCache(
    "sop_documents", 1 / 8, text_bytes
)


def unsigned_here(service: TenantService, definition: SopDefinition) -> bool:
    """Whether ``definition`` carries a plugin institution's signatory that is not this
    office's: the office is not the institution of the plugin it runs the SOP from, and the
    definition is signed as the plugin's current definition is (not by the office)."""
    try:
        plugin, shipped = service.plugin_definition(definition.id)
    except NotFound:
        plugin, shipped = service.tenant["plugin"], None
    if service.is_institution_office(plugin):
        return False
    signed = definition.header.disahkan_oleh
    if shipped is None:
        return bool(signed.nama)
    return bool(signed.nama) and signed == shipped.header.disahkan_oleh


def office_document_html(
    service: TenantService, definition: SopDefinition, revision_number: int | None
) -> Markup:
    """The SOP sheet of ``definition`` as ``service``'s office prints it (module
    docstring); ``revision_number``: the office's revision it is, if known ("Revisi ke-n"
    from 1 on). The renderer's template escapes every text."""
    identity = identity_of(service)
    unsigned = revision_number is None and unsigned_here(service, definition)
    key = (definition.content_hash, identity.key, revision_number, unsigned)
    html = _DOCUMENTS.get(key)
    if html is None:
        sheet = SheetIdentity(
            identity.government, identity.unit, identity.address, identity.contact
        )
        html = Markup(
            render_document(definition, sheet, revision_number=revision_number, unsigned=unsigned)
        )
        _DOCUMENTS.put(key, html)
    return html
