"""The Indonesian catalog covers every extracted message and keeps their placeholders."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from alur.core.errors import WrongRole
from alur.core.i18n import (
    LOCALE_DIR,
    current_language,
    error_message,
    format_message,
    gettext,
    translations,
)
from alur.tenants.errors import NotFound

ROOT = Path(__file__).resolve().parents[2]
# The same sources and keywords as the command in core/i18n.py's docstring.
SOURCE_DIRS = ("core", "tenants", "web", "cli", "graphql", "reports")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "format_message": None}


@cache
def extracted() -> dict[str, list[str]]:
    """Every message id found in the sources, with where it was found."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str, list[str]] = {}
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options_map, keywords=KEYWORDS
        ):
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    found.setdefault(msgid, []).append(f"{folder}/{filename}:{lineno}")
    return found


def catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=language)


def placeholders(text: str) -> list[tuple[str, str | None, str | None]]:
    """The ``str.format`` fields of ``text``: (name, conversion, format spec), sorted."""
    return sorted(
        (name, conversion, spec)
        for _literal, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    )


@contextmanager
def language(code: str) -> Iterator[None]:
    token = current_language.set(code)
    try:
        yield
    finally:
        current_language.reset(token)


def test_extraction_finds_the_python_and_template_messages() -> None:
    found = extracted()
    assert "step {step} is performed by {role}; you do not hold that role" in found  # N_
    assert 'an office with slug "{slug}" already exists' in found  # format_message
    assert "the file is empty" in found  # gettext
    assert "Inbox" in found  # a template's _()
    assert "handed the task over" in found  # an N_ label in web/cases/view.py


def test_every_message_has_an_indonesian_translation() -> None:
    translated = {m.id: m.string for m in catalog("id") if m.id and m.string and not m.fuzzy}
    missing = {msgid: where for msgid, where in extracted().items() if msgid not in translated}
    assert not missing, (
        "messages without an Indonesian translation (see core/i18n.py for the "
        f"extract/update commands): {missing}"
    )


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for m in catalog("id"):
        if not m.id or not m.string:
            continue
        if placeholders(m.string) != placeholders(m.id):
            wrong.append((m.id, m.string))
        # Jinja's new-style gettext applies "%" to the result; templates mark it safe.
        for char in "%<>&":
            if m.string.count(char) != m.id.count(char):
                wrong.append((m.id, m.string))
    assert not wrong


# Indonesian words in English message ids that are not domain terms kept in English mode
# (docs/web.md, "Words"): the English catalog translates exactly the ids that carry one.
NOT_DOMAIN_TERMS = re.compile(r"\b(ya|tidak|sasaran)\b|\bCapaian of\b", re.IGNORECASE)


def test_the_english_catalog_translates_only_ids_with_indonesian_words() -> None:
    entries = {m.id: m.string for m in catalog("en") if m.id}
    ids = extracted()
    assert all(entries.values())
    assert not set(entries) - set(ids)  # no stale entry
    for msgid, text in entries.items():
        assert NOT_DOMAIN_TERMS.search(msgid), msgid
        assert not NOT_DOMAIN_TERMS.search(text), text
        assert placeholders(text) == placeholders(msgid), msgid
    assert not [i for i in ids if NOT_DOMAIN_TERMS.search(i) and i not in entries]
    assert translations("en").gettext("Inbox") == "Inbox"
    assert translations("en").gettext("Tidak") == "No"


def test_format_message_follows_the_current_language() -> None:
    template = 'an office with slug "{slug}" already exists'
    with language("id"):
        assert format_message(template, slug="dinkes") == (
            'perangkat daerah dengan slug "dinkes" sudah ada'
        )
        assert gettext("Inbox") == "Kotak masuk"
    with language("en"):
        assert format_message(template, slug="dinkes") == (
            'an office with slug "dinkes" already exists'
        )
        assert gettext("Inbox") == "Inbox"


def test_errors_render_in_indonesian() -> None:
    error = WrongRole(step=2, role="Kasubag")
    with language("id"):
        assert error_message(error) == (
            "kegiatan 2 dilaksanakan oleh Kasubag; Anda tidak memegang peran tersebut"
        )
        missing = NotFound(what=format_message("case {key}", key="a1b2"))
        assert error_message(missing) == "pelaksanaan SOP a1b2 tidak ditemukan"
    with language("en"):
        assert error_message(error) == ("step 2 is performed by Kasubag; you do not hold that role")
    assert str(error) == "step 2 is performed by Kasubag; you do not hold that role"


@pytest.mark.parametrize("code", ["id", "en"])
def test_unknown_messages_fall_back_to_the_id(code: str) -> None:
    with language(code):
        assert gettext("no such message, surely") == "no such message, surely"
