"""The public verification page of signed reports: ``/verifikasi`` and ``/verifikasi/{code}``.

No sign-in and no session (the path is excluded from the session middleware): the QR code of a
signed report (:mod:`alur.reports.letter`) opens ``/verifikasi/{recap hash}``; a person can type
the short code printed beside it into ``/verifikasi``'s form (``?kode=``). The answer comes from
:func:`alur.tenants.kinerja.verification.check_document`: signed (by whom, with which jabatan,
when, in which office), known but not signed, or not found — and nothing else. An unknown or
malformed code answers 404 with the same page.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from alur.core.i18n import LANGUAGES, current_language
from alur.core.kinerja.codes import normalise_code, printed_code
from alur.tenants.kinerja.verification import check_document
from alur.web.services import Services


class VerifyController(Controller):
    path = "/verifikasi"

    @get("/", name="verify-form")
    async def form(
        self,
        request: Request,
        services: NamedDependency[Services],
        kode: FromQuery[str | None] = None,
    ) -> Template:
        if kode:
            return await self._answer(request, services, kode[:100])
        return self._page(request, code="", asked=False)

    @get("/{code:str}", name="verify")
    async def verify(
        self, request: Request, code: FromPath[str], services: NamedDependency[Services]
    ) -> Template:
        return await self._answer(request, services, code[:100])

    async def _answer(self, request: Request, services: Services, code: str) -> Template:
        found = await check_document(services.database, services.plugins, code)
        wanted = normalise_code(code)
        shown = printed_code(wanted) if wanted else code
        return self._page(
            request, code=shown, asked=True, found=found, status=200 if found else 404
        )

    def _page(self, request: Request, *, status: int = 200, **context: object) -> Template:
        return Template(
            "verify.html",
            status_code=status,
            context={
                "request": request,
                "viewer": None,
                "tenant": None,
                "languages": LANGUAGES,
                "lang": current_language.get(),
                "active": "",
                **context,
            },
        )
