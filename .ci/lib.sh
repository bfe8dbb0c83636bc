# Shared by .ci/run and .ci/format (sourced, from the repository root): which files the
# format and lint checks cover, and where buildifier lives.

# buildifier from npm (@bazel/buildifier ships the native binaries), pinned and installed
# outside the repository by tools/install_deps.sh, which holds the version and the place.
# BUILDIFIER in the environment overrides it.
eval "$(grep -E '^BUILDIFIER_(VERSION|HOME)=' tools/install_deps.sh)"
BUILDIFIER="${BUILDIFIER:-$BUILDIFIER_HOME/buildifier}"

# buildifier's default lint warnings, less the native-* rule-loading ones: buildifier 8 asks
# for cc_*, proto_*, sh_*, py_* and java_* rules to be loaded from @rules_cc, @rules_shell,
# @rules_proto, ... because Bazel 8 drops them as globals. Under Bazel 4.2.3 they are the
# built-in rules, the repositories buildifier names do not exist offline (Debian's rules_cc
# is too new for 4.2.3; //third_party/rules_cc is a shim forwarding to native), so those
# warnings cannot apply. native-build and native-package (misuse of `native.` in BUILD files
# and .bzl files) stay on. buildifier ignores unknown names silently: keep these spelled right.
BUILDIFIER_DISABLED_WARNINGS=(
  native-android
  native-cc-binary native-cc-common native-cc-debug-package-info native-cc-fdo-prefetch-hints
  native-cc-fdo-profile native-cc-import native-cc-info native-cc-library
  native-cc-memprof-profile native-cc-objc-import native-cc-objc-library
  native-cc-propeller-optimize native-cc-proto native-cc-shared-library
  native-cc-shared-library-hint-info native-cc-shared-library-info native-cc-test
  native-cc-toolchain native-cc-toolchain-suite
  native-java-binary native-java-common native-java-import native-java-info
  native-java-library native-java-lite-proto native-java-package-config native-java-plugin
  native-java-plugin-info native-java-proto native-java-runtime native-java-test
  native-java-toolchain
  native-proto native-proto-common native-proto-info native-proto-lang-toolchain
  native-proto-lang-toolchain-info
  native-py
  native-sh-binary native-sh-library native-sh-test
)
buildifier_warnings() {
  local IFS=,
  echo "${BUILDIFIER_DISABLED_WARNINGS[*]/#/-}"
}

# The repository's files, NUL-separated: tracked ones (all a clean clone has) and, in a work
# tree, new files not yet added and not ignored; files deleted from the work tree are left out.
repo_files() {
  local file
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard
  else
    find . -path ./.git -prune -o -path './bazel-*' -prune -o -type f -printf '%P\0'
  fi | sort -zu | while IFS= read -r -d '' file; do
    [[ -f "$file" ]] && printf '%s\0' "$file"
  done
}

# C++ sources and headers.
cpp_files() {
  repo_files | grep -zE '\.(cc|h)$'
}

# BUILD, WORKSPACE and .bzl files, and the self-test's BUILD.fixture.
bazel_files() {
  repo_files | grep -zE '(^|/)(BUILD(\.bazel|\.fixture)?|WORKSPACE(\.bazel)?)$|\.bzl$'
}
