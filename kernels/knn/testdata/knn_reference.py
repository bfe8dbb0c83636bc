"""The knn kernel's reference: brute-force k-nearest-neighbour densities with numpy.

Usage: knn_reference.py OUTDIR

For each case (1-D, 2-D and 5-D samples rounded to two decimals in 1-D, one otherwise, so that many distances tie,
with three copies of one point, so that r_k = 0 there for k <= 3) writes OUTDIR/CASE_samples.npy
and OUTDIR/CASE_points.npy, and prints one line per estimate:

  density CASE POINT K DENSITY LOG_DENSITY   (at the points, from all n samples)
  heldout CASE ROW K DENSITY LOG_DENSITY     (at sample ROW, from the other n - 1)

with every number as Python's repr, which reads back as the same double. Every distance is
computed and sorted (ties count one by one); the squared distance is summed over the
coordinates in order and the unit ball's volume is taken by the recurrence
V_d = V_{d-2} 2 pi / d, the operations the kernel does, so that the test can ask for the same
bits.
"""
import math
import os
import sys

import numpy as np

N = 200
KS = [1, 2, 3, 4, 5, 7, 10, 20, 50, 200]
HELD_OUT_KS = [1, 2, 3, 4, 5, 7, 10, 20, 50, 199]
HELD_OUT_ROWS = [0, 5, N - 1]


def unit_ball_volume(d):
    volume = 1.0 if d % 2 == 0 else 2.0
    for j in range(2 if d % 2 == 0 else 3, d + 1, 2):
        volume = volume * (2 * math.pi) / j
    return volume


def sorted_squared(samples, x):
    squared = np.zeros(samples.shape[0])
    for j in range(samples.shape[1]):
        diff = x[j] - samples[:, j]
        squared = squared + diff * diff
    return np.sort(squared)


def density(k, m, d, squared):
    if squared == 0:
        return math.inf, math.inf
    volume = unit_ball_volume(d)
    value = k / (float(m) * volume * math.pow(math.sqrt(squared), float(d)))
    log = math.log(k) - math.log(m) - math.log(volume) - float(d) * 0.5 * math.log(squared)
    return value, log


def main():
    out = sys.argv[1]
    for d in (1, 2, 5):
        case = f"d{d}"
        rng = np.random.default_rng(20 + d)
        samples = np.round(rng.normal(size=(N - 3, d)), 2 if d == 1 else 1)
        twin = np.full(d, 0.5)
        samples = np.vstack([samples, twin, twin, twin])  # Rows N-3..N-1: r_k = 0 for k <= 3.
        points = np.vstack([
            twin,
            np.zeros(d),
            np.full(d, 5.0),  # Outside the data.
            samples[7],
            rng.normal(size=(3, d)),
        ])
        np.save(os.path.join(out, f"{case}_samples.npy"), samples)
        np.save(os.path.join(out, f"{case}_points.npy"), points)
        for p, x in enumerate(points):
            squared = sorted_squared(samples, x)
            for k in KS:
                value, log = density(k, N, d, float(squared[k - 1]))
                print("density", case, p, k, repr(value), repr(log))
        for row in HELD_OUT_ROWS:
            squared = sorted_squared(samples, samples[row])
            assert squared[0] == 0
            others = squared[1:]  # One zero, the row's own sample, dropped.
            for k in HELD_OUT_KS:
                value, log = density(k, N - 1, d, float(others[k - 1]))
                print("heldout", case, row, k, repr(value), repr(log))


if __name__ == "__main__":
    main()
