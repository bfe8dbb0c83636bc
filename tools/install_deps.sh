#!/usr/bin/env bash
# Installs what parsweep builds and checks with, from Debian 12's packages: Bazel
# (bazel-bootstrap), the C++ toolchain, Abseil, Protocol Buffers, GoogleTest/gmock, Google
# Benchmark, rsvg-convert (PNG charts), Open MPI (the mpi executor: its library, headers and
# mpirun); for fuzzing (tests/fuzz/run_fuzzers.sh): clang 14, its libFuzzer and sanitizer
# runtimes (libclang-rt-14-dev) and llvm-symbolizer (llvm-14, for readable crash stacks);
# numpy, scipy and scikit-learn (the tests' independent references: log-sum-exp sums,
# multivariate normal probabilities, bandwidth rules); and for CI (.ci/run): Debian's
# python3 (.ci/count_results.py), git, clang-format, and
# buildifier, pinned, from npm (with nodejs/npm from Debian when npm is missing), installed
# outside the repository under ${XDG_CACHE_HOME:-$HOME/.cache}/parsweep/.
# Idempotent: when everything is present it changes nothing and needs no network.
set -euo pipefail

# .ci/lib.sh reads these two lines (the pin and the place), so keep their form.
BUILDIFIER_VERSION=8.2.1
BUILDIFIER_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/parsweep/buildifier-$BUILDIFIER_VERSION"

packages=(
  bazel-bootstrap
  bazel-rules-java
  g++
  pkg-config
  libabsl-dev
  libprotobuf-dev
  protobuf-compiler
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  librsvg2-bin
  libopenmpi-dev
  openmpi-bin
  clang-14
  libclang-rt-14-dev
  llvm-14
  python3
  python3-numpy
  python3-scipy
  python3-sklearn
  git
  clang-format
)

installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]]
}

sudo=()
as_root() {
  if (( EUID != 0 )) && (( ${#sudo[@]} == 0 )); then
    command -v sudo >/dev/null || { echo "install_deps: run as root or install sudo" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" "$@"
}

apt_updated=false
apt_install() {
  echo "install_deps: installing $*"
  if [[ $apt_updated == false ]]; then
    as_root apt-get update -qq
    apt_updated=true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if (( ${#missing[@]} == 0 )); then
  echo "install_deps: all ${#packages[@]} packages are installed"
else
  apt_install "${missing[@]}"
fi

# buildifier: the npm package carries the native binaries; keep the one for this machine.
is_pinned_buildifier() {  # buildifier --version prints "buildifier version: 8.2.1 ".
  [[ -x "$1" && "$("$1" --version 2>/dev/null)" == *"version: $BUILDIFIER_VERSION"[[:space:]]* ]]
}
if is_pinned_buildifier "$BUILDIFIER_HOME/buildifier"; then
  echo "install_deps: buildifier $BUILDIFIER_VERSION is installed"
else
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "install_deps: no buildifier binary for $(uname -m)" >&2; exit 1 ;;
  esac
  # npm may come with nodejs itself (NodeSource's package) or as Debian's separate package.
  if ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  echo "install_deps: installing buildifier $BUILDIFIER_VERSION from npm into $BUILDIFIER_HOME"
  mkdir -p "$(dirname "$BUILDIFIER_HOME")"
  staging=$(mktemp -d "$(dirname "$BUILDIFIER_HOME")/.buildifier.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  npm install --prefix "$staging" --no-audit --no-fund --no-save --loglevel=error \
    "@bazel/buildifier@$BUILDIFIER_VERSION"
  binary="$staging/node_modules/@bazel/buildifier/buildifier-linux_$arch"
  [[ -f "$binary" ]] || { echo "install_deps: $binary is missing from the npm package" >&2; exit 1; }
  mkdir -p "$staging/out"
  cp "$binary" "$staging/out/buildifier"
  chmod 755 "$staging/out/buildifier"
  is_pinned_buildifier "$staging/out/buildifier" \
    || { echo "install_deps: the installed buildifier is not version $BUILDIFIER_VERSION" >&2; exit 1; }
  rm -rf "$BUILDIFIER_HOME"
  mv "$staging/out" "$BUILDIFIER_HOME"
  echo "install_deps: buildifier $BUILDIFIER_VERSION installed at $BUILDIFIER_HOME/buildifier"
fi
