"""Never losing a sentence: edits typed while the server is out of reach survive a reload (kept
in the browser until acknowledged, editor/src/collab/unsent.js) and reach the server once; the
kept copies go with the person who signs out; the saving indicator says "connecting" while a
card first connects and stays calm while someone types; a deleted table row can be undone."""
from __future__ import annotations

import re
import uuid

import pytest

from browser_support import CardPage, server_blocks, wait_until

SOCKET = "**/socket.io/**"
# The browser reports the requests that a cut network or a blocked socket make fail.
NETWORK_ERRORS = re.compile(r"ERR_INTERNET_DISCONNECTED|ERR_FAILED|WebSocket connection .* failed")
TABLE = "milestones"

# The unsent edits this browser keeps, as [user, card, tab, seq] keys (without creating the
# database when there is none).
KEPT = """async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === 'iltizam-unsent')) return [];
  return new Promise((resolve) => {
    const req = indexedDB.open('iltizam-unsent');
    req.onsuccess = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('updates')) { db.close(); resolve([]); return; }
      const keys = db.transaction('updates').objectStore('updates').getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result); };
    };
    req.onerror = () => resolve(['error']);
  });
}"""

# The kept updates themselves, as lists of bytes.
DUMP = """async () => new Promise((resolve) => {
  const req = indexedDB.open('iltizam-unsent');
  req.onsuccess = () => {
    const values = req.result.transaction('updates').objectStore('updates').getAll();
    values.onsuccess = () => { req.result.close(); resolve(values.result.map((u) => [...u])); };
  };
})"""

# Put updates in this browser's store as an earlier page of `user` on `card` would have.
PLANT = """async ([user, card, updates]) => new Promise((resolve) => {
  const req = indexedDB.open('iltizam-unsent', 1);
  req.onupgradeneeded = () => req.result.createObjectStore('updates');
  req.onsuccess = () => {
    const tx = req.result.transaction('updates', 'readwrite');
    updates.forEach((bytes, i) => tx.objectStore('updates').put(new Uint8Array(bytes), [user, card, 'earlier', i + 1]));
    tx.oncomplete = () => { req.result.close(); resolve(true); };
  };
})"""

# Every change of what the indicator shows ("state|words"), from the page's first moment.
RECORD_INDICATOR = """(() => {
  window.__indicator = [];
  const note = () => {
    const el = document.getElementById('save-state');
    if (!el || !el.dataset.shown) return;
    const now = `${el.dataset.shown}|${el.textContent}`;
    if (window.__indicator[window.__indicator.length - 1] !== now) window.__indicator.push(now);
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})();"""


def marker(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def kept(page: CardPage) -> list:
    return page.page.evaluate(KEPT)


def cut_off(page: CardPage) -> None:
    """The network is cut (the page says offline); from now on the socket cannot connect."""
    if NETWORK_ERRORS not in page.allowed_errors:
        page.allowed_errors.append(NETWORK_ERRORS)
        page.page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?" — yes
    page.context.set_offline(True)
    page.wait_state("offline")


def server_unreachable(page: CardPage) -> None:
    """The network is back but the collaboration socket still cannot reach the server."""
    page.context.route(SOCKET, lambda route: route.abort())
    page.context.set_offline(False)


def type_in_title(page: CardPage, text: str) -> None:
    page.page.locator("#input-title").click()
    page.page.keyboard.press("End")
    page.page.keyboard.type(text)


def sign_in(page: CardPage, email: str, password: str) -> None:
    """Sign in in the same browser profile (a shared office computer)."""
    page.page.goto(f"{page.base_url}/login")
    page.page.fill("input[name=email]", email)
    page.page.fill("input[name=password]", password)
    with page.page.expect_navigation():
        page.page.press("input[name=password]", "Enter")


def test_offline_edits_survive_a_reload_and_reach_the_server_once(people, live_server):
    lead = people("lead", lang="ar")
    cut_off(lead)
    title_text = f" كتب دون اتصال {marker('t')}"
    type_in_title(lead, title_text)
    paragraph = f"فقرة كتبت دون اتصال ثم أعيد تحميل الصفحة {marker('p')}"
    lead.place_caret_at_end("problem")
    lead.page.keyboard.press("Enter")
    lead.page.keyboard.type(paragraph)
    wait_until(lambda: len(kept(lead)) > 0, message="the edits kept in the browser")
    user_id = int(lead.page.get_attribute("#card-editor", "data-user-id"))
    assert {key[0] for key in kept(lead)} == {user_id}
    assert {key[1] for key in kept(lead)} == {lead.card_id}

    # Reloaded while the server is still out of reach: the page loads, the card cannot connect.
    server_unreachable(lead)
    lead.page.reload()
    lead.page.wait_for_selector("#save-state[data-shown]")
    assert lead.state() == "connecting"
    lead.wait_state("offline")
    # What the browser keeps counts as unsaved, in words a person uses.
    wait_until(lambda: lead.page.locator("#save-state").inner_text() == "غير متصل — تعديلات غير محفوظة",
               message="offline with unsaved changes")
    assert title_text not in lead.api_card()["content"]["fields"]["title"]

    # Back: the kept edits are sent, once, and the browser forgets them.
    lead.context.unroute(SOCKET)
    lead.page.wait_for_selector("#card-editor.live .card-form", timeout=30000)
    lead.wait_state("saved", timeout=30)
    wait_until(lambda: kept(lead) == [], message="the kept copy cleared once acknowledged")
    fields = lead.api_card()["content"]["fields"]
    assert fields["title"].count(title_text) == 1, fields["title"]
    assert server_blocks(fields["problem"]).count(paragraph) == 1
    assert lead.page.locator("#input-title").input_value().count(title_text) == 1
    # A fresh page shows it once too, and finds nothing more to send.
    sent = lead.sent_updates
    lead.reload()
    assert lead.page.locator("#input-title").input_value().count(title_text) == 1
    assert lead.field("rich_text", "problem").count(paragraph) == 1
    lead.page.wait_for_timeout(500)
    assert lead.sent_updates == sent
    assert lead.api_card()["content"]["fields"]["title"].count(title_text) == 1


def test_signing_out_clears_the_kept_edits_and_the_next_person_sees_none(people, live_server):
    lead = people("lead", lang="fr")
    cut_off(lead)
    secret = f" brouillon-de-la-cheffe {marker('s')}"
    type_in_title(lead, secret)
    wait_until(lambda: len(kept(lead)) > 0, message="the edits kept in the browser")
    server_unreachable(lead)

    with lead.page.expect_navigation():
        lead.page.locator("header .who form button").click()
    assert lead.page.url.endswith("/login")
    wait_until(lambda: kept(lead) == [], message="the kept edits cleared on sign-out")

    # The co-lead signs in on the same computer and opens the same card.
    lead.context.unroute(SOCKET)
    sign_in(lead, live_server.people["co_lead"], live_server.people["password"])
    lead.open(lead.card_id)
    lead.wait_state("saved")
    lead.page.wait_for_timeout(500)
    assert secret.strip() not in lead.page.locator("#input-title").input_value()
    assert secret.strip() not in lead.page.locator("#card-editor").inner_text()
    assert secret.strip() not in lead.api_card()["content"]["fields"]["title"]
    assert kept(lead) == []


def test_an_expired_session_keeps_them_for_the_same_person_not_for_the_next(people, live_server):
    p = live_server.people
    lead = people("lead", lang="fr")
    cut_off(lead)
    mine = f" gardé-pour-moi {marker('m')}"
    type_in_title(lead, mine)
    wait_until(lambda: len(kept(lead)) > 0, message="the edits kept in the browser")
    lead_id = kept(lead)[0][0]

    # The tab is closed; the session ends meanwhile without signing out (it expired); the same
    # person signs in again: sent once.
    lead.page.goto("about:blank")
    lead.context.clear_cookies()
    lead.context.set_offline(False)
    sign_in(lead, p["lead"], p["password"])
    lead.open(lead.card_id)
    lead.wait_state("saved", timeout=30)
    wait_until(lambda: lead.page.locator("#input-title").input_value().count(mine) == 1, message="restored")
    wait_until(lambda: kept(lead) == [], message="sent, then forgotten")
    assert lead.api_card()["content"]["fields"]["title"].count(mine) == 1

    # Again, but someone else signs in next: the first person's kept edits are dropped unread.
    cut_off(lead)
    theirs = f" pas-pour-les-autres {marker('o')}"
    type_in_title(lead, theirs)
    wait_until(lambda: len(kept(lead)) > 0, message="the edits kept in the browser")
    lead.page.goto("about:blank")
    lead.context.clear_cookies()
    lead.context.set_offline(False)
    sign_in(lead, p["co_lead"], p["password"])
    wait_until(lambda: not [key for key in kept(lead) if key[0] == lead_id], message="another person's kept edits dropped")
    lead.open(lead.card_id)
    lead.wait_state("saved")
    assert theirs.strip() not in lead.page.locator("#input-title").input_value()
    assert theirs.strip() not in lead.api_card()["content"]["fields"]["title"]


def test_a_read_only_page_never_sends_kept_edits_but_offers_them_to_copy(people, live_server):
    card_id = live_server.people["card_id"]
    lead = people("lead", lang="fr")
    cut_off(lead)
    text = f" écrit-avant-de-perdre-le-droit {marker('r')}"
    type_in_title(lead, text)
    wait_until(lambda: len(kept(lead)) > 0, message="the edits kept in the browser")
    updates = lead.page.evaluate(DUMP)
    lead.page.goto("about:blank")  # closed: these edits never reach the server

    # The same edits, kept in a browser whose person may now only read the card.
    reviewer = people("reviewer", lang="fr", open_card=False)
    reviewer_id = int(reviewer.page.get_attribute("body", "data-user-id"))
    assert reviewer.page.evaluate(PLANT, [reviewer_id, card_id, updates])
    reviewer.open(card_id)
    assert reviewer.state() == "read-only"
    notice = reviewer.page.locator("#stranded-edits")
    notice.wait_for(timeout=10000)
    assert "ne seront pas envoyées" in notice.inner_text()
    assert text.strip() in notice.locator("textarea.unsaved-copy").input_value()
    assert text.strip() not in reviewer.page.locator("#input-title").input_value()
    reviewer.page.wait_for_timeout(1000)  # a window for anything that would be sent
    assert reviewer.sent_updates == 0
    assert text.strip() not in reviewer.api_card()["content"]["fields"]["title"]
    notice.locator(".stranded-forget").click()
    assert notice.count() == 0
    wait_until(lambda: kept(reviewer) == [], message="forgotten when asked")


def test_the_indicator_says_connecting_first_and_stays_calm_while_typing(people, live_server):
    lead = people("lead", lang="fr", open_card=False)
    lead.allowed_errors.append(NETWORK_ERRORS)
    lead.page.add_init_script(RECORD_INDICATOR)
    # The first attempt to connect fails (a server busy for a moment): still "connecting".
    failed = []

    def first_fails(route):
        if not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    lead.context.route(SOCKET, first_fails)
    lead.open(live_server.people["card_id"])
    lead.wait_state("saved")
    lead.context.unroute(SOCKET)
    shown = lead.page.evaluate("window.__indicator")
    assert failed and shown[0] == "connecting|Connexion…", shown
    assert not [s for s in shown if s.startswith("offline")], shown
    assert shown[-1] == "saved|Enregistré", shown

    # Steady typing: the indicator does not switch between "saving" and "saved" at each key.
    lead.page.evaluate("window.__indicator = []")
    lead.page.locator("#input-summary").click()
    lead.page.keyboard.press("Control+End")
    lead.page.keyboard.type(f" Une phrase tapée sans hâte, touche après touche {marker('k')}.", delay=60)
    lead.wait_state("saved")
    lead.page.wait_for_timeout(800)  # whatever the indicator still had to say
    # (Its true state, data-state, switched at nearly every key: each was acknowledged in a few
    # milliseconds.) At most one "saving" — a slow commit — never an alternation.
    changes = lead.page.evaluate("window.__indicator")
    assert changes in (["saved|Enregistré"], ["saved|Enregistré", "saving|Enregistrement…", "saved|Enregistré"]), changes
    assert lead.page.locator("#save-state").inner_text() == "Enregistré"
    assert lead.page.get_attribute("#save-state", "data-shown") == "saved"


def rows_of(page: CardPage) -> list[dict]:
    return page.api_card()["content"]["fields"][TABLE]


def test_a_deleted_row_can_be_undone_and_comes_back_for_everyone(people):
    lead = people("lead", lang="fr")
    colead = people("co_lead", lang="ar")
    rows = lambda page: page.page.locator(f"#field-{TABLE} tbody tr")  # noqa: E731
    # Make sure there are rows around the one to delete, with something in it.
    while rows(lead).count() < 3:
        lead.page.locator(f"#field-{TABLE} .add-row").click()
    text = marker("jalon")
    cell = rows(lead).nth(1).locator("textarea[data-col=activity]")
    cell.click()
    lead.page.keyboard.press("Control+End")
    lead.page.keyboard.type(f" {text}")
    lead.wait_state("saved")
    before = rows_of(lead)
    target = before[1]
    assert text in target["activity"]

    lead.page.locator(f"#field-{TABLE} tbody tr[data-row-id='{target['id']}'] .row-delete").focus()
    lead.page.keyboard.press("Enter")
    bar = lead.page.locator(f"#field-{TABLE} .row-undo")
    assert bar.is_visible()
    assert bar.locator(".row-undo-message").inner_text() == "Ligne 2 supprimée."
    # The undo button has the focus: Enter takes the deletion back.
    assert lead.page.evaluate("document.activeElement.className") == "row-undo-button"
    assert lead.page.evaluate("document.activeElement.textContent") == "Annuler"
    lead.wait_state("saved")
    assert [r["id"] for r in rows_of(lead)] == [r["id"] for r in before if r["id"] != target["id"]]
    wait_until(lambda: colead.page.locator(f"#field-{TABLE} tbody tr[data-row-id='{target['id']}']").count() == 0,
               message="the row gone on the other page")
    lead.page.locator(f"#field-{TABLE}").scroll_into_view_if_needed()
    lead.screenshot("row-undo-fr-1366.png")
    assert bar.is_visible(), "the offer stays while the person does nothing"

    lead.page.keyboard.press("Enter")
    lead.wait_state("saved")
    assert rows_of(lead) == before
    assert bar.is_hidden()
    assert lead.page.evaluate("document.activeElement.closest('tr').dataset.rowId") == target["id"]
    wait_until(lambda: colead.field("table", TABLE) == before, message="the row back on the other page, in place")
    shown = colead.page.locator(f"#field-{TABLE} tbody tr").nth(1).locator("textarea[data-col=activity]").input_value()
    assert shown == target["activity"]

    # Escape dismisses the offer; the deletion stays.
    lead.page.locator(f"#field-{TABLE} tbody tr[data-row-id='{target['id']}'] .row-delete").focus()
    lead.page.keyboard.press("Enter")
    lead.page.keyboard.press("Escape")
    assert bar.is_hidden()
    lead.wait_state("saved")
    assert target["id"] not in [r["id"] for r in rows_of(lead)]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_screenshots_of_the_indicator_and_the_undo_bar(people, live_server, lang):
    """Not an assertion of looks: pictures of each state at desktop and phone width, to look at."""
    card_id = live_server.people["card_id"]
    for width, height in ((1366, 768), (390, 844)):
        page = people("co_lead", lang=lang, open_card=False, viewport={"width": width, "height": height})
        page.card_id = card_id
        page.allowed_errors.append(NETWORK_ERRORS)
        page.page.on("dialog", lambda dialog: dialog.accept())
        page.context.route(SOCKET, lambda route: route.abort())
        page.page.goto(f"{page.base_url}/cards/{card_id}")
        page.page.wait_for_selector("#save-state[data-shown=connecting]")
        page.screenshot(f"indicator-connecting-{lang}-{width}.png")
        page.wait_state("offline")
        page.screenshot(f"indicator-offline-{lang}-{width}.png")
        page.context.unroute(SOCKET)
        page.page.wait_for_selector("#card-editor.live .card-form", timeout=30000)
        page.wait_state("saved")
        page.screenshot(f"indicator-saved-{lang}-{width}.png")

        page.context.set_offline(True)
        page.wait_state("offline")
        type_in_title(page, f" {marker('x')}")
        page.wait_state("offline")
        page.page.locator("#save-state").scroll_into_view_if_needed()
        page.screenshot(f"indicator-unsaved-{lang}-{width}.png")
        page.context.set_offline(False)
        page.wait_state("saved", timeout=30)

        table_rows = page.page.locator(f"#field-{TABLE} tbody tr")
        if table_rows.count() < 2:
            page.page.locator(f"#field-{TABLE} .add-row").click()
        table_rows.nth(1).locator(".row-delete").focus()
        page.page.keyboard.press("Enter")
        page.page.locator(f"#field-{TABLE} .row-undo").scroll_into_view_if_needed()
        page.screenshot(f"row-undo-{lang}-{width}.png")
        page.page.keyboard.press("Enter")
        page.wait_state("saved")
