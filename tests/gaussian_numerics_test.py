#!/usr/bin/python3
"""The Gaussian kernel at the numerical edges, through the sweep tool, against numpy/scipy.

Each case writes samples with numpy, runs the tool (the first argument) with --format=json,
and compares its density and log_density with an independent reference: the log-sum-exp of
-|x - s_i|^2 / (2 h^2) by scipy.special.logsumexp, less log(n (2 pi)^(d/2) h^d).

Tolerance, derived: each side computes the exponents E_i with at most 4 roundings of their
size (r^2's sum of d squares, the division by 2 h^2 or its two factors, the shift by the
nearest sample) and the normalisation's logs with at most 4 of theirs; log-sum-exp of
shifted terms adds a few u. So the logs agree within 16 u (|E|max + |log norm| + 1) with
u = 2^-53, and the densities within that relative (exp's condition number is 1).

Run by Bazel (tests/BUILD) with Debian's python3, numpy and scipy (tools/install_deps.sh);
writes a JUnit XML of its cases to $XML_OUTPUT_FILE so every case is counted.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

import numpy as np
from scipy.special import logsumexp

TOOL = None
U = 2.0**-53


def reference(samples, point, h):
    """(log density, the size of the terms for the tolerance), in float64 by scipy."""
    n, d = samples.shape
    r2 = np.sum((samples - point) ** 2, axis=1)
    exponents = -r2 / (2.0 * h * h) if 2.0 * h * h > 2.3e-308 else -(r2 / h) / (2.0 * h)
    log_norm = -0.5 * d * math.log(2 * math.pi) - d * math.log(h) - math.log(n)
    size = float(np.max(np.abs(exponents))) + abs(log_norm) + 1.0
    return float(logsumexp(exponents)) + log_norm, size


def run_tool(samples, points, widths, extra=()):
    with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as tmp:
        data = os.path.join(tmp, "samples.npy")
        where = os.path.join(tmp, "points.npy")
        np.save(data, samples)
        np.save(where, np.atleast_2d(points))
        args = [TOOL, "--kernel=parzen_gaussian", "--data=" + data, "--points=" + where,
                "--widths=" + ",".join(repr(w) for w in widths), "--format=json", *extra]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {done.returncode}: {done.stderr}")
        return json.loads(done.stdout)["results"]


class GaussianNumericsTest(unittest.TestCase):

    def check(self, samples, point, widths, extra=()):
        results = run_tool(samples, point, widths, extra)
        self.assertEqual(len(results), len(widths))
        for result, h in zip(results, widths):
            want, size = reference(samples, np.asarray(point, dtype=float), h)
            tolerance = 16 * U * size
            got = float(result["log_density"])
            self.assertLessEqual(abs(got - want), tolerance, f"h = {h}: log {got} vs {want}")
            density = float(result.get("density", 0.0))
            if want > math.log(2.3e-308) and want < math.log(1.7e308):
                expected = math.exp(want)
                self.assertLessEqual(abs(density - expected), 2 * tolerance * expected,
                                     f"h = {h}: density {density} vs {expected}")
        return results

    # The case: 20-D, h = 1e-3, a point 0.039 from its nearest sample. Every term
    # underflows (e^-760 and below), the density, 4e-275, does not; it used to print 0.
    def test_no_underflow_where_the_density_is_a_double(self):
        rng = np.random.default_rng(20)
        samples = rng.standard_normal((500, 20))
        point = samples[0].copy()
        point[0] += 0.039
        results = self.check(samples, point, [1e-3])
        self.assertGreater(float(results[0]["density"]), 0.0)
        self.assertLess(float(results[0]["density"]), 1e-270)

    # Below the double range the log stays exact: h = 1e-4 gives e^-7600.
    def test_log_density_below_the_double_range(self):
        rng = np.random.default_rng(5)
        samples = rng.standard_normal((300, 3))
        point = samples[7] + np.array([0.039, 0.0, 0.0])
        results = self.check(samples, point, [1e-4, 3e-4])
        self.assertEqual(float(results[0].get("density", 0.0)), 0.0)
        self.assertLess(float(results[0]["log_density"]), -7000)

    # Widths whose 2 h^2 underflows (down to the smallest normal double) or overflows: the
    # exponent is still -r^2 / (2 h^2). The old clamp of 2 h^2 at DBL_MIN was wrong below
    # h = 1.5e-154.
    def test_every_normal_width(self):
        samples = np.array([[0.0], [3e-308], [1e-307], [2.5e-307]])
        self.check(samples, [1.2e-307], [2.3e-308, 1e-307, 1e-200])
        # (Distances stay below 1.3e154, so that r^2 is a double; docs/NUMERICS.md.)
        spread = np.array([[-1e150], [0.0], [5e149], [1e150]])
        self.check(spread, [1e149], [1e130, 1e150, 1e200, 1e300])

    # Many samples in many blocks (the kernel's fixed blocks of 4096), split across
    # workers: the same bits as serial, and right.
    def test_blocks_and_splits(self):
        rng = np.random.default_rng(11)
        samples = rng.standard_normal((3 * 4096 + 77, 2)) * [1.0, 0.5]
        serial = self.check(samples, [0.2, -0.1], [0.01, 0.1, 0.5, 2.0])
        for executor in (["--executor=threads", "--workers=2", "--split=samples"],
                         ["--executor=process", "--workers=2", "--split=samples",
                          "--chunk=4096"]):
            self.assertEqual(run_tool(samples, [0.2, -0.1], [0.01, 0.1, 0.5, 2.0], executor),
                             serial, executor)


def main():
    global TOOL
    TOOL = sys.argv.pop(1)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(GaussianNumericsTest)
    ids = [test.id() for test in suite]  # The runner empties the suite as it goes.
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    xml_path = os.environ.get("XML_OUTPUT_FILE")
    if xml_path:
        failed = {test.id(): text for test, text in result.failures + result.errors}
        suites = ET.Element("testsuites")
        cases = ET.SubElement(suites, "testsuite", name="GaussianNumericsTest",
                              tests=str(result.testsRun), failures=str(len(failed)))
        for test_id in ids:
            case = ET.SubElement(cases, "testcase", name=test_id.split(".")[-1],
                                 classname="GaussianNumericsTest")
            if test_id in failed:
                ET.SubElement(case, "failure", message="failed").text = failed[test_id]
        ET.ElementTree(suites).write(xml_path, encoding="utf-8", xml_declaration=True)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
