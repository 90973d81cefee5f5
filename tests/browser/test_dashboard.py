"""The plan dashboard in Chromium: the export progress bar shows while an export runs, and only then."""
from __future__ import annotations

from browser_support import CardPage, wait_until

PROGRESS = ".export-links .export-progress"


def test_export_progress_shows_only_while_an_export_runs(live_server, chromium):
    p = live_server.people
    page = CardPage(chromium, live_server.url, live_server.coordinator, p["password"], lang="fr")
    try:
        page.page.goto(f"{live_server.url}/plans/1")
        assert not page.page.locator(PROGRESS).is_visible()
        # The export's answer is held back, so the page is seen while the export runs.
        held = []
        page.page.route("**/export.json*", lambda route: held.append(route))
        with page.page.expect_download() as download:
            page.page.locator(".export-links a[data-export]").last.click()
            wait_until(lambda: held and page.page.locator(f"{PROGRESS} progress").is_visible(),
                       message="the bar while the export runs")
            assert page.page.locator(".export-links").get_attribute("aria-busy") == "true"
            held[0].continue_()
        assert download.value.suggested_filename.endswith(".json")
        label = page.page.locator(f"{PROGRESS} span")
        wait_until(lambda: download.value.suggested_filename in label.inner_text(), message="the done message")
        assert not page.page.locator(f"{PROGRESS} progress").is_visible()
        page.assert_no_errors()
    finally:
        page.close()
