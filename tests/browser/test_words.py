"""Words on the staff pages: English mode is complete, and no developer words.

In English mode every staff page (inbox, cases, each demo case with its forms open, the data
kinerja page, SOPs, notifications, settings) is read for Indonesian UI words: the words of
the Indonesian catalog's translations that are not English too (an English message id uses
them) and not on the list of domain terms kept in English mode (docs/web.md, "Words"). The
SOP's own text and what people typed are left out by structure: the SOP document and its text
description, the kegiatan and role names, units, people, periods, notes and the data kinerja
values (``CONTENT`` below). In Indonesian mode the same pages must not show developer words.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.pofile import read_po

from alur.core.i18n import LOCALE_DIR
from tests.browser.test_pages import PLUGIN, SLUG, case_keys, open_every_details

# Kept in Indonesian in English mode too (docs/web.md lists them with their meaning).
DOMAIN_TERMS = {
    "sop", "kegiatan", "pelaksana", "mutu", "baku", "kelengkapan", "waktu", "output",
    "keterangan", "paraf", "tanda", "tangan", "disposisi", "plt", "plh", "bidang", "unit",
    "data", "kinerja", "iku", "sakip", "opd", "nip", "kop", "realisasi", "capaian", "target",
    "rekap", "triwulan", "semester", "tahun", "menit", "jam", "hari", "jabatan", "pangkat",
    "golongan", "whatsapp", "email", "wib", "wita", "wit", "format", "alur", "monev",
    "ii", "iii", "iv",  # the roman numbers of a period: Triwulan III, Semester II
}  # fmt: skip

# Words that are the same in English and Indonesian UI text.
BOTH_LANGUAGES = {
    "status",
    "email",
    "api",
    "url",
    "graphql",
    "webhook",
    "webhooks",
    "admin",
    "no",
    "menu",
    "per",
    "pdf",
    "xlsx",
    "monitoring",
}

# Elements whose text is the SOP's own or typed by people (not UI words), by structure.
CONTENT = ", ".join(
    (
        ".sop-document",  # the SOP document (its labels are the Permenpan RB layout's)
        ".flow-text",  # the flowchart in words (the SOP's text)
        ".case-flow",  # the case page's flowchart (the same document)
        "[lang=id]",  # anything marked as Indonesian text
        ".tenant-name, .person-name",  # the office's and the person's names
        "article.task > header",  # kegiatan, role, unit, person of a task
        "ol.steps",  # kegiatan of the steps overview
        "ol.timeline",  # who did what, with their notes
        "table td",  # table cells: kegiatan, periods, units, values typed
        ".returned, blockquote",  # return notes
        "hgroup",  # the case's SOP name and period
        "option",  # choices that are content (SOP names, units, people)
        ".case-status",  # the case's units
        "section.kinerja-unit h3, section.kinerja-unit h4",  # a unit's name
        "ul.attachments, ul.approvals",  # file names, officials' names and jabatan
        "ol.notifications",  # notifications quote kegiatan and periods
        "fieldset.kinerja-indicator > legend",  # an indicator's code and name
        "table.kinerja-recap thead th[colspan]",  # the recap's unit names
        "h1.sop-page-title, ul.sops",  # SOP names
    )
)

# The page's text nodes, each on its own (table cells would run together in textContent),
# leaving out those inside ``content`` elements and scripts.
READ_TEXT = """(content) => {
    const skip = "script, style, noscript, " + content;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest(skip)) parts.push(node.nodeValue);
    }
    return parts.join(" ");
}"""

WORD = re.compile(r"[A-Za-z]+")


def _entries(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return [m for m in read_po(f, locale=language) if m.id]


@cache
def indonesian_ui_words() -> frozenset[str]:
    """Words of the Indonesian translations that no English text uses (a message id the
    English catalog does not translate, or an English translation), nor a domain term."""
    indonesian, english = set(), set()
    for m in _entries("id"):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        said = {w.lower() for text in strings for w in WORD.findall(text or "")}
        indonesian |= said
        # a word of the id that its translation does not keep is English; one it keeps is
        # Indonesian written into the id ("Realisasi", "Tidak"), or a word of both languages
        english |= {w.lower() for text in ids for w in WORD.findall(text)} - said
    for m in _entries("en"):
        english.update(w.lower() for w in WORD.findall(m.string or ""))
    return frozenset(w for w in indonesian - english - DOMAIN_TERMS - BOTH_LANGUAGES if len(w) > 1)


def staff_paths(live_server) -> list[tuple[str, str]]:
    keys = case_keys(live_server)
    paths = [("inbox", "inbox"), ("cases", "cases"), ("sops", "sops")]
    paths += [(f"sops/{c.sop_id}", "sop") for c in live_server.office_of_plugin(PLUGIN).cases[:1]]
    paths += [(f"cases/{key}", f"case-{state}") for state, key in sorted(keys.items())]
    paths += [(f"cases/{keys['finished']}/kinerja", "kinerja")]
    paths += [("notifications", "notifications"), ("settings", "settings")]
    return paths


PEOPLE = [("staf", "Staf"), ("kabid", "Kabid"), ("kasubag", "Kasubag"), ("kepala", "Kepala")]


def content_words(office) -> set[str]:
    """The words of the office's own names: the office, its people, roles and units (shown
    inside UI sentences, e.g. "Units taking part: Bidang Sumber Daya Aparatur")."""
    texts = [office.name, *office.logins.values()]
    return {w.lower() for text in texts for w in WORD.findall(text)}


def indonesian_words(page, office) -> dict[str, str]:
    """The Indonesian UI words the page shows, each with a bit of text around it."""
    vocabulary = indonesian_ui_words() - content_words(office)
    texts = [page.evaluate(READ_TEXT, CONTENT)]
    found = {}
    for text in texts:
        for match in WORD.finditer(text):
            if match.group().lower() in vocabulary:
                around = text[max(0, match.start() - 30) : match.end() + 30]
                found.setdefault(match.group(), " ".join(around.split()))
    return found


@pytest.mark.parametrize(("who", "role"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_english_mode_has_no_indonesian_ui_words(who, role, live_server, new_page):
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for(role))
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    problems = []
    for path, name in staff_paths(live_server):
        response = page.goto(f"/t/{SLUG}/{path}")
        assert response is not None
        assert response.status == 200, (path, response.status)
        assert page.locator("html").get_attribute("lang") == "en"
        open_every_details(page)
        problems += [
            f"{who} {name}: {w!r} in “{around}”"
            for w, around in indonesian_words(page, office).items()
        ]
    assert not problems, "Indonesian UI words in English mode:\n" + "\n".join(problems)


DEVELOPER_WORDS = re.compile(r"\b(hash|sha-?256|slug|peristiwa|plugin|token)\b", re.IGNORECASE)


@pytest.mark.parametrize(("who", "role"), PEOPLE, ids=[p[0] for p in PEOPLE])
def test_staff_pages_have_no_developer_words(who, role, live_server, new_page):
    office = live_server.office_of_plugin(PLUGIN)
    page = new_page(office.login_for(role))
    problems = []
    for lang in ("id", "en"):
        page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
        for path, name in staff_paths(live_server):
            page.goto(f"/t/{SLUG}/{path}")
            open_every_details(page)
            text = page.evaluate(READ_TEXT, ".sop-document, .flow-text, .case-flow")
            problems += [
                f"{who} {name} ({lang}): {m.group()!r}" for m in DEVELOPER_WORDS.finditer(text)
            ]
    assert not problems, "developer words on staff pages:\n" + "\n".join(problems)


def test_the_header_shows_the_persons_name(live_server, new_page):
    office = live_server.office_of_plugin(PLUGIN)
    username = office.login_for("Staf")
    page = new_page(username)
    page.goto(f"/t/{SLUG}/inbox")
    header = page.locator("header").inner_text()
    name = office.logins[username].rsplit("—", 1)[0].strip()
    assert name in page.locator("header [data-person]").inner_text()
    assert username not in header
