"""Diff benchmark: two versions of a large card.

    .venv/bin/python bench/bench_diff.py [--repeat 30] [--kb 20] [--rows 40]

The card: every rich-text field about `--kb` kB of text (UTF-8), in paragraphs taken from the
demo plan's cards (Arabic, and French from the French card), with bold runs and bullet lists;
`--rows` milestones. The second version: words inserted and deleted in several paragraphs of
every rich-text field, the title edited, 3 milestones edited, 1 moved, 1 added, 1 removed, the
policy area and one OGP value changed. `server.content.diff.diff` runs `--repeat` times.

A second figure, a harder case for the text diff: every rich-text field one single paragraph
of the same size (no line break to cut at first, only sentences), with more edits in it.

Results go to stdout and bench/results/diff.json.
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import schemas  # noqa: E402
from server import demo  # noqa: E402
from server.content.diff import diff  # noqa: E402
from server.review.plain import canonical_text  # noqa: E402

RICH = ("problem", "causes", "status_quo", "solution", "results", "additional")
INSERTS = ("وذلك في إطار مقاربة تشاركية", "بشكل منتظم ومحين", "en concertation avec la société civile",
           "d'ici à la fin de l'année", "مع نشر تقارير دورية", "à l'échelle régionale")


def paragraphs() -> list[str]:
    """Every paragraph of the demo cards' rich text, Arabic and French."""
    out = []
    for card in demo.load_data()["cards"]:
        for name in RICH:
            out += [p for p in canonical_text(card["fields"].get(name) or []).split("\n") if len(p) > 40]
    return out


def paragraph_node(text: str, rng: random.Random) -> dict[str, Any]:
    words = text.split(" ")
    if len(words) > 8 and rng.random() < 0.5:  # a bold run in the middle, as people write
        k = rng.randrange(2, len(words) - 4)
        return {"type": "paragraph", "content": [
            {"type": "text", "text": " ".join(words[:k]) + " "},
            {"type": "text", "text": " ".join(words[k:k + 3]), "marks": [{"type": "bold"}]},
            {"type": "text", "text": " " + " ".join(words[k + 3:])}]}
    return {"type": "paragraph", "content": [{"type": "text", "text": text}]}


def rich_text(pool: list[str], kb: int, rng: random.Random, single: bool) -> list[dict[str, Any]]:
    texts, size, order = [], 0, []
    while size < kb * 1000:
        if not order:  # every paragraph of the pool once before any comes again
            order = rng.sample(pool, len(pool))
        text = order.pop()
        texts.append(text)
        size += len(text.encode("utf-8")) + 1
    if single:
        return [{"type": "paragraph", "content": [{"type": "text", "text": " ".join(texts)}]}]
    nodes, i = [], 0
    while i < len(texts):
        if rng.random() < 0.15 and i + 3 <= len(texts):
            nodes.append({"type": "bulletList", "content": [
                {"type": "listItem", "content": [paragraph_node(t, rng)]} for t in texts[i:i + 3]]})
            i += 3
        else:
            nodes.append(paragraph_node(texts[i], rng))
            i += 1
    return nodes


def card_content(kb: int, rows: int, single: bool, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    pool = paragraphs()
    fields = copy.deepcopy(demo.load_data()["cards"][0]["fields"])
    for name in RICH:
        fields[name] = rich_text(pool, kb, rng, single)
    base = fields["milestones"]
    fields["milestones"] = []
    for i in range(rows):
        row = dict(base[i % len(base)])
        row["id"] = f"{i + 1:012x}"
        row["activity"] = f"{row['activity']} ({i + 1})"
        fields["milestones"].append(row)
    for table in ("focal_point", "partners", "indicators"):
        for i, row in enumerate(fields[table]):
            row["id"] = f"{table[:4].encode().hex()}{i:04x}"
    return {"template": {"id": "ogp-card", "version": 1},
            "card": {"number": "1", "axis": {"ar": "المحور 1", "fr": "Axe 1", "en": "Axis 1"},
                     "lead": {"ar": "وزارة", "fr": "Ministère", "en": "Ministry"}, "co_lead": None},
            "fields": fields}


def texts_of(node: Any):
    """Every text node under a rich-text tree, in order."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if item.get("type") == "text":
                yield item
            stack.extend(reversed(item.get("content", [])))


def edited(content: dict[str, Any], seed: int = 11) -> dict[str, Any]:
    rng = random.Random(seed)
    new = copy.deepcopy(content)
    fields = new["fields"]
    for name in RICH:
        nodes = [n for n in texts_of(fields[name]) if n["text"].count(" ") > 6]
        for node in rng.sample(nodes, min(4, len(nodes))):
            words = node["text"].split(" ")
            k = rng.randrange(1, len(words) - 2)
            words.insert(k, rng.choice(INSERTS))  # words inserted
            del words[rng.randrange(1, len(words) - 1)]  # a word deleted elsewhere
            node["text"] = " ".join(words)
        if len(nodes) == 1:  # one long paragraph: scatter more edits in it
            words = nodes[0]["text"].split(" ")
            for _ in range(8):
                words.insert(rng.randrange(1, len(words) - 1), rng.choice(INSERTS))
                del words[rng.randrange(1, len(words) - 1)]
            nodes[0]["text"] = " ".join(words)
    fields["title"] += " (صيغة معدلة)"
    rows = fields["milestones"]
    for i in (3, 17, 29):
        rows[i]["activity"] = rows[i]["activity"].replace(" ", " مرحلة أولى ", 1)
    rows[17]["end"] = "2026-12"
    rows.insert(25, rows.pop(5))  # one row moved
    rows.insert(12, {**rows[12], "id": "added0000001", "activity": "نشاط جديد: تقييم مرحلي"})
    del rows[33]  # one row removed
    fields["policy_area"] = "digital_government"
    first = next(iter(fields["ogp_values"]))
    fields["ogp_values"][first]["selected"] = not fields["ogp_values"][first]["selected"]
    return new


def timed(template, old, new, repeat: int) -> tuple[list[float], dict[str, Any]]:
    times, result = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        result = diff(template, old, new)
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--kb", type=int, default=20)
    parser.add_argument("--rows", type=int, default=40)
    args = parser.parse_args()
    template = schemas.load_template("ogp-card", 1)
    results: dict[str, Any] = {"target_ms": 100, "repeat": args.repeat}
    for label, single in (("paragraphs", False), ("one_paragraph", True)):
        old = card_content(args.kb, args.rows, single)
        new = edited(old)
        times, result = timed(template, old, new, args.repeat)
        fields = {f["id"]: f for f in result["fields"]}
        milestones = fields["milestones"]
        segments = sum(len(fields[n].get("segments", [])) for n in RICH)
        size = {n: len(canonical_text(old["fields"][n]).encode("utf-8")) for n in RICH}
        assert len(milestones["moved"]) == 1 and len(milestones["added"]) == 1 and len(milestones["removed"]) == 1
        results[label] = {**summary(times), "fields_changed": result["counts"]["fields_changed"],
                          "text_bytes_per_field": min(size.values()), "segments": segments,
                          "rows": {k: len(milestones[k]) for k in ("added", "removed", "moved", "edited")}}
        identical = timed(template, old, copy.deepcopy(old), args.repeat)[0]
        results[label]["identical"] = summary(identical)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "diff.json").write_text(json.dumps(results, indent=1))
    for label in ("paragraphs", "one_paragraph"):
        r = results[label]
        print(f"diff, {args.rows} rows, {r['text_bytes_per_field'] // 1000}+ kB per rich-text field ({label}): "
              f"median {r['median_ms']:.1f} ms, min {r['min_ms']:.1f}, max {r['max_ms']:.1f} (target ≤ 100); "
              f"{r['fields_changed']} fields changed, {r['segments']} text segments, rows {r['rows']}; "
              f"identical contents: median {r['identical']['median_ms']:.2f} ms")


if __name__ == "__main__":
    main()
