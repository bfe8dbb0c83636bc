#!/usr/bin/env bash
# Builds every fuzz target (tests/fuzz, tag fuzz_target) with clang, libFuzzer, ASan and
# UBSan, runs each for SECONDS, and prints per target the inputs run per second, the total
# inputs run and the crashes found. A crash (or a failed FUZZ_CHECK, a leak, a timeout, an
# input over the memory limit) stops that target; its input is copied into
# tests/fuzz/corpus/<target>/ as a regression file, which the target's _replay test then
# feeds it on every `bazel test //...`. Exit status 1 if anything crashed.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS] [TARGET...]    # default: 60 s each, every target
#
# The clang build lives in an output base of its own under ~/.cache/parsweep/fuzz/, with no
# disk cache and no bazel-* links, so the default GCC build and its cache are untouched; the
# Bazel server it starts is shut down at the end. The corpus each target grows is kept
# there too (across runs), seeded from tests/fuzz/corpus/<target>/, which is only read.
# Needs clang-14 and libclang-rt-14-dev (tools/install_deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

seconds=${1:-60}
[[ $# -gt 0 ]] && shift
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: $0 [SECONDS] [TARGET...]" >&2
  exit 2
fi

clang=/usr/bin/clang-14
fuzzer_runtime=$("$clang" -print-resource-dir 2>/dev/null)/lib/linux/libclang_rt.fuzzer-x86_64.a
if [[ ! -x $clang || ! -f $fuzzer_runtime ]]; then
  echo "run_fuzzers: clang-14 with libFuzzer is missing: run tools/install_deps.sh" >&2
  exit 1
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/parsweep/fuzz/$(printf '%s' "$root" | md5sum | cut -c1-12)
mkdir -p "$cache"
bazel_fuzz() { bazel --output_base="$cache/bazel" "$@"; }
trap 'bazel_fuzz shutdown >/dev/null 2>&1 || true' EXIT
flags=(
  --repo_env=CC="$clang"
  --platform_suffix=-fuzz
  --symlink_prefix=/
  --disk_cache=
  --compilation_mode=opt
  --copt=-g
  --copt=-fsanitize=fuzzer-no-link,address,undefined
  --copt=-fno-sanitize-recover=all
  --copt=-fno-omit-frame-pointer
  --linkopt=-fsanitize=address,undefined
  # Bazel links with the C driver (clang-14, not clang++): ask for UBSan's C++ runtime too.
  --linkopt=-fsanitize-link-c++-runtime
)

if (($# > 0)); then
  targets=("${@/#/\/\/tests\/fuzz:}")
else
  mapfile -t targets < <(bazel_fuzz query --repo_env=CC="$clang" --noshow_progress \
    'attr(tags, "\bfuzz_target\b", //tests/fuzz:all)' 2>/dev/null)
fi
((${#targets[@]} > 0)) || { echo "run_fuzzers: no fuzz targets found" >&2; exit 1; }

echo "== building ${#targets[@]} fuzz targets with $clang"
mkdir -p "$cache/logs"
if ! bazel_fuzz build "${flags[@]}" "${targets[@]}" >"$cache/logs/build.log" 2>&1; then
  grep -E 'ERROR|error:' "$cache/logs/build.log" | head -20 >&2
  echo "run_fuzzers: the build failed (log: $cache/logs/build.log)" >&2
  exit 1
fi
bin=$(bazel_fuzz info "${flags[@]}" bazel-bin 2>/dev/null)

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rows=()
crashed=0
for target in "${targets[@]}"; do
  name=${target##*:}
  binary=$bin/tests/fuzz/$name
  [[ -x $binary ]] || { echo "run_fuzzers: $name did not build" >&2; exit 1; }
  seeds=$root/tests/fuzz/corpus/$name
  corpus=$cache/corpus/$name
  artifacts=$cache/artifacts/$name
  log=$cache/logs/$name.log
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  options=(
    -max_total_time="$seconds"
    -print_final_stats=1
    -timeout=10           # One input taking 10 s is a hang.
    -rss_limit_mb=2048    # As is memory growing past 2 GiB, or one malloc that large.
    -max_len=65536
    -artifact_prefix="$artifacts/"
  )
  [[ -f $root/tests/fuzz/$name.dict ]] && options+=(-dict="$root/tests/fuzz/$name.dict")
  echo "== $name: ${seconds}s (log: $log)"
  status=0
  "$binary" "${options[@]}" "$corpus" "$seeds" >"$log" 2>&1 || status=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  found=()
  for artifact in "$artifacts"/*; do
    [[ -f $artifact ]] || continue
    regression=$seeds/$(basename "$artifact")
    cp "$artifact" "$regression"
    found+=("${regression#"$root"/}")
  done
  if ((status != 0 && ${#found[@]} == 0)); then
    found+=("(exit status $status, no input saved: see the log)")
  fi
  if ((${#found[@]} > 0)); then
    crashed=1
    grep -E 'ERROR: |FUZZ_CHECK failed|SUMMARY' "$log" | head -5 | sed 's/^/   /'
    printf '   regression input: %s\n' "${found[@]}"
  fi
  rows+=("$(printf '%-22s %10s %12s %8s' "$name" "${per_second:-?}" "${runs:-?}" "${#found[@]}")")
done

echo
printf '%-22s %10s %12s %8s\n' target inputs/s inputs crashes
printf '%s\n' "${rows[@]}"
exit "$crashed"
