"""Fixtures of the browser tests: one real server per test module, on a fresh SQLite database
with the demo plan, and one headless Chromium per module."""
from __future__ import annotations

import pytest

from browser_support import CardPage, ServerProcess, build_bundle, launch_chromium, people_of_one_card, seed_demo


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{workdir / 'iltizam.db'}"
    build_bundle()
    seeded = seed_demo(database_url, workdir / "instance")
    server = ServerProcess(database_url, workdir)
    server.people = people_of_one_card(seeded)
    server.coordinator = next(a["email"] for a in seeded["accounts"] if a["role"] == "coordinator")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("The browser tests need the Python package `playwright` (pip install playwright); "
                    "it drives the system Chromium, no browser download is needed.", pytrace=False)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def people(live_server, chromium):
    """Open tabs by demo role (the card's people, or "coordinator"), each on the card unless
    `open_card=False`; every tab must end without a console or page error."""
    opened: list[CardPage] = []

    def open_as(role: str, lang: str | None = None, open_card: bool = True, **options) -> CardPage:
        p = live_server.people
        email = live_server.coordinator if role == "coordinator" else p[role]
        page = CardPage(chromium, live_server.url, email, p["password"], lang=lang, **options)
        opened.append(page)
        return page.open(p["card_id"]) if open_card else page

    yield open_as
    try:
        for page in opened:
            page.assert_no_errors()
    finally:
        for page in opened:
            page.close()


@pytest.fixture
def tabs(live_server, chromium):
    """Open tabs by e-mail (signed in, in `lang`, at `viewport`: 1366 x 768 by default); every tab
    must end without a console or page error."""
    opened: list[CardPage] = []

    def open_as(email: str, lang: str, viewport: dict[str, int] | None = None) -> CardPage:
        page = CardPage(chromium, live_server.url, email, live_server.people["password"], lang=lang,
                        viewport=viewport)
        opened.append(page)
        return page

    yield open_as
    try:
        for page in opened:
            page.assert_no_errors()
    finally:
        for page in opened:
            page.close()
