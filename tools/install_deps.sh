#!/usr/bin/env bash
# Installs what parsweep builds with, from Debian 12's packages: Bazel (bazel-bootstrap),
# the C++ toolchain, Abseil, Protocol Buffers, GoogleTest/gmock, Google Benchmark, rsvg-convert
# (PNG charts) and Open MPI (the mpi executor: its library, headers and mpirun).
# Idempotent: when everything is present it changes nothing and needs no network.
set -euo pipefail

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
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if (( ${#missing[@]} == 0 )); then
  echo "install_deps: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo=()
if (( EUID != 0 )); then
  command -v sudo >/dev/null || { echo "install_deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install_deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
  "${missing[@]}"
