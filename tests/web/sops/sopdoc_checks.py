"""The checks every rendered SOP document must pass (test_sopdoc.py): a tiny strict DOM that
fails on unbalanced tags, the generic checks of a document against its definition, and the
off-page connectors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

from alur.core import (
    SopDefinition,
    Step,
)
from alur.web.sops.sopdoc import SopDocument

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


# --- a tiny strict DOM: fails on unbalanced tags ------------------------------------------


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str):
        for n in self.iter():
            if tag and n.tag != tag:
                continue
            if cls and cls not in n.attrs.get("class", "").split():
                continue
            if all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                yield n

    def text(self) -> str:
        return " ".join(
            "".join(c if isinstance(c, str) else c.text() for c in self.children).split()
        )

    def own_text(self) -> str:
        return " ".join("".join(c for c in self.children if isinstance(c, str)).split())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    b.close()
    assert [n.tag for n in b.stack] == ["#root"], "unclosed tags"
    return b.root


# --- the generic checks every rendered SOP must pass --------------------------------------


def check_document(definition: SopDefinition, doc: SopDocument, html: str) -> Node:
    root = parse(html)
    assert html.lstrip().startswith('<div class="sop-document"')
    h = definition.header
    text = root.text()
    for value in (h.nomor, h.nama, h.disahkan_oleh.nama):
        assert " ".join(value.split()) in text
    if h.disahkan_oleh.nip:
        assert f"NIP. {h.disahkan_oleh.nip}" in text
    for item in (
        *h.dasar_hukum,
        *h.kualifikasi_pelaksana,
        *h.keterkaitan,
        *h.peralatan_perlengkapan,
        *h.peringatan,
        *h.pencatatan_pendataan,
    ):
        assert " ".join(item.split()) in text

    pages = list(root.find_all("section", cls="sop-page"))
    assert len(pages) == len(doc.pages) >= 1
    role_names = [r.name for r in definition.roles]
    for page in pages:  # the column header repeats on every page
        heads = [" ".join(th.text().split()) for th in page.find_all("th", cls="sop-role")]
        assert heads == [" ".join(n.split()) for n in role_names]
        assert "Pelaksana" in page.find_all("thead").__next__().text()

    rows = {int(tr.attrs["data-step"]): tr for tr in root.find_all("tr", cls="sop-row-step")}
    assert sorted(rows) == sorted(s.number for s in definition.steps)
    for s in definition.steps:
        tr = rows[s.number]
        assert next(tr.find_all("td", cls="sop-kegiatan")).own_text() == " ".join(
            s.kegiatan.split()
        )
        for cls, value in (
            ("sop-kelengkapan", s.kelengkapan),
            ("sop-waktu", s.waktu.text),
            ("sop-output", s.output),
            ("sop-keterangan", s.keterangan),
        ):
            assert next(tr.find_all("td", cls=cls)).text() == " ".join(value.split())
        symbols = list(tr.find_all("g", cls="sop-symbol"))
        assert len(symbols) == 1
        assert symbols[0].attrs["data-kind"] == s.kind.value
        assert symbols[0].attrs["data-step"] == str(s.number)
        assert ("data-per-unit" in symbols[0].attrs) == s.per_unit
        labels = [t.text() for t in tr.find_all("text", cls="sop-label")]
        if s.gate is not None:
            assert sorted(labels) == ["Tidak", "Ya"]
        # Every successor is reached: an arrowhead of that connector lands in its row.
        for target, branch in _successors(s):
            arrows = list(
                rows[target].find_all(
                    "g", cls="sop-arrow", data_from=str(s.number), data_to=str(target)
                )
            )
            assert arrows, f"no arrow {s.number} -> {target}"
            assert any(a.attrs.get("data-branch", "") == branch for a in arrows)
            assert any(a.find_all("path", cls="sop-head").__next__() for a in arrows)

    # One symbol per step, shapes by kind.
    kinds = Counter(g.attrs["data-kind"] for g in root.find_all(cls="sop-symbol"))
    assert kinds == Counter(s.kind.value for s in definition.steps)
    assert html.count('data-kind="decision"') == kinds["decision"]

    # The symbol sits in its pelaksana's column (inside, off the lane gutters).
    col_start, x = {}, 0.0
    for c in doc.role_columns:
        col_start[c.title] = (x + c.pad_left, x + c.width - c.pad_right)
        x += c.width
    for page in doc.pages:
        for r in page.rows:
            lo, hi = col_start[r.actor]
            assert lo + 10 < float(r.drawing.symbol.x) < hi - 10

    check_offpage(definition, doc, root)
    return root


def _successors(s: Step) -> list[tuple[int, str]]:
    if s.gate is not None:
        return [(s.gate.ya, "ya"), (s.gate.tidak, "tidak")]
    return [(s.next, "")] if s.next is not None else []


def check_offpage(definition: SopDefinition, doc: SopDocument, root: Node) -> None:
    page_of = {r.number: p.number for p in doc.pages for r in p.rows}
    crossing = sorted(
        (s.number, t)
        for s in definition.steps
        for t, _ in _successors(s)
        if page_of[s.number] != page_of[t]
    )
    found: dict[str, dict[str, tuple[int, int, int]]] = {}
    for section in root.find_all("section", cls="sop-page"):
        page = int(section.attrs["data-page"])
        for g in section.find_all("g", cls="sop-offpage"):
            label = g.attrs["data-offpage"]
            assert g.text() == label
            assert g.find_all("polygon").__next__().attrs["points"].count(",") == 5  # pentagon
            entry = found.setdefault(label, {})
            assert g.attrs["data-direction"] not in entry
            entry[g.attrs["data-direction"]] = (
                int(g.attrs["data-from"]),
                int(g.attrs["data-to"]),
                page,
            )
    pairs = []
    for label, ends in found.items():
        assert set(ends) == {"out", "in"}, label
        (f1, t1, p_out), (f2, t2, p_in) = ends["out"], ends["in"]
        assert (f1, t1) == (f2, t2)
        assert p_out == page_of[f1]
        assert p_in == page_of[t1]
        assert p_out != p_in
        pairs.append((f1, t1))
    assert sorted(pairs) == crossing
    # A page break on the main flow puts the "out" connector at the bottom of the page, in
    # the column of the last step, and the "in" one at the top of the next page.
    for p, following in pairwise(doc.pages):
        last, first = p.rows[-1], following.rows[0]
        step = definition.step(last.number)
        if (step.gate.ya if step.gate else step.next) != first.number:
            continue
        assert p.bottom is not None
        assert following.top is not None
        assert any(o.x == last.drawing.symbol.x for o in p.bottom.offpages)
        assert any(o.x == first.drawing.symbol.x for o in following.top.offpages)
