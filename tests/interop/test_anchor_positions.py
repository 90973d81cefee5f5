"""Comment anchors are resolved on the server as Yjs itself resolves them.

Three pycrdt clients edit a rich-text field and a text field concurrently (Arabic, French,
emoji, deletions, formatting that splits blocks, merged in random orders); then for characters
picked at random, live and deleted, the server's reading of a relative position (which text
holds it, at which UTF-16 offset) is compared with what yjs computes from the same bytes.
"""
from __future__ import annotations

import base64
import json
import random
import subprocess

import pytest
from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText

from collab_support import ROOT
from server.review.items import Items

SCRIPT = ROOT / "editor" / "test-clients" / "resolve-positions.mjs"
WORDS = ["المعلومات ", "الوصول ", "délais ", "réponse ", "😀", "é", "60 jours ", "\n"]


def _plain(node: XmlText) -> str:
    return "".join(chunk for chunk, _ in node.diff() if isinstance(chunk, str))


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _edit(doc: Doc, rng: random.Random) -> None:
    fragment = doc.get("problem", type=XmlFragment)
    title = doc.get("title", type=Text)
    choice = rng.random()
    if choice < 0.15 or not len(fragment.children):
        fragment.children.insert(rng.randint(0, len(fragment.children)), XmlElement("paragraph")) \
            .children.append(XmlText()).insert(0, rng.choice(WORDS).strip() or "x")
        return
    if choice < 0.3:
        text = str(title)
        at = rng.randint(0, len(text))
        if text and rng.random() < 0.4:
            end = min(len(text), at + rng.randint(1, 4))
            del title[_byte(text, at):_byte(text, end)]
        else:
            title.insert(_byte(text, at), rng.choice(WORDS))
        return
    paragraph = fragment.children[rng.randrange(len(fragment.children))]
    if not len(paragraph.children):
        paragraph.children.append(XmlText())
    node = paragraph.children[0]
    text = _plain(node)
    at = rng.randint(0, len(text))
    if text and choice < 0.5:
        end = min(len(text), at + rng.randint(1, 6))
        del node[_byte(text, at):_byte(text, end)]
    elif text and choice < 0.6:
        end = min(len(text), at + rng.randint(1, 6))
        if end > at:
            node.format(_byte(text, at), _byte(text, end), {"bold": {}})
    else:
        node.insert(_byte(text, at), rng.choice(WORDS))


def _yjs(node: str, doc: Doc, positions: list[dict]) -> list[dict | None]:
    payload = json.dumps({"update": base64.b64encode(doc.get_update()).decode(),
                          "roots": {"problem": "xml", "title": "text"}, "positions": positions})
    done = subprocess.run([node, str(SCRIPT)], input=payload, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("seed", range(6))
def test_positions_resolve_as_yjs_resolves_them(node, seed):
    rng = random.Random(seed)
    docs = [Doc(client_id=rng.randrange(1, 2**32)) for _ in range(3)]
    docs[0].get("problem", type=XmlFragment).children.append(XmlElement("paragraph")).children.append(XmlText()) \
        .insert(0, "يعاني المواطنون من صعوبة الوصول")
    docs[0].get("title", type=Text).insert(0, "Accès à l'information")
    for other in docs[1:]:
        other.apply_update(docs[0].get_update())
    for _round in range(25):
        for doc in docs:
            for _ in range(rng.randint(1, 4)):
                _edit(doc, rng)
        order = docs[:]
        rng.shuffle(order)
        for target in docs:
            for source in order:
                if source is not target:
                    target.apply_update(source.get_update(target.get_state()))
    doc = docs[0]
    items = Items(doc)
    picks: list[tuple[tuple, tuple[int, int], int]] = []
    holders = [("title",)] + [("problem", i, 0) for i in range(len(doc.get("problem", type=XmlFragment).children))]
    for holder in holders:
        runs = items.layout(holder)
        for _ in range(min(12, len(runs))):
            _order, client, clock, length, _offset = rng.choice(runs)
            picks.append((holder, (client, clock + rng.randrange(length)), rng.choice([0, -1])))
    deleted = [(client, start) for client, ranges in items._deleted.items() for start, _end in ranges]
    for client, clock in rng.sample(deleted, min(15, len(deleted))):
        holder = items.holder((client, clock))
        if holder is not None:
            picks.append((holder, (client, clock), 0))
    assert len(picks) > 20
    expected = _yjs(node, doc, [{"item": {"client": c, "clock": k}, "assoc": a} for _h, (c, k), a in picks])
    ours = [{"type": list(holder), "index": items.offset_of(holder, item, assoc)} for holder, item, assoc in picks]
    assert ours == expected
    # And the other way: the character at an offset is the one yjs finds at that offset.
    offsets = []
    for holder in holders:
        runs = items.layout(holder)
        total = runs[-1][4] + runs[-1][3] if runs else 0
        offsets += [(holder, units) for units in rng.sample(range(total), min(5, total))]
    found = [items.item_at(holder, units) for holder, units in offsets]
    assert _yjs(node, doc, [{"item": {"client": c, "clock": k}, "assoc": 0} for c, k in found]) == \
        [{"type": list(holder), "index": units} for holder, units in offsets]
