"""Time the exporters on realistic content: a 40-card plan and one card, in Arabic and French.

Run from the repository root:

    python bench/bench_exports.py [--repeat N]

The content is the one the exporter tests check (tests/exports/exports_support.py). Figures are the
median and best of N runs, in milliseconds; targets: plan .docx ≤ 2000 ms, card .docx ≤ 200 ms.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import schemas  # noqa: E402
from exports import (  # noqa: E402
    card_docx,
    card_html,
    card_json,
    card_markdown,
    import_docx,
    plan_docx,
    plan_html,
    plan_json,
    plan_markdown,
)

TARGETS_MS = {"plan_docx": 2000.0, "card_docx": 200.0}


def _samples() -> Any:
    """Load the test fixtures module by path (tests/ is not a package)."""
    path = ROOT / "tests" / "exports" / "exports_support.py"
    spec = importlib.util.spec_from_file_location("exports_samples", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def measure(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    run()  # warm caches (template parsing, style lookups) as a running server would have them
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case (default 7)")
    args = parser.parse_args()
    samples = _samples()
    template = schemas.load_template()
    plan = samples.make_plan(40)
    cards = {"ar": samples.card_content(samples.arabic_fields(3), "3", samples.AXES[0]),
             "fr": samples.card_content(samples.french_fields(5), "5", samples.AXES[0])}
    cases: list[tuple[str, str, Callable[[], object]]] = []
    for lang in ("ar", "fr"):
        content = cards[lang]
        exported = card_docx(template, content, lang)
        cases += [
            ("plan_docx", lang, lambda lang=lang: plan_docx(template, plan, lang)),
            ("card_docx", lang, lambda lang=lang, c=content: card_docx(template, c, lang)),
            ("plan_markdown", lang, lambda lang=lang: plan_markdown(template, plan, lang)),
            ("plan_html", lang, lambda lang=lang: plan_html(template, plan, lang)),
            ("plan_json", lang, lambda lang=lang: plan_json(template, plan, lang)),
            ("card_markdown", lang, lambda lang=lang, c=content: card_markdown(template, c, lang)),
            ("card_html", lang, lambda lang=lang, c=content: card_html(template, c, lang)),
            ("card_json", lang, lambda lang=lang, c=content: card_json(template, c, lang)),
            ("import_docx", lang, lambda data=exported: import_docx(template, data)),
        ]
    print(f"{'case':<16}{'lang':<6}{'median ms':>11}{'best ms':>10}  target")
    failed = False
    for name, lang, run in cases:
        median, best = measure(run, args.repeat)
        target = TARGETS_MS.get(name)
        verdict = ""
        if target is not None:
            ok = median <= target
            failed |= not ok
            verdict = f"≤ {target:.0f} ms {'ok' if ok else 'MISSED'}"
        print(f"{name:<16}{lang:<6}{median:>11.1f}{best:>10.1f}  {verdict}")
    size = len(plan_docx(template, plan, "ar"))
    print(f"40-card Arabic plan .docx: {size / 1024:.0f} KiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
