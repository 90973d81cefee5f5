"""The canonical view is total: it reads any document, and leaves valid content as it was."""
from __future__ import annotations

from typing import Any

import pytest
from exports_support import arabic_fields, french_fields
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from server.content import canonical, layout, write

# Hashes of the sample cards: fixed, so a change to the rules for valid content shows here.
PINNED = {"ar": "69538b99682873f9d5b594ac06c4fe9bf38738182a97c255220323e562cba841",
          "fr": "6fc2b6b3660b14fa41886029a10ed3a415ec8ffa61fab1912a5e9464fa8ce544"}


def _doc(template: dict[str, Any], fields: dict[str, Any]) -> Doc:
    doc = Doc()
    layout.seed(doc, template)
    write.write_fields(doc, template, fields)
    return doc


@pytest.mark.parametrize("lang, fields", [("ar", arabic_fields(3)), ("fr", french_fields(5))])
def test_valid_content_is_unchanged_and_reports_nothing(template, lang, fields):
    content, problems = canonical.read_content(_doc(template, fields), template, {"number": "1"})
    assert problems == []
    assert canonical.content_hash(content) == PINNED[lang]
    assert content["fields"]["title"] == fields["title"]


def _poisoned(template: dict[str, Any], build) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    doc = _doc(template, {"problem": [{"type": "paragraph", "content": [{"type": "text", "text": "avant"}]}]})
    build(doc.get("problem", type=XmlFragment))
    content, problems = canonical.read_content(doc, template, {})
    return content["fields"]["problem"], problems


def test_deep_nesting_is_flattened_not_a_recursion_error(template):
    def build(fragment: XmlFragment) -> None:
        node = fragment.children.append(XmlElement("bulletList"))
        for _ in range(3000):
            node = node.children.append(XmlElement("listItem"))
        node.children.append(XmlText("fond"))

    tree, problems = _poisoned(template, build)
    assert canonical.plain_text(tree).endswith("fond")
    assert {p["code"] for p in problems} >= {"too_deep"}
    assert all(p["field"] == "problem" for p in problems)


def test_unknown_nodes_and_marks_keep_their_text(template):
    def build(fragment: XmlFragment) -> None:
        fragment.children.append(XmlElement("script")).children.append(XmlText("du script"))
        text = fragment.children.append(XmlElement("paragraph")).children.append(XmlText())
        text.insert(0, "en couleur", {"textStyle": {"color": "red"}, "bold": {}})

    tree, problems = _poisoned(template, build)
    assert tree[1] == {"type": "paragraph", "content": [{"type": "text", "text": "du script"}]}
    assert tree[2] == {"type": "paragraph", "content": [{"type": "text", "text": "en couleur",
                                                         "marks": [{"type": "bold"}]}]}
    assert {p["code"] for p in problems} == {"unknown_node", "unknown_mark", "misplaced_node"}


def test_attributes_links_and_control_characters_are_normalised(template):
    def build(fragment: XmlFragment) -> None:
        ordered = fragment.children.append(XmlElement("orderedList", {"start": "²"}))
        item = ordered.children.append(XmlElement("listItem"))
        text = item.children.append(XmlElement("paragraph")).children.append(XmlText())
        text.insert(0, "lien\x00\x85", {"link": {"href": "javascript:alert(1)"}})
        text.insert(len(text), " sûr", {"link": {"href": "https://data.gov.ma"}})

    tree, problems = _poisoned(template, build)
    assert tree[1] == {"type": "orderedList", "content": [{"type": "listItem", "content": [
        {"type": "paragraph", "content": [
            {"type": "text", "text": "lien"},
            {"type": "text", "text": " sûr", "marks": [{"type": "link", "attrs": {"href": "https://data.gov.ma"}}]}]}]}]}
    assert {p["code"] for p in problems} == {"bad_attribute", "unsafe_link", "control_characters"}


def test_server_text_edits_splice_by_character_in_non_ascii_text(template):
    # pycrdt counts UTF-8 bytes; a splice counted in characters would cut Arabic text apart.
    doc = _doc(template, {"summary": "Résumé\nسطر ثان"})
    for value in ("Résumé\nسطر ثالث", "une\n\tdeux", "ملخص: deux"):
        write.write_fields(doc, template, {"summary": value})
        assert canonical.read_content(doc, template, {})[0]["fields"]["summary"] == value
