#!/usr/bin/env bash
# `make bench`: the co-editing load benchmark (bench_collab.py), then the exporters' timings.
# Extra arguments go to bench_collab.py, e.g. `bash bench/run.sh --seconds 10 --runs 3 --scenarios 50x0,two50`
# (its docstring and docs/performance.md give the scenario syntax).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
if [ ! -d bench/node_modules/@y/websocket-server ] || [ ! -d bench/node_modules/@hocuspocus/server ] \
    || [ bench/package-lock.json -nt bench/node_modules ]; then
  (cd bench && npm ci --no-audit --no-fund --ignore-scripts)
fi
"$PY" bench/bench_collab.py "$@"
"$PY" bench/bench_exports.py
"$PY" bench/bench_export_api.py
"$PY" bench/bench_review.py
"$PY" bench/bench_diff.py
"$PY" bench/bench_approval.py
"$PY" bench/bench_public.py
