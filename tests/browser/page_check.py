"""One check of a page as people see it, at the two sizes every page must work at.

``check_page(page, name)`` looks at the page open in ``page`` at 1366×900 (a desk) and at
390×844 (a phone, as a Kabid opens a WhatsApp link), and for each size:

- saves a full-page screenshot ``artifacts/screenshots/<name>-1366.png`` / ``-390.png``
  (``scripts/test`` names the folder at the end, for a reviewer to look at);
- fails when the document is wider than the window (a page must never scroll sideways: wide
  tables scroll inside their own box or become cards);
- runs axe-core (vendored: ``tests/browser/vendor/axe-<version>.min.js``, MPL-2.0) and fails on
  any *serious* or *critical* violation, naming the rule, the nodes and axe's help link. The
  full results go to ``artifacts/axe/<name>-<width>.json``.

axe is injected through Playwright's ``evaluate`` (the DevTools protocol), not a ``<script>``
element, so the page's Content-Security-Policy stays as strict as in production. The page is
left at the size it had before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_RESULTS = ARTIFACTS / "axe"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = (DESKTOP, PHONE)
# What fails a page: axe's two highest impacts ("moderate" and "minor" are reported in the
# JSON only).
FAILING_IMPACTS = ("serious", "critical")
# WCAG 2.1 A and AA, and axe's best practices (headings in order, landmarks, ...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageCheck:
    """What one size of one page showed."""

    name: str
    width: int
    document_width: int
    screenshot: Path
    violations: list[dict]  # axe's serious and critical violations

    def problems(self) -> list[str]:
        found = []
        if self.document_width > self.width:
            found.append(
                f"{self.name} at {self.width} px: the document is {self.document_width} px "
                "wide (scrolls sideways)"
            )
        for v in self.violations:
            nodes = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            found.append(
                f"{self.name} at {self.width} px: axe {v['impact']} {v['id']}: {v['help']} "
                f"({len(v['nodes'])} nodes: {nodes}) {v['helpUrl']}"
            )
        return found


def document_width(page) -> int:
    """How wide the document is, in CSS pixels (more than the window: it scrolls sideways)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )


def run_axe(page) -> dict:
    """axe-core's results for the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return {violations: r.violations, url: r.url};
        }""",
        AXE_TAGS,
    )


def look_at(page, name: str, size: dict) -> PageCheck:
    page.set_viewport_size(size)
    page.wait_for_timeout(100)  # a layout pass after the resize
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}-{size['width']}.png"
    page.screenshot(path=str(shot), full_page=True)
    width = document_width(page)
    results = run_axe(page)
    (AXE_RESULTS / f"{name}-{size['width']}.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    serious = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    return PageCheck(name, size["width"], width, shot, serious)


def check_page(page, name: str, *, sizes=SIZES, allow: tuple[str, ...] = ()) -> list[PageCheck]:
    """Look at ``page`` at each size (screenshot, width, axe); fail on any problem.

    ``allow`` names axe rule ids not failed *on this page*, each with a reason in the calling
    test (e.g. a rule the SOP's own text breaks); use it sparingly.
    """
    before = page.viewport_size
    checks = []
    try:
        for size in sizes:
            check = look_at(page, name, size)
            checks.append(
                PageCheck(
                    check.name,
                    check.width,
                    check.document_width,
                    check.screenshot,
                    [v for v in check.violations if v["id"] not in allow],
                )
            )
    finally:
        if before:
            page.set_viewport_size(before)
    problems = [p for c in checks for p in c.problems()]
    assert not problems, "\n".join(problems)
    return checks
