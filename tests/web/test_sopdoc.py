"""The SOP document (Permenpan RB 35/2012) rendered from any definition: alur.web.sops.sopdoc."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from markupsafe import escape

from alur.core import (
    Duration,
    Gate,
    Institution,
    Official,
    Role,
    SopDefinition,
    SopHeader,
    Step,
    StepKind,
    create_plugin_manager,
    ensure_valid,
)
from alur.web.sops import sopdoc
from alur.web.sops.sopdoc import SopDocument, build_document, render, render_document
from alur.web.sops.sopdoc_layout import PENTAGON_HALF, paginate

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


# --- definitions ----------------------------------------------------------------------------


def installed() -> list[tuple[str, SopDefinition, Institution | None]]:
    pm = create_plugin_manager()
    return [
        (f"{p.name}/{sid}", d, p.institution) for p in pm.plugins() for sid, d in p.sops.items()
    ]


INSTALLED = installed()


def _step(number: int, actor: str, kind: StepKind = StepKind.PROCESS, **kw) -> Step:
    if kind is not StepKind.END and "gate" not in kw:
        kw.setdefault("next", number + 1)
    return Step(
        number=number,
        kegiatan=kw.pop("kegiatan", f"Kegiatan nomor {number} " * 3),
        actor=actor,
        kind=kind,
        waktu=Duration.parse("10 menit"),
        output=f"Output {number}",
        kelengkapan=f"Berkas {number}",
        **kw,
    )


def long_definition(n: int = 24) -> SopDefinition:
    """A valid SOP of ``n`` steps: gates returning 3, 9 and 1 steps, a fan-out (5-6)."""
    roles = (
        Role("staf", "Staf", 1),
        Role("kasubag", "Kasubag Perencanaan", 2),
        Role("kabid", "Kabid", 3, per_unit=True),
        Role("kepala", "Kepala Dinas", 5),
    )
    cycle = ["staf", "kasubag", "staf", "kepala"]
    gates = {8: 5, 14: 5, 19: 18}
    steps = []
    for i in range(1, n + 1):
        if i == 1:
            steps.append(_step(i, "staf", StepKind.START))
        elif i == n:
            steps.append(_step(i, "kepala", StepKind.END))
        elif i in (5, 6):
            steps.append(_step(i, "kabid", per_unit=True))
        elif i in gates:
            steps.append(
                _step(
                    i,
                    cycle[i % 4],
                    StepKind.DECISION,
                    gate=Gate(f"Sudah benar ({i})?", ya=i + 1, tidak=gates[i]),
                )
            )
        else:
            steps.append(_step(i, cycle[i % 4]))
    header = SopHeader(
        nomor="001/TEST",
        nama="SOP Panjang",
        disahkan_oleh=Official("Nama Pejabat", "Kepala", "1970"),
    )
    return ensure_valid(SopDefinition("panjang", "1", header, roles, tuple(steps)))


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


# --- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "definition", "institution"), INSTALLED, ids=[i[0] for i in INSTALLED]
)
def test_installed_sops_render_completely(name, definition, institution):
    doc = build_document(definition, institution)
    html = render_document(definition, institution)
    assert html == render(doc)
    root = check_document(definition, doc, html)
    cell = next(root.find_all("td", cls="sop-institution")).text()
    assert institution.name in cell
    assert institution.government in cell


def test_three_institutions_are_installed():
    assert {n.split("/")[0] for n, _, _ in INSTALLED} >= {
        "satpolpp_banyumas",
        "kesbangpol_pekalongan",
        "biro_organisasi_kalbar",
    }


@pytest.mark.parametrize("rows_per_page", [None, 3, 5, 8])
def test_long_definition_is_split_into_pages(rows_per_page):
    definition = long_definition(24)
    doc = build_document(definition, rows_per_page=rows_per_page)
    html = render(doc)
    root = check_document(definition, doc, html)
    assert len(doc.pages) >= 3
    if rows_per_page:
        assert all(len(p.rows) <= rows_per_page for p in doc.pages)
    assert [r.number for p in doc.pages for r in p.rows] == list(range(1, 25))
    assert len(list(root.find_all("thead"))) == len(doc.pages)
    assert len(list(root.find_all("g", cls="sop-offpage"))) >= 2 * (len(doc.pages) - 1)


def test_small_sop_fits_one_page():
    definition = long_definition(6)
    doc = build_document(definition)
    assert len(doc.pages) == 1
    assert doc.pages[0].top is None
    assert doc.pages[0].bottom is None
    check_document(definition, doc, render(doc))


def jumping_definition() -> SopDefinition:
    """Not a valid SOP, but drawable: jumps over rows, both gate branches forward, a jump
    back from a process step, two "tidak" into the same step."""
    roles = (Role("staf", "Staf"), Role("kasubag", "Kasubag"), Role("kepala", "Kepala"))
    steps = (
        _step(1, "staf", StepKind.START),
        _step(2, "kasubag", StepKind.DECISION, gate=Gate("Perlu telaah?", ya=5, tidak=3)),
        _step(3, "staf"),
        _step(4, "kepala", StepKind.DECISION, gate=Gate("Setuju?", ya=5, tidak=2)),
        _step(5, "kasubag", next=7),
        _step(6, "kepala", next=2),
        _step(7, "kepala", StepKind.END),
    )
    return SopDefinition("lompat", "1", SopHeader("1", "Lompatan"), roles, steps)


@pytest.mark.parametrize("rows_per_page", [None, 1, 2, 3])
def test_any_flow_is_drawn(rows_per_page):
    definition = jumping_definition()
    doc = build_document(definition, rows_per_page=rows_per_page)
    check_document(definition, doc, render(doc))
    # pentagons on neighbouring lanes never overlap
    for p in doc.pages:
        for d in (p.top, p.bottom):
            xs = sorted(float(o.x) for o in d.offpages) if d else []
            assert all(b - a >= 2 * PENTAGON_HALF for a, b in pairwise(xs))


def test_definition_text_is_escaped():
    evil = "<script>alert(1)</script>"
    base = long_definition(6)
    steps = list(base.steps)
    steps[1] = replace(steps[1], kegiatan=evil, output='a "quoted" & <b>bold</b>')
    header = SopHeader(
        nomor="<i>1</i>",
        nama="A & B",
        dasar_hukum=(evil,),
        disahkan_oleh=Official(evil, "<u>Kepala</u>", "1 & 2"),
    )
    roles = (Role("staf", "<b>Staf</b>"), *base.roles[1:])
    definition = SopDefinition("jahat", "1", header, roles, tuple(steps))
    institution = Institution("x", evil, government="<em>Pemda</em>")
    html = render_document(definition, institution)
    for tag in ("<script", "<b>", "<i>", "<em>", "<u>"):
        assert tag not in html
    assert str(escape(evil)) in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; B" in html
    check_document(definition, build_document(definition, institution), html)


def test_template_is_an_autoescaped_include():
    source = (sopdoc.TEMPLATES / sopdoc.TEMPLATE).read_text()
    assert "extends" not in source
    assert "macro" not in source
    assert "|safe" not in source.replace(" ", "")
    assert sopdoc.environment().autoescape is True
    css = (Path(sopdoc.__file__).parents[1] / "static" / "sopdoc.css").read_text()
    assert "size: A4 landscape" in css
    assert "break-before: page" in css


def test_rows_grow_with_their_text():
    definition = long_definition(6)
    steps = list(definition.steps)
    steps[2] = replace(steps[2], kegiatan="sangat panjang " * 60)
    definition = replace(definition, steps=tuple(steps))
    doc = build_document(definition)
    heights = [r.height for r in doc.pages[0].rows]
    assert heights[2] > 3 * heights[0]
    # The drawing follows the row's real height: lines run to its top/bottom edge ("±100%").
    lines = [ln for c in doc.pages[0].rows[2].drawing.connectors.values() for ln in c.lines]
    assert {"-100%", "100%"} <= {ln.y1 for ln in lines} | {ln.y2 for ln in lines}


def test_pagination_avoids_cutting_loops():
    heights = [60.0] * 10
    crossings = [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]  # a cut after row 4 or 5 would cut a loop
    chunks = paginate(heights, crossings, 400, 360, 10)
    assert len(chunks) == 2
    assert chunks[0].stop not in (4, 5)
    assert paginate(heights, crossings, 1000, 1000, 10) == [range(10)]
    assert len(paginate(heights, [0] * 10, float("inf"), float("inf"), 3)) == 4
