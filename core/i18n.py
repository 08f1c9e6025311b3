"""Translations: gettext catalogs (Babel) for Indonesian and English.

Message ids are English. ``core/locale/<lang>/LC_MESSAGES/messages.po`` holds the
translations, compiled in memory when first used (no build step). Templates use
``{{ _("...") }}``; Python code uses :func:`gettext` (or marks a template with
:func:`~alur.core.errors.N_` and translates it where it is shown).

The language is a context variable: the web app sets it per request (Indonesian unless the
user chose English); elsewhere it is ``ALUR_LANGUAGE`` or, by default, the message ids.

Python code marks user-facing text three ways, all extracted: ``gettext("...")``,
``format_message("... {name} ...", name=...)`` (placeholders are ``str.format`` braces, never
``%``) and ``N_("...")`` for a template translated later (error templates, labels in tables).
Only the literal first argument is extracted, so never pass an f-string.

To add or change strings, from the project root::

    .venv/bin/pybabel extract -F babel.cfg -k N_ -k format_message \
        -o /tmp/messages.pot core tenants web cli graphql reports
    .venv/bin/pybabel update -i /tmp/messages.pot -d core/locale -l id \
        --ignore-obsolete --no-fuzzy-matching -w 100

then translate every empty ``msgstr`` in ``core/locale/id/LC_MESSAGES/messages.po`` (keep
each ``{placeholder}`` exactly; no ``%`` — Jinja's new-style gettext would read it as a
format). The ids are English, so the English catalog holds only the few ids written with an
Indonesian word that is not a domain term kept in English mode ("Ya"/"Tidak", "Sasaran";
the list of domain terms is in docs/web.md, "Words"): add a new such id there by hand.
``tests/docs/test_i18n.py`` fails when a message has no Indonesian translation, a
translation changes the placeholders, or such an id has no English translation.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from alur.core.errors import N_, AlurError

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"  # of the web UI

# Values shown through ``_(value)`` in templates, marked here so that they are extracted.
DYNAMIC_MESSAGES = (
    N_("active"),  # case status
    N_("finished"),
    N_("cancelled"),
    N_("Ya"),  # a decision's answer
    N_("Tidak"),
    N_("ok"),  # a plugin's status
    N_("failed"),
    N_("disabled"),
)

_PROCESS_LANGUAGE: str = os.environ.get("ALUR_LANGUAGE", "en")
current_language: ContextVar[str] = ContextVar("alur_language", default=_PROCESS_LANGUAGE)


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pick_language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def format_message(template: str, **params: object) -> str:
    """Translate ``template`` into the current language, then fill in ``params``."""
    return gettext(template).format(**params)


def error_message(error: AlurError) -> str:
    """An error's message in the current language (its template is a message id)."""
    return format_message(error.template, **error.params)
