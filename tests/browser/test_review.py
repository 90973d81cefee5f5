"""Review in the card editor (issue 10): comment threads beside the live form.

The first test runs against the real server: a reviewer comments on Arabic text, the lead sees
the highlight and the thread live, replies with a mention, deletes the quoted sentence, and the
thread shows as detached. The others drive the same page against an in-browser fake of the
review API (review_fake.py) and take the panel's screenshots in Arabic and French, wide and at
390 px.
"""
from __future__ import annotations


import pytest

from browser_support import CardPage, wait_until
from review_fake import FakeReviewApi

RICH = "problem"
# Sentences of the demo card's "problem" field, each inside one text run; one for each test, as
# each deletes its own (the tests of a module share one server).
SENTENCE = "كما يبقى النشر الاستباقي للمعلومات متفاوتا بين القطاعات"
SENTENCES = {"ar": "ويترتب على هذا الوضع إضعاف ثقة المواطنين في الإدارة", "fr": "لم يتجاوز عدد الطلبات المقدمة عبر البوابة الوطنية"}
PANEL = "#review-panel"

SELECT = """([field, text]) => {
  const root = document.getElementById(`input-${field}`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    if (root.isContentEditable) root.focus();
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
  return false;
}"""
HIGHLIGHTED = """(field) => [...document.querySelectorAll(`#input-${field} .review-highlight`)].map((el) => el.textContent).join('')"""


def select_text(page: CardPage, field: str, text: str) -> None:
    assert page.page.evaluate(SELECT, [field, text]), f"{text!r} is not in {field}"


def person(page: CardPage) -> dict:
    data = page.page.evaluate("""() => { const d = document.getElementById('card-editor').dataset;
        return {id: Number(d.userId), name: d.userName, organisation: d.userOrganisation}; }""")
    return data


def threads(page: CardPage):
    return page.page.locator(f"{PANEL} .review-thread")


def thread_on(page: CardPage, quote: str):
    """The panel's thread quoting `quote` (the demo card has review threads of its own)."""
    return threads(page).filter(has=page.page.locator(".thread-quote", has_text=quote))


def comment_on_selection(page: CardPage, field: str, text: str, body: str) -> None:
    """Select `text`, press the comment button by it, write `body` and send it with Ctrl+Enter."""
    select_text(page, field, text)
    button = page.page.locator(".review-comment-button")
    button.wait_for(state="visible", timeout=5000)
    button.click()
    box = page.page.locator(f"{PANEL} .review-new textarea")
    wait_until(lambda: page.page.evaluate("document.activeElement.classList.contains('comment-input')"),
               message="the new-comment box has the focus")
    assert text in page.page.locator(f"{PANEL} .review-new-quote").inner_text()
    box.type(body)
    page.page.keyboard.press("Control+Enter")


def reply_with_mention(page: CardPage, thread: object, typed: str, mention_prefix: str, after: str,
                       screenshot: str | None = None) -> None:
    """Reply to `thread`, picking the first member offered for `@mention_prefix` with Enter."""
    thread.locator(".thread-reply").click()
    page.page.keyboard.type(typed + "@" + mention_prefix)
    option = page.page.locator(f"{PANEL} .mention-option[aria-selected=true]")
    option.wait_for(timeout=5000)
    assert page.page.get_attribute(f"{PANEL} .reply-slot textarea", "aria-expanded") == "true"
    if screenshot:
        page.screenshot(screenshot)
    page.page.keyboard.press("Enter")
    page.page.keyboard.type(after)
    page.page.keyboard.press("Control+Enter")


# Whether the rich-text editor of a field (Tiptap keeps itself on its element) holds `text` as
# its selection: ProseMirror reads a selection change from the page in its own time.
EDITOR_SELECTED = """([field, text]) => {
  const editor = document.getElementById(`input-${field}`)?.editor;
  if (!editor) return false;
  const { from, to } = editor.state.selection;
  return editor.state.doc.textBetween(from, to, '\\n') === text;
}"""


def delete_text(page: CardPage, field: str, text: str) -> None:
    select_text(page, field, text)
    wait_until(lambda: page.page.evaluate(EDITOR_SELECTED, [field, text]),
               message=f"{text!r} selected in the editor of {field}")
    page.page.keyboard.press("Backspace")


def test_a_reviewer_comments_the_lead_replies_with_a_mention_and_deleting_the_text_detaches(people):
    reviewer = people("reviewer", lang="ar")
    lead = people("lead", lang="fr")
    colead_name = people("co_lead", lang="ar").page.get_attribute("#card-editor", "data-user-name")

    open_before = int(lead.page.locator(".review-toggle .review-count").inner_text() or 0)
    highlighted_before = lead.page.evaluate(HIGHLIGHTED, RICH)
    detached_before = int(lead.page.locator(f"{PANEL} .review-filter.filter-detached .filter-count").inner_text() or 0)
    comment_on_selection(reviewer, RICH, SENTENCE, "هذه الجملة تحتاج إلى مصدر.")
    wait_until(lambda: thread_on(reviewer, SENTENCE).count() == 1, message="the reviewer's thread in the panel")
    assert SENTENCE in reviewer.page.evaluate(HIGHLIGHTED, RICH)
    # Nothing about comments entered the document: the reviewer sent no document change.
    assert reviewer.sent_updates == 0

    # The lead sees it live: in the panel, highlighted in the text, counted on the toggle.
    wait_until(lambda: thread_on(lead, SENTENCE).count() == 1, message="the thread on the lead's page, live")
    wait_until(lambda: SENTENCE in lead.page.evaluate(HIGHLIGHTED, RICH), message="the highlight on the lead's page")
    assert lead.page.locator(".review-toggle .review-count").inner_text() == str(open_before + 1)
    thread = thread_on(lead, SENTENCE)
    assert SENTENCE in thread.locator(".thread-quote").inner_text()
    assert "هذه الجملة تحتاج إلى مصدر." in thread.locator(".comment-body").inner_text()

    reply_with_mention(lead, thread, "Merci, ", colead_name[:3], " peut confirmer.")
    wait_until(lambda: thread.locator(".comment").count() == 2, message="the lead's reply")
    mention = thread.locator(".comment").nth(1).locator(".mention")
    assert mention.inner_text() == f"@{colead_name}"
    wait_until(lambda: thread_on(reviewer, SENTENCE).locator(".comment").count() == 2,
               message="the reply on the reviewer's page")

    # Clicking the thread selects its text.
    thread.locator(".thread-jump").click()
    assert lead.page.evaluate("document.getSelection().toString()") == SENTENCE
    lead.screenshot("review-live-fr.png")

    # The lead deletes the quoted sentence: the thread is detached, on both pages.
    delete_text(lead, RICH, SENTENCE)
    lead.wait_state("saved")
    for page in (lead, reviewer):
        filt = page.page.locator(f"{PANEL} .review-filter.filter-detached")
        wait_until(lambda filt=filt: filt.locator(".filter-count").inner_text() == str(detached_before + 1),
                   message="counted as detached")
        filt.click()
        detached = thread_on(page, SENTENCE).and_(page.page.locator(".is-detached"))
        detached.wait_for(timeout=5000)
        assert detached.locator(".thread-detached-note").is_visible()
        assert page.page.evaluate(HIGHLIGHTED, RICH) == highlighted_before
    reviewer.screenshot("review-detached-ar.png")


@pytest.mark.parametrize("lang,other", [("ar", "fr"), ("fr", "ar")])
def test_the_panel_with_a_fake_review_api(people, live_server, lang, other):
    card = live_server.people["card_id"]
    sentence = SENTENCES[lang]
    reviewer = people("reviewer", lang=lang, open_card=False)
    lead = people("lead", lang=other, open_card=False)
    fake = FakeReviewApi(members=[])
    for page in (reviewer, lead):
        who: dict = {}
        fake.install(page, who)
        page.open(card)
        who.update(person(page))
        fake.members.append(dict(who))
    assert reviewer.page.get_attribute(f"aside{PANEL}", "aria-label")

    comment_on_selection(reviewer, RICH, sentence, "هذه الجملة تحتاج إلى مصدر.")
    wait_until(lambda: threads(reviewer).count() == 1, message="the new thread in the panel")
    assert reviewer.page.evaluate(HIGHLIGHTED, RICH) == sentence
    created = fake.requests[-1]
    assert created[0] == "POST" and created[2]["field"] == RICH and created[2]["quote"] == sentence
    assert set(created[2]["anchor"]) == {"start", "end"}
    assert created[2]["anchor"]["start"]["assoc"] == 0 and created[2]["anchor"]["end"]["assoc"] == -1
    assert reviewer.sent_updates == 0

    # A whole-field comment from the keyboard: focus the title, nothing selected, Ctrl+Alt+M.
    reviewer.page.locator("#input-title").focus()
    reviewer.page.keyboard.press("Control+Alt+m")
    reviewer.page.locator(f"{PANEL} .review-new textarea").wait_for()
    reviewer.page.keyboard.press("Escape")
    wait_until(lambda: reviewer.page.evaluate("document.activeElement.id") == "input-title", message="focus back on the title")
    reviewer.page.keyboard.press("Control+Alt+m")
    reviewer.page.keyboard.type("Le titre est trop long.")
    reviewer.page.keyboard.press("Control+Enter")
    wait_until(lambda: threads(reviewer).count() == 2, message="the whole-field thread")
    assert fake.requests[-1][2].get("anchor") is None and fake.requests[-1][2]["field"] == "title"
    # Document order: the title comes before the problem field, whatever the order of writing.
    assert threads(reviewer).first.get_attribute("data-thread-id") == str(max(fake.threads))

    fake.deliver()
    wait_until(lambda: threads(lead).count() == 2, message="the threads on the lead's page, live")
    wait_until(lambda: lead.page.evaluate(HIGHLIGHTED, RICH) == sentence, message="the highlight on the lead's page")
    assert lead.page.locator("#field-title .field-comments").count() == 1
    thread = threads(lead).nth(1)
    members = [m["name"] for m in fake.members]
    reviewer_name = members[0]
    reply_with_mention(lead, thread, "Merci ", reviewer_name[:2], " je corrige.", screenshot=f"review-mention-{other}-1366.png")
    wait_until(lambda: thread.locator(".comment").count() == 2, message="the reply")
    assert f"@[{reviewer_name}](mention:{fake.members[0]['id']})" in fake.last_comment()["body"]
    assert thread.locator(".comment").nth(1).locator(".mention").inner_text() == f"@{reviewer_name}"
    fake.deliver()
    wait_until(lambda: threads(reviewer).nth(1).locator(".comment").count() == 2, message="the reply, live")

    # Own comments can be edited and deleted (after a confirmation); others' cannot.
    mine = thread.locator(".comment").nth(1)
    assert thread.locator(".comment").first.locator(".comment-edit").count() == 0
    mine.locator(".comment-delete").click()
    assert mine.locator(".comment-confirm").is_visible()
    lead.page.keyboard.press("Escape")
    assert mine.locator(".comment-confirm").count() == 0 and not mine.locator(".comment-body").inner_text() == ""

    for page, name in ((reviewer, lang), (lead, other)):
        page.page.locator(PANEL).scroll_into_view_if_needed()
        page.screenshot(f"review-panel-{name}-1366.png")

    # Clicking the thread selects its text, and the way back returns to it.
    thread.locator(".thread-jump").click()
    assert lead.page.evaluate("document.getSelection().toString()") == sentence
    lead.screenshot(f"review-jump-{other}-1366.png")
    lead.page.locator(".review-back").click()
    assert lead.page.evaluate("document.activeElement.classList.contains('thread-jump')")

    # Resolve, and the thread moves to the resolved filter.
    thread.locator(".thread-resolve").click()
    wait_until(lambda: threads(lead).count() == 1, message="the resolved thread left the open list")
    assert lead.page.locator(".review-toggle .review-count").inner_text() == "1"
    lead.page.locator(f"{PANEL} .filter-resolved").click()
    assert threads(lead).count() == 1 and threads(lead).first.locator(".thread-resolved-by").is_visible()
    lead.page.locator(f"{PANEL} .filter-resolved").click()
    threads(lead).first.locator(".thread-resolve").click()  # reopen
    lead.page.locator(f"{PANEL} .filter-open").click()
    wait_until(lambda: threads(lead).count() == 2, message="reopened")

    # Deleting the quoted sentence detaches the thread, on both pages.
    delete_text(lead, RICH, sentence)
    lead.wait_state("saved")
    for page in (lead, reviewer):
        wait_until(lambda page=page: page.page.locator(f"{PANEL} .filter-detached .filter-count").inner_text() == "1",
                   message="counted as detached")
        page.page.locator(f"{PANEL} .filter-detached").click()
        detached = page.page.locator(f"{PANEL} .review-thread.is-detached")
        assert detached.locator(".thread-detached-note").is_visible()
        assert sentence in detached.locator(".thread-quote").inner_text()
        assert page.page.evaluate(HIGHLIGHTED, RICH) == ""
    reviewer.screenshot(f"review-detached-{lang}-1366.png")

    # A range in a text field, read-only for the reviewer but selectable: the control is marked.
    reviewer.page.evaluate("() => { const el = document.getElementById('input-summary'); el.focus(); el.setSelectionRange(0, 5); }")
    button = reviewer.page.locator(".review-comment-button")
    button.wait_for(state="visible", timeout=5000)
    reviewer.screenshot(f"review-button-{lang}-1366.png")
    button.click()
    reviewer.page.locator(f"{PANEL} .review-new textarea").wait_for()
    reviewer.page.keyboard.press("Escape")  # cancel: back to the text, still selected
    wait_until(lambda: reviewer.page.evaluate("document.activeElement.id") == "input-summary", message="focus back in the summary")
    assert reviewer.page.evaluate("[document.activeElement.selectionStart, document.activeElement.selectionEnd]") == [0, 5]
    reviewer.page.keyboard.press("Control+Alt+m")
    reviewer.page.keyboard.type("Préciser les administrations concernées.")
    reviewer.page.keyboard.press("Control+Enter")
    wait_until(lambda: reviewer.page.get_attribute("#input-summary", "data-comments") == "1", message="the summary marked")
    request = fake.requests[-1][2]
    assert request["field"] == "summary" and request["quote"] == "توسيع" and request["anchor"]["start"]["assoc"] == 0
    assert reviewer.page.locator("#field-summary .field-comments").inner_text().strip() == "1"

    # 390 px: a drawer opened by the toggle with the count, closed with Escape, focus managed.
    reviewer.page.set_viewport_size({"width": 390, "height": 844})
    assert not reviewer.page.locator(PANEL).is_visible()
    toggle = reviewer.page.locator(".review-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    reviewer.screenshot(f"review-closed-{lang}-390.png")
    toggle.click()
    assert reviewer.page.locator(PANEL).is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert reviewer.page.evaluate("document.activeElement.classList.contains('review-title')")
    overflow = reviewer.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390 px"
    reviewer.screenshot(f"review-drawer-{lang}-390.png")
    reviewer.page.keyboard.press("Escape")
    assert not reviewer.page.locator(PANEL).is_visible()
    assert reviewer.page.evaluate("document.activeElement.classList.contains('review-toggle')")
