#!/usr/bin/env bash
# Runs a Google Benchmark binary with a tiny minimum time and fails if any benchmark
# reports an error, so CI keeps benchmark code working without spending time on it.
set -euo pipefail
binary=$1
shift
out=$("$binary" --benchmark_min_time=0.01 --benchmark_format=json "$@" 2>&1)
echo "$out"
if grep -q '"error_occurred": true' <<<"$out"; then
  echo "a benchmark reported an error" >&2
  exit 1
fi
grep -q '"name": "BM_' <<<"$out"
