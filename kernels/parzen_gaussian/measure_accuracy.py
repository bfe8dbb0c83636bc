#!/usr/bin/python3
"""Measures the Gaussian kernel's relative error against a long double reference.

Usage: measure_accuracy.py SWEEP_TOOL [SWEEP_TOOL ...]
  (e.g. bazel-bin/tools/sweep, and the same tool built from an older commit)

For n = 10^3 ... 10^6 samples of a 2-D standard normal, a point (0.3, -0.2) and widths
0.02 ... 2, runs each tool and compares its density with sum_i exp(-r_i^2 / (2 h^2)) in
numpy's long double (64-bit mantissa; r^2 is computed in double in the tool's order, so the
reference measures the summation and the exps, not the data's rounding). Prints the largest
and the median relative error per tool. docs/NUMERICS.md quotes its output.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

WIDTHS = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]


def densities(tool, samples, point, tmp):
    data, where = os.path.join(tmp, "s.npy"), os.path.join(tmp, "p.npy")
    np.save(data, samples)
    np.save(where, point[None, :])
    out = subprocess.run([tool, "--kernel=parzen_gaussian", "--data=" + data, "--points=" + where,
                          "--widths=" + ",".join(map(repr, WIDTHS)), "--format=json"],
                         capture_output=True, text=True, check=True).stdout
    return [float(r.get("density", 0.0)) for r in json.loads(out)["results"]]


def main(tools):
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 4096, 100000, 1000000):
            samples = np.random.default_rng(n).standard_normal((n, 2))
            point = np.array([0.3, -0.2])
            d0, d1 = point[0] - samples[:, 0], point[1] - samples[:, 1]
            r2 = (d0 * d0 + d1 * d1).astype(np.longdouble)
            line = [f"n = {n:>7}:"]
            for tool in tools:
                errors = []
                for h, got in zip(WIDTHS, densities(tool, samples, point, tmp)):
                    h = np.longdouble(h)
                    want = np.sum(np.exp(-r2 / (2 * h * h))) / (2 * np.pi * h * h) / n
                    errors.append(float(abs(np.longdouble(got) - want) / want))
                line.append(f"max {max(errors):.2e} median {np.median(errors):.2e} |")
            print(" ".join(line))


if __name__ == "__main__":
    main(sys.argv[1:])
