"""The page object of test_case_walk.py: what a person sees and does on a case page in the
browser (their tasks, the data kinerja forms, the recap), and the units page of the office."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

SLUG = "satpolpp-banyumas"


class CasePage:
    """One person's browser tab on the case page."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    def open(self) -> CasePage:
        response = self.page.goto(self.url)
        assert response is not None, self.url
        assert response.status == 200, (self.url, response.status)
        return self

    @property
    def live(self) -> Locator:
        return self.page.locator("#case-live")

    def task(self, step: int, unit: str | None = None) -> Locator:
        """My open task at ``step`` (for ``unit``): an action panel I may use."""
        found = self.live.locator(f"article.task.mine[data-step='{step}']")
        return found.filter(has_text=unit) if unit else found

    def any_task(self, step: int, unit: str | None = None) -> Locator:
        """Anyone's open task at ``step`` (for ``unit``)."""
        found = self.live.locator(f"article.task[data-step='{step}']")
        return found.filter(has_text=unit) if unit else found

    @property
    def badge(self) -> Locator:
        return self.page.locator("header #inbox-badge mark.badge")

    def badge_count(self) -> int:
        expect(self.badge).to_have_count(1)
        return int(self.badge.get_attribute("data-count") or "-1")

    def events(self) -> Locator:
        return self.live.locator("ol.timeline > li.event")

    def htmx(self, button: Locator, *, status: int = 200, badge_delta: int | None = None) -> None:
        """Click ``button``; the action must go through htmx and swap ``#case-live`` in place
        (a page-global marker survives), and the inbox badge must move by ``badge_delta``."""
        before = self.badge_count()
        self.page.evaluate(
            "window.__marker = 1;document.querySelector('#case-live-inner').dataset.stale = '1'"
        )
        with self.page.expect_response(
            lambda r: r.request.method == "POST" and ("/tasks/" in r.url or "/approve/" in r.url)
        ) as info:
            button.click()
        response = info.value
        assert response.request.headers.get("hx-request") == "true", "not sent by htmx"
        assert response.status == status, f"{response.url}: {response.status}"
        # The swap replaces the live region's content: wait for the fresh one.
        # (a selector, not wait_for_function: its polling evals, which the CSP refuses)
        expect(self.page.locator("#case-live > #case-live-inner:not([data-stale])")).to_have_count(
            1
        )
        assert self.page.evaluate("window.__marker") == 1, "the page was reloaded"
        assert self.page.url.startswith(self.url), self.page.url
        if badge_delta is not None:
            expect(self.badge).to_have_attribute("data-count", str(before + badge_delta))

    def complete(self, step: int, note: str, *, unit: str | None = None, **kw) -> None:
        task = self.task(step, unit)
        expect(task).to_have_count(1)
        # the plain completion form, or the completion part of the step's data kinerja form
        task.locator("textarea[name=note]").fill(note)
        self.htmx(task.locator("[data-complete]"), **kw)
        expect(self.task(step, unit)).to_have_count(0)

    def approve(self, step: int, note: str, password: str, **kw) -> None:
        """Paraf / Tandatangani at ``step``: the note, the box ticked, the password again."""
        form = self.task(step).locator("form.approve")
        expect(form).to_have_count(1)
        form.locator("textarea[name=note]").fill(note)
        form.locator("input[name=confirm]").check()
        form.locator("input[name=password]").fill(password)
        self.htmx(form.locator("[data-approve-submit]"), **kw)

    def decide(self, step: int, answer: str, note: str = "", *, unit: str | None = None, **kw):
        task = self.task(step, unit)
        expect(task).to_have_count(1)
        task.locator(".decision textarea[name=note]").fill(note)
        self.htmx(task.locator(f".decision button[value={answer}]"), **kw)

    def save_format(self, step: int, rows: list[tuple[str, ...]]) -> None:
        """Type ``rows`` into the format editor of my task at ``step`` and save (htmx)."""
        form = self.task(step).locator("form.kinerja-format")
        for n, (code, sasaran, text, unit_of_measure, target, direction) in enumerate(rows):
            row = form.locator(f"tr[data-row='{n}']")
            row.locator(f"input[name='r{n}.code']").fill(code)
            row.locator(f"[name='r{n}.sasaran']").fill(sasaran)
            row.locator(f"[name='r{n}.text']").fill(text)
            row.locator(f"input[name='r{n}.unit_of_measure']").fill(unit_of_measure)
            row.locator(f"input[name='r{n}.target']").fill(target)
            row.locator(f"select[name='r{n}.direction']").select_option(direction)
        self.htmx(form.locator("[data-save]"), badge_delta=0)
        expect(self.task(step).locator("section.kinerja [role=status]")).to_have_count(1)

    def save_data(self, step: int, values: dict[str, tuple[str, str]], *, unit: str) -> None:
        """Type a unit's realisasi and explanations into my fill task and save (htmx)."""
        form = self.task(step, unit).locator("form.kinerja-fill-form")
        for code, (realisasi, explanation) in values.items():
            form.locator(f"input[name='{code}.realisasi']").fill(realisasi)
            form.locator(f"textarea[name='{code}.explanation']").fill(explanation)
        self.htmx(form.locator("[data-save]"), badge_delta=0)
        expect(self.task(step, unit).locator("section.kinerja [role=status]")).to_have_count(1)

    def claim(self, step: int, *, unit: str | None = None) -> None:
        task = self.task(step, unit)
        self.htmx(task.locator("form[action$='/claim'] [type=submit]"), badge_delta=0)
        # Claimed by me: still mine, without the Claim button, now with an assignee.
        expect(self.task(step, unit)).to_have_count(1)
        expect(self.task(step, unit).locator("form[action$='/claim']")).to_have_count(0)

    def step_states(self) -> dict[int, str]:
        """The steps overview (read after a full page load)."""
        items = self.page.locator("ol.steps > li[data-step]")
        return {
            int(li.get_attribute("data-step") or 0): li.get_attribute("data-state") or ""
            for li in items.all()
        }


def kabid_units(office) -> dict[str, str]:
    """{login: unit name} of the office's Kabid logins (``Name — Kabid, <unit>``)."""
    units = {}
    for username, who in office.logins.items():
        role = who.rsplit("—", 1)[-1].strip()
        if role.startswith("Kabid, "):
            units[username] = role.split(", ", 1)[1]
    return units


def unit_row(page: Page, name: str) -> Locator:
    """The unit's row on the admin's units page, found by the unit's name."""
    exact = re.compile(rf"^\s*{re.escape(name)}\s*$")
    return page.locator("table.units tbody tr").filter(has=page.locator("strong", has_text=exact))


def set_units_active(page: Page, names: list[str], active: bool) -> None:
    """The office admin (de)activates units on the admin's units page, through htmx."""
    page.goto(f"/t/{SLUG}/admin/units")
    change = "reactivate" if active else "deactivate"
    for name in names:
        row = unit_row(page, name)
        expect(row).to_have_count(1)
        page.evaluate("window.__marker = 1")
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith(f"/{change}")
        ) as info:
            row.locator(f"form[action$='/{change}'] [type=submit]").click()
        assert info.value.status == 200, info.value.status
        assert info.value.request.headers.get("hx-request") == "true"
        inactive = re.compile(r"\binactive\b")
        if active:
            expect(unit_row(page, name)).not_to_have_class(inactive)
        else:
            expect(unit_row(page, name)).to_have_class(inactive)
        assert page.evaluate("window.__marker") == 1, "the page was reloaded"
