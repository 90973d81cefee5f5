"""The card editor in real Chromium against a real server: two people co-writing, a reviewer
who cannot write, reload, offline and back, keyboard use, and screenshots in both languages."""
from __future__ import annotations

import uuid

import pytest

from browser_support import CardPage, server_blocks, wait_until

RICH = "problem"
TABLE = "milestones"
CONTROLS = "#card-editor .card-form :is(input, textarea, select, button)"
# Whether leaving the page would ask for confirmation (the beforeunload handler cancels).
LEAVING = "(() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; })()"



def marker(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def type_interleaved(pages_and_texts: list[tuple[CardPage, str]]) -> None:
    """Type several texts at once, one key per page in turn, without waiting for sync."""
    longest = max(len(text) for _, text in pages_and_texts)
    for i in range(longest):
        for page, text in pages_and_texts:
            if i < len(text):
                page.page.keyboard.type(text[i])


def server_fields(page: CardPage) -> dict:
    return page.api_card()["content"]["fields"]


def test_two_people_write_the_same_field_and_row_at_once(people):
    lead = people("lead", lang="fr")
    colead = people("co_lead", lang="ar")
    french = f"Le portail publie chaque mois {marker('fr')}."
    arabic = f"تنشر البوابة التقارير كل شهر {marker('ar')}."

    # Both in the same field at once: one opens it with an Arabic paragraph, one ends it in French.
    colead.place_caret(RICH, "Control+Home")
    lead.place_caret_at_end(RICH)
    lead.page.keyboard.press("Enter")
    type_interleaved([(lead, french), (colead, arabic)])
    colead.page.keyboard.press("Enter")

    lead.page.locator(f"#field-{TABLE} tbody tr").first.locator("textarea[data-col=activity]").click()
    colead.page.locator(f"#field-{TABLE} tbody tr").first.locator("textarea[data-col=activity]").click()
    lead.page.keyboard.press("Control+End")
    colead.page.keyboard.press("Control+End")
    cell_fr, cell_ar = f" et atelier {marker('c')}", f" وورشة {marker('c')}"
    type_interleaved([(lead, cell_fr), (colead, cell_ar)])

    for page in (lead, colead):
        page.wait_state("saved")
    wait_until(lambda: lead.field("rich_text", RICH) == colead.field("rich_text", RICH), message="rich text converged")
    wait_until(lambda: lead.field("table", TABLE) == colead.field("table", TABLE), message="table converged")

    # Presence: each sees the other, and in which field they are.
    colead.place_caret(RICH, "Control+Home")
    wait_until(lambda: lead.page.locator(f"#field-{RICH} .field-presence li").count() == 1, message="co-lead shown in the field")
    wait_until(lambda: lead.page.locator("#input-problem .collab-caret").count() == 1, message="co-lead's caret with a name")
    assert lead.page.locator("#presence-list li").count() == 2
    lead.page.locator(f"#field-{RICH}").scroll_into_view_if_needed()
    lead.screenshot("co-editing-fr.png")

    fields = server_fields(lead)
    blocks = server_blocks(fields[RICH])
    assert blocks == lead.field("rich_text", RICH) == colead.field("rich_text", RICH)
    assert blocks[0] == arabic and blocks[-1] == french, blocks
    assert fields[TABLE] == lead.field("table", TABLE) == colead.field("table", TABLE)
    activity = fields[TABLE][0]["activity"]
    assert activity.count(cell_fr) == 1 and activity.count(cell_ar) == 1, activity
    for page in (lead, colead):  # what the people see, not only their documents
        shown = page.page.locator(f"#field-{TABLE} tbody tr").first.locator("textarea[data-col=activity]").input_value()
        assert shown == activity

    # Each paragraph takes its direction from its own text.
    directions = lead.page.evaluate("""(texts) => texts.map((text) => {
        const p = [...document.querySelectorAll('#input-problem p')].find((el) => el.textContent.includes(text));
        return p && getComputedStyle(p).direction;
    })""", [french, arabic])
    assert directions == ["ltr", "rtl"]


def test_a_reviewer_sees_the_card_live_but_cannot_change_it(people):
    reviewer = people("reviewer", lang="fr")
    lead = people("lead", lang="fr")
    before = server_fields(reviewer)

    assert reviewer.state() == "read-only"
    assert reviewer.page.locator("#read-only-reason").is_visible()
    assert reviewer.page.locator("#read-only-reason").inner_text().strip()
    # Text stays selectable (to be commented on): text controls are read-only, the others disabled;
    # only the review's own buttons (a field's comment count) still act.
    enabled = reviewer.page.evaluate(f"[...document.querySelectorAll('{CONTROLS}')].filter((el) => !el.disabled"
                                     " && !el.readOnly && !el.classList.contains('field-comments')).length")
    assert enabled == 0
    assert reviewer.page.locator("#card-editor .rich-text[contenteditable=true]").count() == 0

    reviewer.page.locator("#input-title").click(force=True)
    reviewer.page.keyboard.type("reviewer was here")
    reviewer.rich_text(RICH).click()
    reviewer.page.keyboard.type("reviewer was here")
    reviewer.page.keyboard.press("Enter")
    reviewer.page.keyboard.press("Backspace")
    reviewer.page.wait_for_timeout(1500)  # a window for anything that would be sent

    assert reviewer.sent_updates == 0
    assert server_fields(reviewer) == before
    assert "reviewer was here" not in reviewer.page.locator("#input-title").input_value()

    # ...and still sees the others write, live.
    text = f" {marker('live')}"
    lead.page.locator("#input-title").click()
    lead.page.keyboard.press("End")
    lead.page.keyboard.type(text)
    wait_until(lambda: reviewer.page.locator("#input-title").input_value().endswith(text), message="live title on the reviewer's page")
    lead.wait_state("saved")


def test_reload_shows_what_was_written(people):
    lead = people("lead", lang="fr")
    text = f" {marker('reload')}"
    lead.page.locator("#input-summary").click()
    lead.page.keyboard.press("Control+End")
    lead.page.keyboard.type(text)
    lead.wait_state("saved")
    # The checklist beside the form is refreshed from the server after the change.
    wait_until(lambda: lead.page.get_attribute("#criteria-list", "data-total"), message="criteria refreshed")
    lead.reload()
    assert lead.page.locator("#input-summary").input_value().count(text) == 1
    assert server_fields(lead)["summary"].count(text) == 1


def test_offline_edits_merge_when_back_online(people):
    lead = people("lead", lang="fr")
    colead = people("co_lead", lang="ar")
    # The browser itself reports failed requests while the network is cut.
    lead.allowed_errors.append(__import__("re").compile(r"ERR_INTERNET_DISCONNECTED|WebSocket connection .* failed"))

    lead.context.set_offline(True)
    lead.wait_state("offline")
    title_text = f" {marker('hors-ligne')}"
    lead.page.locator("#input-title").click()
    lead.page.keyboard.press("End")
    lead.page.keyboard.type(title_text)
    offline_paragraph = f"Écrit hors ligne {marker('p')}"
    lead.place_caret_at_end(RICH)
    lead.page.keyboard.press("Enter")
    lead.page.keyboard.type(offline_paragraph)
    online_paragraph = f"كتب أثناء الانقطاع {marker('p')}"
    colead.place_caret_at_end(RICH)
    colead.page.keyboard.press("Enter")
    colead.page.keyboard.type(online_paragraph)
    colead.wait_state("saved")

    assert lead.state() == "offline"
    waiting = int(lead.page.get_attribute("#save-state", "data-pending"))
    assert waiting > 0
    # What a person would call it, not a count of keystrokes.
    assert lead.page.locator("#save-state").inner_text() == "Hors ligne — modifications non enregistrées"
    assert offline_paragraph not in server_blocks(server_fields(colead)[RICH])
    assert lead.page.evaluate(LEAVING) is True  # leaving now would warn

    lead.context.set_offline(False)
    lead.wait_state("saved", timeout=30)
    wait_until(lambda: lead.field("rich_text", RICH) == colead.field("rich_text", RICH), message="rich text converged")
    fields = server_fields(lead)
    blocks = server_blocks(fields[RICH])
    assert blocks.count(offline_paragraph) == 1 and blocks.count(online_paragraph) == 1, blocks
    assert blocks == lead.field("rich_text", RICH)
    assert fields["title"].count(title_text) == 1
    assert lead.page.evaluate(LEAVING) is False
    wait_until(lambda: colead.page.locator("#input-title").input_value() == fields["title"], message="title on the other page")


def test_keyboard_only_table_rows_and_formatting(people):
    lead = people("lead", lang="fr")
    rows = lambda: [row["id"] for row in server_fields(lead)[TABLE]]  # noqa: E731
    before = rows()

    lead.page.locator(f"#field-{TABLE} .add-row").focus()
    lead.page.keyboard.press("Enter")
    focused = lead.page.evaluate("document.activeElement.dataset.col")
    assert focused == "activity"
    new_text = marker("row")
    lead.page.keyboard.type(new_text)
    lead.wait_state("saved")
    after_add = rows()
    assert len(after_add) == len(before) + 1 and after_add[:-1] == before
    new_id = after_add[-1]

    # Move it up with the keyboard: its id and content travel with it.
    lead.page.locator(f"#field-{TABLE} tbody tr[data-row-id='{new_id}'] .row-up").focus()
    lead.page.keyboard.press("Enter")
    lead.wait_state("saved")
    moved = rows()
    assert moved == before[:-1] + [new_id, before[-1]]
    assert server_fields(lead)[TABLE][-2]["activity"] == new_text
    assert lead.page.evaluate("document.activeElement.closest('tr').dataset.rowId") == new_id

    lead.page.locator(f"#field-{TABLE} tbody tr[data-row-id='{new_id}'] .row-delete").focus()
    lead.page.keyboard.press("Enter")
    lead.wait_state("saved")
    assert rows() == before

    # Bold with the keyboard shortcut, and the toolbar says so.
    word = marker("gras")
    lead.place_caret_at_end(RICH)
    lead.page.keyboard.press("Enter")
    lead.page.keyboard.press("Control+b")
    lead.page.keyboard.type(word)
    assert lead.page.locator(f"#field-{RICH} .tb-bold").get_attribute("aria-pressed") == "true"
    lead.wait_state("saved")
    tree = server_fields(lead)[RICH]
    bold = [node for para in tree for node in para.get("content", [])
            if node.get("text") == word and {"type": "bold"} in node.get("marks", [])]
    assert bold, tree
    for name in ("bold", "italic", "underline", "link", "bulletList", "orderedList"):
        assert lead.page.locator(f"#field-{RICH} .tb-{name}").get_attribute("aria-label")


@pytest.mark.parametrize("lang,role", [("ar", "co_lead"), ("fr", "lead")])
def test_screenshots(people, lang, role):
    wide = people(role, lang=lang)
    assert wide.page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    # The Arabic font comes from the app itself, regular and bold.
    loaded = wide.page.evaluate("""async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((f) => f.family.includes('Iltizam Naskh') && f.status === 'loaded')
            .map((f) => f.weight).sort();
    }""")
    assert loaded == ["400", "700"], loaded
    wide.screenshot(f"card-{lang}-1366.png")
    wide.screenshot(f"card-{lang}-full.png", full_page=True)
    tablet = people(role, lang=lang, viewport={"width": 768, "height": 1024})
    tablet.screenshot(f"card-{lang}-768.png")
    overflow = tablet.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 768 px"
