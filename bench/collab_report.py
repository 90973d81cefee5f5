"""The co-editing benchmark's summary: medians and spreads over runs, ratios, the Markdown table."""
from __future__ import annotations

import statistics
from typing import Any

from collab_scenarios import ILTIZAM, PEERS, TWO_PROCESSES, Scenario

LATENCIES = ("p50", "p95", "p99")
LABELS = {ILTIZAM: "Iltizam", TWO_PROCESSES: "Iltizam, 2 processes", "y-websocket": "y-websocket",
          "hocuspocus": "Hocuspocus"}


def _values(runs: list[dict[str, Any]], key: str) -> list[float]:
    return [r[key] for r in runs if r.get(key) is not None]


def spread(values: list[float]) -> dict[str, float] | None:
    """Median, min and max of one figure over the runs (None when no run gave it)."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One target's runs of one scenario, figure by figure."""
    ok = [r for r in runs if "error" not in r]
    keys = [*LATENCIES, "max", "cross_p50", "cross_p95", "cross_p99", "others_p95", "viewer_p95", "server_cpu_pct",
            "server_rss_mb", "loadgen_cpu_pct", "loadgen_rss_mb", "editor_loop_delay_p95", "viewer_loop_delay_p95",
            "keystrokes", "keystrokes_aimed"]
    out: dict[str, Any] = {key: spread(_values(ok, key)) for key in keys}
    out.update(runs=len(runs), errors=[r["error"] for r in runs if "error" in r],
               lost=sum(r["lost"] for r in ok), count_gaps=sum(r["count_gaps"] for r in ok),
               undelivered_at_drain=sum(r["undelivered_at_drain"] for r in ok),
               late_joiner_missing=sum(r["late_joiner_missing"] for r in ok),
               converged=bool(ok) and all(r["converged"] for r in ok))
    return out


def ratios(scenario: Scenario, summaries: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """Iltizam's median p50/p95/p99 over the best peer's (the lower median of the two, per figure).

    For a two-process scenario: the two processes' cross-process median over the one
    process's median, per figure.
    """
    out: dict[str, float | None] = {}
    for key in LATENCIES:
        if scenario.processes == 2:
            ours = (summaries.get(TWO_PROCESSES) or {}).get(f"cross_{key}")
            theirs = [(summaries.get(ILTIZAM) or {}).get(key)]
        else:
            ours = (summaries.get(ILTIZAM) or {}).get(key)
            theirs = [(summaries.get(peer) or {}).get(key) for peer in PEERS]
        best = min((t["median"] for t in theirs if t), default=None)
        out[key] = ours["median"] / best if ours and best else None
    return out


def _cell(s: dict[str, float] | None, digits: int = 1) -> str:
    """"median (min–max)", or the median alone when the spread rounds to nothing."""
    if not s:
        return "–"
    low, mid, high = (f"{s[k]:.{digits}f}" for k in ("min", "median", "max"))
    return mid if low == high else f"{mid} ({low}–{high})"


def _ratio_cell(r: dict[str, float | None]) -> str:
    return " / ".join("–" if r[k] is None else f"{r[k]:.2f}" for k in LATENCIES)


def table(results: list[dict[str, Any]]) -> str:
    """Markdown: one row per scenario and target, medians with (min–max) over the runs."""
    head = ("| scenario | target | runs | p50 ms | p95 ms | p99 ms | Iltizam / better peer (p50 / p95 / p99) | "
            "other editors p95 ms | "
            "keystrokes (aimed) | lost (late) | late joiner missing | converged | server CPU % | server RSS MB | "
            "loadgen CPU % | loadgen loop delay p95 ms (editor / viewer threads) |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for entry in results:
        scenario: Scenario = entry["scenario"]
        for target, s in entry["summaries"].items():
            if target == ILTIZAM and scenario.processes == 1 or target == TWO_PROCESSES:
                ratio = _ratio_cell(entry["ratios"])
            else:
                ratio = ""
            label = LABELS[target] + (" (PostgreSQL)" if scenario.processes == 2 else "")
            if s["errors"] and not s["p95"]:
                rows.append(f"| {scenario.name} | {label} | {s['runs']} | error: {s['errors'][0][:120]} |")
                continue
            p = {k: _cell(s[f"cross_{k}"] if target == TWO_PROCESSES else s[k]) for k in LATENCIES}
            keys = f"{s['keystrokes']['median']:.0f} ({s['keystrokes_aimed']['median']:.0f})"
            delay = f"{_cell(s['editor_loop_delay_p95'], 0)} / {_cell(s['viewer_loop_delay_p95'], 0)}"
            rows.append(f"| {scenario.name} | {label} | {s['runs']} | {p['p50']} | {p['p95']} | {p['p99']} | {ratio} | "
                        f"{_cell(s['others_p95'])} | {keys} | {s['lost']} ({s['undelivered_at_drain']}) | "
                        f"{s['late_joiner_missing']} | "
                        f"{'yes' if s['converged'] else 'no'} | {_cell(s['server_cpu_pct'], 0)} | "
                        f"{_cell(s['server_rss_mb'], 0)} | {_cell(s['loadgen_cpu_pct'], 0)} | {delay} |")
    return "\n".join([head, *rows])


NOTES = """\
Latency: keystroke to its arrival in the probes' documents (editors that apply every update),
median over the runs with (min–max). Two-process rows: only keystrokes typed on the other
process. Ratio: Iltizam / the better peer, per figure (two processes: cross-process / one
process). Lost: markers some editor never received; late: deliveries to editors still
outstanding 10 s after the typing stopped (both summed over the runs). Other editors p95: at
the editors that are not probes (they count updates without applying them unless --apply all)."""
