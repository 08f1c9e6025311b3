"""Tenant isolation, as a person sees it: another office's case URL answers 404."""

from __future__ import annotations

import re

from playwright.sync_api import expect

HOME = "satpolpp_banyumas"  # the office the visitor belongs to
OTHER = "kesbangpol_pekalongan"  # the office whose case they try to open


def test_another_offices_case_answers_404(live_server, new_page):
    home = live_server.office_of_plugin(HOME)
    other = live_server.office_of_plugin(OTHER)

    # A member of the other office reads one of its active cases from their cases page.
    insider = new_page(other.staff_login())
    insider.goto(f"/t/{other.slug}/cases?status=active")
    links = insider.locator(f"main table a[href^='/t/{other.slug}/cases/']")
    expect(links.first).to_be_visible()
    case_url = links.first.get_attribute("href") or ""
    assert re.fullmatch(rf"/t/{other.slug}/cases/\w+", case_url), case_url
    key = case_url.rsplit("/", 1)[1]
    insider.goto(case_url)
    period = insider.locator("main hgroup p").inner_text().split("·")[0].strip()
    sop_name = insider.locator("main hgroup h1").inner_text()
    events_before = insider.locator("ol.timeline > li.event").count()
    open_task = insider.locator("#case-live article.task").first.get_attribute("data-task")
    assert open_task, "the active case has no open task"

    # A member of this office: the same URL, and the key under their own office, are 404.
    visitor = new_page(home.staff_login())
    for url in (case_url, f"/t/{home.slug}/cases/{key}"):
        response = visitor.goto(url)
        assert response is not None, url
        assert response.status == 404, (url, response.status)
        expect(visitor.locator("main .error-page")).to_be_visible()
        expect(visitor.locator("#case-live")).to_have_count(0)
        text = visitor.locator("main").inner_text()
        assert sop_name not in text, text
        assert period not in text, text

    # Acting on it is refused the same way, with or without htmx, and changes nothing.
    visitor.goto(f"/t/{home.slug}/inbox")
    token = visitor.locator("input[name=_csrf_token]").first.get_attribute("value") or ""
    assert token, "no CSRF token on the page"
    for headers in ({}, {"HX-Request": "true"}):
        response = visitor.request.post(
            f"{case_url}/tasks/{open_task}/claim",
            form={"_csrf_token": token, "action": "claim"},
            headers=headers,
            max_redirects=0,
        )
        assert response.status == 404, (headers, response.status, response.text()[:300])
    insider.reload()
    expect(insider.locator("ol.timeline > li.event")).to_have_count(events_before)
    expect(insider.locator(f"#case-live article.task[data-task='{open_task}']")).to_have_count(1)

    # The other office's pages do not open either.
    for url in (f"/t/{other.slug}/inbox", f"/t/{other.slug}/cases"):
        response = visitor.goto(url)
        assert response is not None, url
        assert response.status == 404, (url, response.status)
