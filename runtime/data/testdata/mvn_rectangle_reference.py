#!/usr/bin/python3
"""Writes mvn_rectangle_reference.csv: box probabilities P(lo <= X <= hi) of multivariate
normals, computed by scipy independently of parsweep's code, for mvn_rectangle_test and
the hypercube kernel's expected-density test.

Run from anywhere with the system Python (numpy and scipy, from tools/install_deps.sh):
    /usr/bin/python3 runtime/data/testdata/mvn_rectangle_reference.py
It takes a few minutes (the 3-D references are nested quadratures in Python).

Columns (vectors are ';'-separated, infinities are 'inf' and '-inf', numbers are Python's
repr, which reads back as the same double):
  name       what the case is for
  lo, hi     the box
  mean, cov  the normal (cov row by row)
  quad       the reference for d <= 3: nested scipy.integrate.quad by conditioning on one
             coordinate at a time, in the original coordinates (not Genz's transformation),
             each one-dimensional probability on the tail side where it keeps its digits;
             empty for d >= 4
  quad_check the same with the coordinates conditioned on in the opposite order: a
             second, differently computed value (the script checks they agree to 1e-11)
  exact      a closed form where one is known (orthants, independent coordinates), else
             empty
  scipy_cdf  scipy.stats.multivariate_normal.cdf(hi, mean, cov, lower_limit=lo) with
             abseps=1e-13, releps=1e-11 (Genz's Fortran MVNDST: a bivariate algorithm of
             absolute accuracy ~1e-15 in 2-D, a randomized lattice rule otherwise, so its
             last digits vary from run to run in 3-D and beyond)
  scipy_abseps  the absolute tolerance given to scipy (its error is relative to nothing:
             far in a tail scipy's value is noise, and may be negative)

The rows named hypercube/... are the hypercube kernel's windows: lo = x - 0.5 h and
hi = x + 0.5 h as the kernel computes them, for the sweeps in
kernels/parzen_hypercube/expected_density_test.cc.
"""

import csv
import math
import os
import sys

import numpy as np
import scipy
from scipy import integrate, special, stats

QUAD_RELATIVE = 1e-13


def interval(a, b):
    """P(a <= Z <= b), Z standard normal, without cancellation."""
    if not a < b:
        return 0.0
    if math.isfinite(a) and math.isfinite(b) and (b - a) * max(1.0, abs(a), abs(b)) < 1.0:
        # Narrow: integrate the density rather than subtract nearly equal numbers.
        return integrate.quad(
            lambda t: math.exp(-0.5 * t * t) / math.sqrt(2 * math.pi), a, b, epsabs=0, epsrel=2e-14
        )[0]
    if a >= 0:
        return special.ndtr(-a) - special.ndtr(-b)
    if b <= 0:
        return special.ndtr(b) - special.ndtr(a)
    return 1.0 - special.ndtr(a) - special.ndtr(-b)


def box(lo, hi, cov, order):
    """P(lo <= Y <= hi) for Y ~ N(0, cov), conditioning on coordinates in `order`."""
    d = len(lo)
    first = order[0]
    s = math.sqrt(cov[first][first])
    if d == 1:
        return interval(lo[0] / s, hi[0] / s)
    rest = [j for j in range(d) if j != first]
    # Y_rest | Y_first = y  ~  N(beta * y, cov_rest - c c^T / cov_ff).
    beta = [cov[j][first] / cov[first][first] for j in rest]
    cond = [[cov[i][j] - cov[i][first] * cov[j][first] / cov[first][first] for j in rest]
            for i in rest]
    inner_order = [rest.index(j) for j in order[1:]]

    def integrand(y):
        density = math.exp(-0.5 * (y / s) ** 2) / (s * math.sqrt(2 * math.pi))
        if density == 0.0:
            return 0.0
        return density * box([lo[j] - b * y for j, b in zip(rest, beta)],
                             [hi[j] - b * y for j, b in zip(rest, beta)], cond, inner_order)

    # Finite range: beyond 40 standard deviations the density is below every double.
    a = max(lo[first], -40 * s)
    b = min(hi[first], 40 * s)
    if not a < b:
        return 0.0
    # Break points where an inner limit meets its conditional mean, where the inner
    # probability turns from near 0 to near 1, so quad looks there.
    points = []
    for j, bj in zip(rest, beta):
        if bj != 0:
            for limit in (lo[j], hi[j]):
                if math.isfinite(limit) and a < limit / bj < b:
                    points.append(limit / bj)
    points += list(np.linspace(a, b, 9)[1:-1])
    value, _ = integrate.quad(integrand, a, b, points=sorted(set(points)), epsabs=0,
                              epsrel=QUAD_RELATIVE, limit=2000)
    return value


def reference(lo, hi, mean, cov):
    d = len(lo)
    lo0 = [l - m for l, m in zip(lo, mean)]
    hi0 = [h - m for h, m in zip(hi, mean)]
    marginal = [interval(lo0[j] / math.sqrt(cov[j][j]), hi0[j] / math.sqrt(cov[j][j]))
                for j in range(d)]
    order = sorted(range(d), key=lambda j: marginal[j])
    return box(lo0, hi0, cov, order), box(lo0, hi0, cov, order[::-1])


def scipy_cdf(lo, hi, mean, cov, abseps):
    d = len(lo)
    return stats.multivariate_normal.cdf(hi, mean, cov, lower_limit=lo, abseps=abseps,
                                         releps=1e-11, maxpts=2000000 * d)


def equicorrelated(d, rho):
    return [[1.0 if i == j else rho for j in range(d)] for i in range(d)]


INF = math.inf

# (name, lo, hi, mean, cov, exact or None)
CASES = [
    # 2-D
    ("2d/rho0.5/unit_box", [-1, -1], [1, 1], [0, 0], [[1, .5], [.5, 1]], None),
    ("2d/rho0.9/half_box", [-.5, -.5], [.5, .5], [0, 0], [[1, .9], [.9, 1]], None),
    ("2d/rho-0.9/offset_box", [-.5, 0], [.5, 1], [0, 0], [[1, -.9], [-.9, 1]], None),
    ("2d/rho0.99/unit_box", [-1, -1], [1, 1], [0, 0], [[1, .99], [.99, 1]], None),
    ("2d/rho-0.99/unit_box", [-1, -1], [1, 1], [0, 0], [[1, -.99], [-.99, 1]], None),
    ("2d/rho0.99/against_the_correlation", [.5, -1.5], [1.5, -.5], [0, 0],
     [[1, .99], [.99, 1]], None),
    ("2d/rho0.5/tiny_box_1e-3", [.9995, -.0005], [1.0005, .0005], [0, 0], [[1, .5], [.5, 1]],
     None),
    ("2d/rho0.99/tiny_box_2e-6", [-1e-6, -1e-6], [1e-6, 1e-6], [0, 0], [[1, .99], [.99, 1]],
     None),
    ("2d/rho0.9/wide_box", [-20, -20], [20, 20], [0, 0], [[1, .9], [.9, 1]], None),
    ("2d/rho0.9/tail_5_6", [5, 5], [6, 6], [0, 0], [[1, .9], [.9, 1]], None),
    ("2d/rho0.9/tail_against_1e-113", [5, -6], [6, -5], [0, 0], [[1, .9], [.9, 1]], None),
    ("2d/rho0.99/tail_8_9", [8, 8], [9, 9], [0, 0], [[1, .99], [.99, 1]], None),
    ("2d/rho0.5/orthant", [-INF, -INF], [0, 0], [0, 0], [[1, .5], [.5, 1]],
     0.25 + math.asin(0.5) / (2 * math.pi)),
    ("2d/rho0.99/upper_orthant_3", [3, 3], [INF, INF], [0, 0], [[1, .99], [.99, 1]], None),
    ("2d/rho-0.9/half_infinite", [-INF, 1], [0, INF], [0, 0], [[1, -.9], [-.9, 1]], None),
    ("2d/rho0.9/one_unbounded_coordinate", [-INF, -1], [INF, 2], [0, 0], [[1, .9], [.9, 1]],
     None),
    ("2d/mean_and_scales", [0, -3], [2, -1], [1, -2], [[2, .6], [.6, .5]], None),
    ("2d/diagonal", [-1, 1], [1, 3], [0, 1], [[1, 0], [0, 4]],
     (special.ndtr(1) - special.ndtr(-1)) * (special.ndtr(1) - special.ndtr(0))),
    ("2d/rho0.5/far", [6.75, -7.25], [7.25, -6.75], [0, 0], [[1, .5], [.5, 1]], None),
    # 3-D
    ("3d/mixed/half_cube", [-.5] * 3, [.5] * 3, [0] * 3,
     [[1, .5, .3], [.5, 1, .6], [.3, .6, 1]], None),
    ("3d/rho0.99/unit_cube", [-1] * 3, [1] * 3, [0] * 3,
     [[1, .99, .98], [.99, 1, .99], [.98, .99, 1]], None),
    ("3d/negative/unit_cube", [-1] * 3, [1] * 3, [0] * 3,
     [[1, -.9, .3], [-.9, 1, -.2], [.3, -.2, 1]], None),
    ("3d/rho0.9/tail_4_5", [4] * 3, [5] * 3, [0] * 3, equicorrelated(3, .9), None),
    ("3d/rho0.5/orthant", [-INF] * 3, [0] * 3, [0] * 3, equicorrelated(3, .5), 0.25),
    ("3d/rho0.5/tiny_cube_1e-3", [-.0005, .4995, -.0005], [.0005, .5005, .0005], [0] * 3,
     equicorrelated(3, .5), None),
    ("3d/infinite_limits", [3, -INF, 1], [INF, -3, 2], [0] * 3,
     [[1, -.9, .3], [-.9, 1, -.2], [.3, -.2, 1]], None),
    ("3d/rho0.5/far", [4.5] * 3, [5] * 3, [0] * 3, equicorrelated(3, .5), None),
    ("3d/diagonal", [-1, 0, 2], [1, 1, 3], [0, 0, 1], [[1, 0, 0], [0, 2, 0], [0, 0, .5]],
     (special.ndtr(1) - special.ndtr(-1)) * (special.ndtr(1 / math.sqrt(2)) - 0.5)
     * (special.ndtr(2 / math.sqrt(.5)) - special.ndtr(1 / math.sqrt(.5)))),
    ("3d/one_unbounded_coordinate", [-1, -INF, -1], [1, INF, 1], [0] * 3,
     [[1, .7, .5], [.7, 1, .6], [.5, .6, 1]], None),
    # 4-D and 5-D: the lattice rule. Equicorrelated 1/2 orthants have P = 1 / (d + 1).
    ("4d/rho0.5/orthant", [-INF] * 4, [0] * 4, [0] * 4, equicorrelated(4, .5), 0.2),
    ("5d/rho0.5/orthant", [-INF] * 5, [0] * 5, [0] * 5, equicorrelated(5, .5), 1 / 6),
    ("4d/mixed/box", [-1, -.5, 0, -2], [1, 1.5, 1, 0], [0, 0, 0, 0],
     [[1, .5, .3, .1], [.5, 1, .4, .2], [.3, .4, 1, .5], [.1, .2, .5, 1]], None),
]


def hypercube_cases():
    """The hypercube kernel's windows for the sweeps of expected_density_test.cc."""
    sweeps = [
        # The tool's --cov=1,0.5,0.5,1 with its default point and widths.
        ("2d_rho0.5_origin", [0.0, 0.0], [[1, .5], [.5, 1]], [i / 10 for i in range(1, 13)]),
        # Far from the mean: expected densities near 1e-30.
        ("2d_rho0.5_far", [6.0, -6.0], [[1, .5], [.5, 1]], [0.5, 1.0]),
        ("3d_mixed", [0.3, -0.2, 0.5], [[1, .5, .3], [.5, 1, .6], [.3, .6, 1]],
         [0.25, 0.5, 1.0]),
    ]
    cases = []
    for name, point, cov, widths in sweeps:
        for h in widths:
            lo = [x - 0.5 * h for x in point]
            hi = [x + 0.5 * h for x in point]
            cases.append((f"hypercube/{name}/{h!r}", lo, hi, [0.0] * len(point), cov, None))
    return cases


def text(v):
    return ";".join(repr(float(x)) for x in np.ravel(v))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mvn_rectangle_reference.csv")
    rows = []
    for name, lo, hi, mean, cov, exact in CASES + hypercube_cases():
        lo = [float(x) for x in lo]
        hi = [float(x) for x in hi]
        d = len(lo)
        quad = quad_check = ""
        if d <= 3:
            quad, quad_check = reference(lo, hi, mean, cov)
            if abs(quad - quad_check) > 1e-11 * abs(quad):
                sys.exit(f"{name}: the two quadrature orders disagree: {quad!r} {quad_check!r}")
            if exact is not None and abs(quad - exact) > 1e-12 * exact:
                sys.exit(f"{name}: quadrature {quad!r} differs from the closed form {exact!r}")
        abseps = 1e-13 if d <= 3 else 1e-9
        cdf = scipy_cdf(lo, hi, mean, cov, abseps)
        rows.append([name, text(lo), text(hi), text(mean), text(cov),
                     repr(quad) if quad != "" else "",
                     repr(quad_check) if quad_check != "" else "",
                     repr(float(exact)) if exact is not None else "",
                     repr(float(cdf)), repr(abseps)])
        print(name, rows[-1][5:], flush=True)
    with open(out, "w", newline="") as f:
        f.write(f"# Made by mvn_rectangle_reference.py (scipy {scipy.__version__}, "
                f"numpy {np.__version__}); see its docstring for the columns.\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "lo", "hi", "mean", "cov", "quad", "quad_check", "exact",
                         "scipy_cdf", "scipy_abseps"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
