"""No English in the Arabic or the French interface: the coordinator's main pages, an error page
and the public side read in their language, outside what people wrote and proper names.

Text people wrote (card content, names, comments, contributions) is marked in the templates with
`translate="no"` or `data-user-content`, and the editor's text areas are `contenteditable`; the
check reads every other visible text node, with the labels a screen reader says (aria-label,
title, placeholder) and the page's title.
"""
from __future__ import annotations

import re

import pytest

WIDE = {"width": 1366, "height": 900}
# Proper names and formats that stay as they are in every language.
ALLOWED = {"OGP", "Word", "docx", "JSON", "CSV", "Markdown", "Atom", "UTC", "Iltizam", "Français", "English",
           "Ctrl", "Shift", "Alt", "Enter", "Esc"}
# English words an interface slip shows that French does not use.
ENGLISH_WORDS = {
    "the", "and", "of", "to", "is", "are", "not", "no", "you", "your", "this", "that", "with", "for", "from",
    "please", "try", "again", "save", "saved", "cancel", "delete", "edit", "sign", "error", "found", "request",
    "method", "allowed", "required", "must", "invalid", "already", "expired", "used", "card", "cards", "role",
    "roles", "comments", "dashboard", "server", "internal", "forbidden", "submit", "approve", "reject",
    "settings", "loading", "open", "close", "back", "new", "none", "by", "on", "at", "or", "has", "have",
    "was", "were", "unknown", "missing", "waiting", "changes", "offline", "online", "connecting",
}

READ_TEXT = """() => {
  const skip = '[data-user-content], [translate="no"], [contenteditable], textarea, script, style, noscript, template';
  // A label may name what people wrote ("Remove <name> (lead)"): that part is theirs.
  const theirs = [...document.querySelectorAll('[data-user-content], [translate="no"]')]
    .map((el) => el.textContent.trim()).filter(Boolean).sort((a, b) => b.length - a.length);
  const ours = (text) => theirs.reduce((rest, name) => rest.split(name).join(' '), text);
  const out = [ours(document.title)];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    out.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (el.closest(skip) || !el.checkVisibility()) continue;
    for (const name of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(name)) out.push(ours(el.getAttribute(name)));
  }
  return out;
}"""
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|/\S*")


def latin_words(text: str) -> list[str]:
    """The words in Latin letters (two or more: "B" and "I" are the bold and italic buttons)."""
    return re.findall(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’-]*[A-Za-z\u00c0-\u024f]", ADDRESSES.sub(" ", text))


def english_in(page, lang: str) -> list[str]:
    """Each piece of interface text on `page` with a word that is not in `lang`."""
    found = []
    for text in page.evaluate(READ_TEXT):
        words = [w for w in latin_words(text) if w not in ALLOWED]
        if lang == "fr":
            words = [w for w in words if w.lower() in ENGLISH_WORDS]
        if words:
            found.append(f"{', '.join(words)}: {text[:120]!r}")
    return found


def pages(live_server) -> list[tuple[str, str]]:
    card = live_server.people["card_id"]
    return [
        ("dashboard", "/plans/1"),
        ("card", f"/cards/{card}"),
        ("plan roles", "/plans/1/roles"),
        ("card roles", f"/cards/{card}/roles"),
        ("versions", f"/cards/{card}/versions"),
        ("approval policy", "/plans/1/approval-policy"),
        ("notifications", "/notifications"),
        ("public side", "/plans/1/public-side"),
        ("not found", "/plans/999999"),
        ("no such page", "/no/such/page"),
        ("method not allowed", "/language"),
        ("public plan", "/public/plans/1"),
    ]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_coordinators_pages_are_in_the_interface_language(live_server, tabs, lang):
    tab = tabs(live_server.coordinator, lang, WIDE)
    problems = {}
    for name, path in pages(live_server):
        tab.page.goto(f"{live_server.url}{path}" + ("?lang=" + lang if path.startswith("/public/") else ""))
        if name == "card":
            tab.page.wait_for_selector("#card-editor.live .card-form", timeout=15000)
        found = english_in(tab.page, lang)
        if found:
            problems[name] = found
    # The error pages are expected to answer with their status; Chromium logs that as an error.
    tab.errors[:] = [e for e in tab.errors if not re.search(r"status of 40[45]", e)]
    assert problems == {}, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in problems.items())
