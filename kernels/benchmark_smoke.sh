#!/usr/bin/env bash
# Runs a Google Benchmark binary ($1) on the benchmarks matching the filter ($2) with a
# tiny minimum time, and fails if none ran or any reported an error: CI keeps the benchmark
# code working without spending time on it.
set -euo pipefail
out=$("$1" --benchmark_filter="$2" --benchmark_min_time=0.01 --benchmark_format=json 2>&1)
echo "$out"
if grep -q '"error_occurred": true' <<<"$out"; then
  echo "a benchmark reported an error" >&2
  exit 1
fi
grep -q '"name": "BM_' <<<"$out" || { echo "no benchmark matched '$2'" >&2; exit 1; }
