#!/usr/bin/env bash
# `make bench`: the co-editing load benchmark (bench_collab.py), then the exporters' timings.
# Extra arguments go to bench_collab.py, e.g. `bash bench/run.sh --seconds 10 --scenarios 20x0`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
if [ ! -d bench/node_modules/@y/websocket-server ] || [ bench/package-lock.json -nt bench/node_modules ]; then
  (cd bench && npm ci --no-audit --no-fund --ignore-scripts)
fi
"$PY" bench/bench_collab.py "$@"
"$PY" bench/bench_exports.py
"$PY" bench/bench_export_api.py
"$PY" bench/bench_review.py
"$PY" bench/bench_diff.py
"$PY" bench/bench_approval.py
"$PY" bench/bench_public.py
