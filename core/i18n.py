"""Translations: gettext catalogs (Babel) for Indonesian and English.

Message ids are English. ``core/locale/<lang>/LC_MESSAGES/messages.po`` holds the
translations, compiled in memory when first used (no build step). Templates use
``{{ _("...") }}``; Python code uses :func:`gettext` (or marks a template with
:func:`~alur.core.errors.N_` and translates it where it is shown).

The language is a context variable: the web app sets it per request (Indonesian unless the
user chose English); elsewhere it is ``ALUR_LANGUAGE`` or, by default, the message ids.

To add strings: ``pybabel extract -F babel.cfg -o /tmp/messages.pot .`` then
``pybabel update -i /tmp/messages.pot -d core/locale``; a test fails when a message has no
Indonesian translation.
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

from alur.core.errors import AlurError

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"  # of the web UI

current_language: ContextVar[str] = ContextVar(
    "alur_language", default=os.environ.get("ALUR_LANGUAGE", "en")
)


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
