"""The SOP document (Permenpan RB 35/2012) rendered from any definition: alur.web.sops.sopdoc."""

from __future__ import annotations

from dataclasses import replace
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
from alur.web.sops.sopdoc import build_document, render, render_document
from alur.web.sops.sopdoc_layout import PENTAGON_HALF, paginate
from tests.web.sops.sopdoc_checks import (
    check_document,
)

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
