"""Compiler options and plugin macros shared by every parsweep package."""

PARSWEEP_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    # No a * b + c is fused unless the code asks for it (an explicit fma): GCC's default for
    # C++ contracts freely wherever the target has FMA, so a function compiled for AVX2 + FMA
    # would round differently from its portable twin, and answers would depend on the CPU.
    "-ffp-contract=off",
]

def parsweep_cc_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = PARSWEEP_COPTS + copts, **kwargs)

def parsweep_cc_test(name, copts = [], deps = [], size = "small", worker_main = False, **kwargs):
    """A GoogleTest binary.

    worker_main: the binary's main() first checks whether it was started as a worker
    process (see runtime/process/worker_entry.h); needed by tests of executors that exec the
    running binary.
    """
    main = ["//runtime/process:worker_test_main", "@system//:gmock"] if worker_main else ["@system//:gtest_main"]
    native.cc_test(
        name = name,
        size = size,
        copts = PARSWEEP_COPTS + copts,
        deps = deps + main,
        **kwargs
    )

def parsweep_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = PARSWEEP_COPTS + copts, **kwargs)

def parsweep_plugin(name, copts = [], **kwargs):
    """A kernel or executor: a library whose static registrar must survive linking.

    Nothing references a plugin's symbols directly (it is found by name at run time), so
    without alwayslink the linker would drop its object file and the registration with it.
    """
    native.cc_library(name = name, copts = PARSWEEP_COPTS + copts, alwayslink = True, **kwargs)
