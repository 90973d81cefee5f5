"""Helpers for the browser tests: the Chromium to drive, a real server process, the demo
card's people, and a `CardPage` wrapper that knows the card editor's markup.

The browser is Debian's chromium (found on PATH) driven by the Python `playwright` package (no
browser download). When it is missing the tests fail with a message saying so; they never skip.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("ILTIZAM_CHROMIUM") or shutil.which("chromium") or "chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUNDLE = ROOT / "server" / "static" / "build" / "editor.js"

from server_process import ServerProcess, wait_until  # noqa: E402,F401  (re-exported to the tests)


def build_bundle() -> None:
    """Build the editor bundle the pages load (a fraction of a second with esbuild)."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is required to build the editor bundle (editor/build.mjs); install Node.js 18+")
    if not (ROOT / "editor" / "node_modules" / "esbuild").is_dir():
        raise AssertionError("editor/node_modules is missing: run `cd editor && npm ci` (or `make build`)")
    done = subprocess.run([node, "build.mjs"], cwd=ROOT / "editor", capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not BUNDLE.is_file():
        raise AssertionError(f"building the editor bundle failed:\n{done.stdout}\n{done.stderr}")


def seed_demo(database_url: str, instance: Path) -> dict[str, Any]:
    """Migrate a fresh database and load the demo plan through the real services."""
    from server import create_app, db, demo
    from server.collab.wiring import documents
    from server.migrate import upgrade

    upgrade(database_url)
    # SECRET_KEY in the environment keeps the app from writing a key file into an instance folder.
    saved = {k: os.environ.get(k) for k in ("SECRET_KEY", "ILTIZAM_INSTANCE")}
    os.environ.update({"SECRET_KEY": "browser-tests", "ILTIZAM_INSTANCE": str(instance)})
    try:
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "browser-tests", "REDIS_URL": None,
                          "SOCKETIO_ASYNC_MODE": "threading"})
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        with app.app_context():
            session = db.session()
            result = demo.seed(session, documents(app))
            session.commit()
    finally:
        app.extensions["iltizam.engine"].dispose()
    return result


def people_of_one_card(seeded: dict[str, Any]) -> dict[str, Any]:
    """A card with a lead (government), a co-lead (civil society) and a reviewer, and their emails."""
    by_card: dict[int, dict[str, str]] = {}
    for account in seeded["accounts"]:
        if account.get("card_id"):
            by_card.setdefault(account["card_id"], {}).setdefault(account["role"], account["email"])
    for card_id, roles in sorted(by_card.items()):
        if {"lead", "co_lead", "reviewer"} <= set(roles):
            return {"card_id": card_id, "password": seeded["password"], **roles}
    raise AssertionError(f"the demo plan has no card with a lead, a co-lead and a reviewer: {by_card}")



def launch_chromium(playwright: Any) -> Any:
    if not Path(CHROMIUM).is_file():
        raise AssertionError(f"Chromium is required for the browser tests and was not found at {CHROMIUM} "
                             "(Debian: apt-get install chromium; or set ILTIZAM_CHROMIUM)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Reads a field of the live document the way server/content/canonical.py does, reduced to what
# the tests compare: the text of each block of a rich-text field, or a table's rows.
READ_FIELD = """([kind, id]) => {
  const live = document.getElementById('card-editor').iltizam;
  const doc = live.doc;
  if (kind === 'text') return doc.getText(id).toString();
  if (kind === 'table') return doc.getArray(id).toArray().map((row) => {
    const out = {};
    for (const [key, value] of row.entries()) out[key] = value.toString();
    return out;
  });
  const blocks = [];
  const walk = (node) => {
    for (const child of node.toArray()) {
      if (typeof child.toDelta === 'function') continue; // text directly in the fragment
      if (child.nodeName === 'paragraph') {
        blocks.push(child.toArray().map((t) => t.toDelta().map((d) => d.insert).join('')).join(''));
      } else {
        walk(child);
      }
    }
  };
  walk(doc.getXmlFragment(id));
  return blocks;
}"""


def server_blocks(tree: list[dict[str, Any]]) -> list[str]:
    """The text of every paragraph of a rich-text value from the API, in document order."""
    blocks: list[str] = []

    def text_of(node: dict[str, Any]) -> str:
        if node.get("type") == "text":
            return node.get("text", "")
        return "".join(text_of(c) for c in node.get("content", []))

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("type") == "paragraph":
                blocks.append(text_of(node))
            else:
                walk(node.get("content", []))

    walk(tree)
    return blocks


class CardPage:
    """One person's browser tab on a card, with every console error and page error recorded."""

    def __init__(self, browser: Any, base_url: str, email: str, password: str, *,
                 lang: str | None = None, viewport: dict[str, int] | None = None) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport=viewport or {"width": 1366, "height": 768},
                                           locale="ar-MA" if lang == "ar" else "fr-FR")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.allowed_errors: list[re.Pattern[str]] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.sent_updates = 0  # y-protocols document frames this tab sent over the socket
        self.page.on("websocket", self._watch_socket)
        self.page.goto(f"{base_url}/login")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.press("input[name=password]", "Enter")
        if lang:
            self.set_language(lang)

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        if any(p.search(message.text) for p in self.allowed_errors):
            return
        self.errors.append(f"console error: {message.text}")

    def _watch_socket(self, socket: Any) -> None:
        def sent(payload: Any) -> None:
            # Binary attachments carry the y-protocols frame: 0 = sync, then 1 = step 2, 2 = update.
            if isinstance(payload, (bytes, bytearray)) and len(payload) >= 2 and payload[0] == 0 and payload[1] in (1, 2):
                self.sent_updates += 1
        socket.on("framesent", sent)

    def set_language(self, lang: str) -> None:
        button = self.page.locator(f"nav.langs button[name=lang][value={lang}]")
        if button.is_disabled():
            return
        with self.page.expect_navigation():
            button.click()

    def open(self, card_id: int) -> CardPage:
        self.card_id = card_id
        self.page.goto(f"{self.base_url}/cards/{card_id}")
        self.page.wait_for_selector("#card-editor.live .card-form", timeout=15000)
        return self

    def reload(self) -> None:
        self.page.reload()
        self.page.wait_for_selector("#card-editor.live .card-form", timeout=15000)

    def state(self) -> str:
        return self.page.get_attribute("#save-state", "data-state") or ""

    def wait_state(self, state: str, timeout: float = 15.0) -> None:
        wait_until(lambda: self.state() == state, timeout, message=f"save state {state!r} (now {self.state()!r})")

    def field(self, kind: str, field_id: str) -> Any:
        return self.page.evaluate(READ_FIELD, [kind, field_id])

    def api_card(self) -> dict[str, Any]:
        response = self.page.request.get(f"{self.base_url}/api/v1/cards/{self.card_id}")
        assert response.ok, response.text()
        return json.loads(response.text())

    def rich_text(self, field_id: str) -> Any:
        return self.page.locator(f"#input-{field_id}")

    def place_caret(self, field_id: str, key: str) -> None:
        """Focus a rich-text field from the keyboard (no mouse timing) and move with `key`."""
        editor = self.rich_text(field_id)
        editor.focus()
        wait_until(lambda: self.page.evaluate("document.activeElement.id") == f"input-{field_id}",
                   message=f"focus in {field_id}")
        self.page.keyboard.press(key)

    def place_caret_at_end(self, field_id: str) -> None:
        self.place_caret(field_id, "Control+End")

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_no_errors(self) -> None:
        assert not self.errors, "\n".join(self.errors)

    def close(self) -> None:
        self.context.close()


def page_api(page: CardPage, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """A call from this person's signed-in page (cookie and CSRF token, as the app's own scripts)."""
    token = page.page.get_attribute("meta[name=csrf-token]", "content")
    response = page.page.request.fetch(f"{page.base_url}/api/v1{path}", method=method,
                                       headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
                                       data=json.dumps(body) if body is not None else None)
    return response.status, (json.loads(response.text()) if response.text() else {})
