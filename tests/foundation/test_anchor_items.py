"""The item index behind comment anchors (server/review/items.py) reads a card's texts in one
pass, and what the listing caches gives what it would compute again.

The characters of every text, read once for all the texts, are those a walk over the whole
document for that one text finds (the way it was read before, per text); deleted ranges count
the same however the delete set is written; a quote found again from the cache is where the
search finds it.
"""
from __future__ import annotations

import random

import pytest
from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from server.review import anchors, quotes
from server.review.items import STRING, Items

WORDS = ["المعلومات ", "الوصول ", "délais ", "😀", "é", "60 jours "]


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _plain(node: XmlText) -> str:
    return "".join(chunk for chunk, _ in node.diff() if isinstance(chunk, str))


def _edit(doc: Doc, rng: random.Random) -> None:
    fragment = doc.get("problem", type=XmlFragment)
    title = doc.get("title", type=Text)
    choice = rng.random()
    if choice < 0.2 or not len(fragment.children):
        fragment.children.insert(rng.randint(0, len(fragment.children)), XmlElement("paragraph")) \
            .children.append(XmlText()).insert(0, rng.choice(WORDS))
        return
    if choice < 0.25 and len(fragment.children) > 1:
        del fragment.children[rng.randrange(len(fragment.children))]
        return
    target = title if choice < 0.45 else fragment.children[rng.randrange(len(fragment.children))].children[0]
    text = str(target) if target is title else _plain(target)
    at = rng.randint(0, len(text))
    if text and rng.random() < 0.4:
        del target[_byte(text, at):_byte(text, min(len(text), at + rng.randint(1, 5)))]
    else:
        target.insert(_byte(text, at), rng.choice(WORDS))


def _edited(seed: int) -> Doc:
    rng = random.Random(seed)
    docs = [Doc(client_id=rng.randrange(1, 2**32)) for _ in range(2)]
    for _round in range(20):
        for doc in docs:
            for _ in range(rng.randint(1, 3)):
                _edit(doc, rng)
        docs[0].apply_update(docs[1].get_update(docs[0].get_state()))
        docs[1].apply_update(docs[0].get_update(docs[1].get_state()))
    return docs[0]


def _naive_live(deleted: list[tuple[int, int]], client: int, clock: int, length: int) -> list[tuple[int, int, int]]:
    alive = [c for c in range(clock, clock + length) if not any(s <= c < e for s, e in deleted)]
    runs: list[tuple[int, int, int]] = []
    for c in alive:
        if runs and runs[-1][1] + runs[-1][2] == c:
            runs[-1] = (client, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((client, c, 1))
    return runs


def _per_text(items: Items, holder: tuple) -> set[tuple[int, int, int]]:
    """A text's live characters found as before: a walk over every item of the document."""
    runs: set[tuple[int, int, int]] = set()
    for client, client_items in items._items.items():
        for item in client_items:
            if item.kind != STRING:
                continue
            owner = items.parent((client, item.clock))
            if owner is None or items.path(owner[0]) != holder:
                continue
            for _client, clock, length in _naive_live(items._deleted.get(client, []), client, item.clock, item.length):
                runs.update((client, c, 1) for c in range(clock, clock + length))
    return runs


def _units(runs: list[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    return {(client, c, 1) for client, clock, length in runs for c in range(clock, clock + length)}


@pytest.mark.parametrize("seed", range(4))
def test_every_text_has_the_characters_a_walk_of_the_whole_document_finds(seed):
    doc = _edited(seed)
    items = Items(doc)
    fragment = doc.get("problem", type=XmlFragment)
    holders = [("title",)] + [("problem", i, 0) for i in range(len(fragment.children))]
    assert any(items._deleted.values())  # deletions, so live parts are really cut
    for holder in holders:
        assert _units(items.characters(holder)) == _per_text(items, holder)
    # And each text's layout covers exactly its text, in UTF-16 code units as Yjs counts.
    texts = [str(doc.get("title", type=Text))] + [_plain(p.children[0]) for p in fragment.children]
    for holder, text in zip(holders, texts):
        runs = items.layout(holder)
        total = runs[-1][4] + runs[-1][3] if runs else 0
        assert total == len(text.encode("utf-16-le")) // 2


def test_deleted_ranges_count_the_same_unsorted_overlapping_or_touching():
    doc = Doc(client_id=7)
    doc.get("title", type=Text).insert(0, "x" * 60)
    items = Items(doc)
    rng = random.Random(3)
    for _ in range(40):
        ranges = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randrange(0, 50)
            ranges.append((start, start + rng.randint(1, 12)))
        items._deleted = {7: list(ranges)}
        items._merged = {}
        for _ in range(10):
            clock = rng.randrange(0, 55)
            length = rng.randint(1, 10)
            assert items._live_parts(7, clock, length) == _naive_live(ranges, 7, clock, length)
            assert items.deleted((7, clock)) == any(s <= clock < e for s, e in ranges)


def test_a_quote_found_again_from_the_cache_is_where_the_search_finds_it():
    text = "يعاني المواطنون من صعوبة الوصول إلى المعلومات. Les délais dépassent souvent 60 jours."
    cases = [("الوصول إلى المعلومات", "صعوبة ", ".", 20), ("délais dépasent", "Les ", " souvent", 50),
             ("absent de ce texte", "", "", 0), ("60 jours", "souvent ", ".", 70)]
    for quote, prefix, suffix, offset in cases:
        searched = quotes._find.__wrapped__(text, quote, prefix, suffix, offset)
        assert quotes.find(text, quote, prefix, suffix, offset) == searched
        assert quotes.find(text, quote, prefix, suffix, offset) == searched  # now from the cache
    assert quotes.find(text, "délais dépasent", "Les ", " souvent", 50) is not None  # approximately
    # A stored anchor holding something else than text is still searched for, without the cache.
    assert quotes.find(text, "60 jours", ["x"], "", 0) == quotes._find.__wrapped__(text, "60 jours", ["x"], "", 0)


def test_a_field_finds_its_texts_by_path_also_when_one_is_added():
    doc = _edited(1)
    spec = {"id": "problem", "type": "rich_text"}
    found = anchors.field_text(doc, spec)
    assert found is not None and found.segments
    for segment in found.segments:
        assert found.by_path(segment.path) is segment
    extra = anchors.Segment(("problem", 99, 0), len(found.text) + 1, "ajouté")
    found.segments.append(extra)
    assert found.by_path(("problem", 99, 0)) is extra and found.by_path(("nope",)) is None
