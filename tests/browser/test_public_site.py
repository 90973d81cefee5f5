"""The public site in a real browser: an anonymous visitor reads the demo plan in Arabic, opens a
card and contributes; the coordinator moderates, the card's lead answers, and the visitor sees
both. Every public page passes axe-core without serious or critical violations, at 1366 and
390 px, with nothing wider than the screen."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_support import ARTIFACTS, CardPage, wait_until

AXE = Path(__file__).resolve().parents[2] / "editor" / "node_modules" / "axe-core" / "axe.min.js"
BODY = "نقترح إضافة مؤشر حول نسبة الشكايات المعالجة داخل أجل ثلاثين يوما."
ANSWER = "أضفنا المؤشر إلى جدول مؤشرات الأثر في الصيغة المقبلة."


@pytest.fixture
def visitor(chromium):
    """An anonymous tab; CSP is bypassed only so that the test can inject axe-core."""
    contexts = []

    def open_tab(width: int = 1366):
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ar-MA", bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # The refused contribution answers 422 on purpose; Chromium logs that as an error.
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 422" not in m.text
                else None)
        page.errors = errors
        return page

    yield open_tab
    for context in contexts:
        context.close()


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
      const result = await axe.run(document, {resultTypes: ['violations']});
      return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
    }""")
    return found


def too_wide(page) -> list[str]:
    """What sticks out sideways (empty when the page fits its width); hidden helpers set far off
    the page on purpose (the skip link, the honeypot) do not count."""
    return page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth + 1 ? [] :
      [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map(e => `${e.tagName}.${e.className}: ${(e.textContent || '').trim().slice(0, 60)}`)""")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_visitor_reads_contributes_and_sees_the_answer(live_server, chromium, visitor):
    base = live_server.url
    page = visitor()
    page.goto(f"{base}/public/")
    page.click("ul.public-plans a")
    page.wait_for_selector("h1")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    plan_url = page.url
    assert page.locator("ol.timeline li[aria-current=step]").inner_text().strip().startswith("الاستشارة العمومية")
    assert axe_violations(page) == []
    shot(page, "public-plan-ar-1366.png")

    page.locator("table.public-cards a", has_text="شكايات").first.click()
    page.wait_for_selector("#contribute")
    assert "الصيغة 2 المنشورة" in page.inner_text("main")
    assert axe_violations(page) == []
    card_url = page.url.split("?")[0]

    # A refusal keeps what was written; then the contribution goes in.
    page.fill("#c-name", "ليلى")
    page.fill("#c-email", "leila@example.org")
    page.fill("#c-body", BODY)
    page.click("#c-send")
    page.wait_for_selector("#contribute-error")
    assert page.input_value("#c-body") == BODY and page.get_attribute("#c-consent", "aria-invalid") == "true"
    page.check("#c-consent")
    page.click("#c-send")
    page.wait_for_selector("#contribute-sent")
    assert BODY not in page.inner_text("main")  # not public before moderation

    # The coordinator publishes it; the card's lead answers it.
    people = live_server.people
    coordinator = CardPage(chromium, base, live_server.coordinator, people["password"], lang="ar")
    try:
        coordinator.page.goto(plan_url.replace("/public/plans/", "/plans/").split("?")[0] + "/public-side")
        item = coordinator.page.locator("#moderation article", has_text=BODY)
        item.locator("button.moderate-publish").click()
        coordinator.page.wait_for_selector(".flash-ok")
        coordinator.assert_no_errors()
    finally:
        coordinator.close()
    lead = CardPage(chromium, base, "lead7@demo.iltizam.ma", people["password"], lang="ar")
    try:
        lead.page.goto(plan_url.replace("/public/plans/", "/plans/").split("?")[0] + "/public-side")
        item = lead.page.locator("#answers article", has_text=BODY)
        item.locator("select").select_option("taken_into_account")
        item.locator("textarea").fill(ANSWER)
        item.locator("button").click()
        lead.page.wait_for_selector(".flash-ok")
        assert lead.page.locator("#moderation").count() == 0  # leads do not moderate
        lead.assert_no_errors()
    finally:
        lead.close()

    page.goto(card_url)
    entry = page.locator("ol.contributions li", has_text=BODY)
    wait_until(lambda: entry.count() == 1, message="the published contribution on the card page")
    assert ANSWER in entry.inner_text() and "أُخذت بعين الاعتبار" in entry.inner_text()
    assert "leila@example.org" not in page.content()
    shot(page, "public-card-ar-1366.png")
    assert page.errors == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_public_pages_are_accessible_and_fit_a_phone(live_server, visitor, lang):
    page = visitor(width=390)
    page.goto(f"{live_server.url}/public/?lang={lang}")
    page.click("ul.public-plans a")
    page.wait_for_selector("h1")
    plan_url = page.url
    links = [plan_url]
    links += [live_server.url + h for h in page.eval_on_selector_all(
        "table.public-cards a, main a[href*='/report?']", "els => els.map(e => e.getAttribute('href'))")]
    card_link = next(u for u in links if "/public/cards/" in u)
    links.append(card_link.split("?")[0] + f"/diff?lang={lang}")
    for url in dict.fromkeys(links):
        page.goto(url)
        page.wait_for_selector("h1")
        assert page.get_attribute("html", "lang") == lang
        assert axe_violations(page) == [], url
        assert too_wide(page) == [], f"{url} is wider than 390 px"
        name = re.sub(r"[^a-z0-9]+", "-", url.split("/public/")[1].lower()).strip("-")
        shot(page, f"public-{lang}-390-{name}.png")
    # Keyboard: the skip link is the first stop and leads to the content.
    page.goto(plan_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.errors == []
