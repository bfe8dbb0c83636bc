"""parsweep_fuzz_target: a libFuzzer target and the test that replays its corpus.

A target is one file, `<name>.cc`, defining LLVMFuzzerTestOneInput (it checks invariants
with FUZZ_CHECK from fuzz_check.h), plus one line in BUILD:

    parsweep_fuzz_target(name = "csv_reader_fuzz", deps = ["//runtime/data:csv_reader"])

and its seed corpus, the files under `corpus/<name>/`. The macro makes:
- `<name>`: the fuzzer binary, linked with -fsanitize=fuzzer. Tagged manual, so the normal
  GCC build never builds it; tests/fuzz/run_fuzzers.sh builds it with clang.
- `<name>_replay`: a cc_test, built by the normal build (and --config=asan), that feeds
  every corpus file to LLVMFuzzerTestOneInput, so `bazel test //...` replays the corpus,
  crash regressions included.
- `<name>.dict`, if the file exists, is a libFuzzer dictionary the script passes along.
"""

load("//:copts.bzl", "PARSWEEP_COPTS")

def parsweep_fuzz_target(name, deps = []):
    srcs = [name + ".cc"]
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        copts = PARSWEEP_COPTS,
        linkopts = ["-fsanitize=fuzzer"],
        tags = [
            "fuzz_target",
            "manual",
        ],
        deps = deps + [":fuzz_support"],
    )
    native.cc_test(
        name = name + "_replay",
        size = "small",
        srcs = srcs,
        args = ["%s/corpus/%s" % (native.package_name(), name)],
        copts = PARSWEEP_COPTS,
        data = native.glob(["corpus/%s/**" % name]),
        deps = deps + [
            ":fuzz_support",
            ":fuzz_replay_main",
        ],
    )
