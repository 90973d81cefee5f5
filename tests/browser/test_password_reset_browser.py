"""Forgotten passwords in Chromium, in Arabic, on a server without SMTP: the login page leads to
a page that says to ask the coordinator, and the coordinator issues a link from the plan's roles
page, copies it, and the person sets a new password with it."""
from __future__ import annotations

from browser_support import CardPage, wait_until

NEW = "كلمة سر جديدة 2026"


def test_without_smtp_the_coordinator_issues_a_reset_link(live_server, chromium):
    p = live_server.people
    visitor = chromium.new_context(locale="ar-MA")
    coordinator = CardPage(chromium, live_server.url, live_server.coordinator, p["password"], lang="ar")
    holder = chromium.new_context(locale="ar-MA")
    try:
        page = visitor.new_page()
        page.goto(f"{live_server.url}/login")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.get_by_role("link", name="نسيت كلمة المرور؟").click()
        page.wait_for_url("**/password/forgot")
        assert "اطلب من منسق خطتك" in page.locator("#ask-coordinator").inner_text()
        assert page.locator("input[name=email]").count() == 0

        coordinator.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        tab = coordinator.page
        tab.goto(f"{live_server.url}/plans/1/roles")
        tab.fill("#reset-email", p["lead"])
        with tab.expect_navigation():
            tab.get_by_role("button", name="إصدار رابط لإعادة تعيين كلمة المرور").click()
        notice = tab.locator("#reset-issued")
        assert p["lead"] in notice.inner_text() and "رابط إعادة تعيين كلمة المرور لـ" in notice.inner_text()
        link = tab.locator("#reset-link").input_value()
        assert "/password/reset/" in link
        copy = notice.get_by_role("button", name="نسخ")
        copy.click()
        wait_until(lambda: notice.locator(".copy-status").inner_text() == "تم النسخ.", message="copied")
        assert tab.evaluate("navigator.clipboard.readText()") == link
        coordinator.assert_no_errors()

        reset = holder.new_page()
        reset.goto(link)
        assert p["lead"] in reset.locator("main").inner_text()
        reset.fill("#password", NEW)
        reset.fill("#confirm", NEW)
        with reset.expect_navigation():
            reset.get_by_role("button", name="تعيين كلمة المرور").click()
        assert "تم تعيين كلمة المرور الجديدة" in reset.locator(".flash").inner_text()
        # The link served once: opened again (in the Arabic visitor's browser) it says so.
        page.goto(link)
        assert "استُعمل رابط إعادة التعيين هذا من قبل" in page.locator("main").inner_text()
        assert page.locator("input[type=password]").count() == 0
    finally:
        coordinator.close()
        visitor.close()
        holder.close()
