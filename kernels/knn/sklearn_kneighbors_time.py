"""Times scikit-learn's NearestNeighbors.kneighbors on knn_benchmark.cc's shape, to put
beside it: n = 10^6 samples of the 2-D standard normal, the same 4 points, 50 values of k
(1..50, or 2, 4, ..., 100), densities k / (n pi r_k^2) from the k_max nearest distances.

Usage: /usr/bin/python3 kernels/knn/sklearn_kneighbors_time.py [--repetitions 3]

Prints, per algorithm (brute, and the default, which is a k-d tree in 2-D) and spread, the
median over the repetitions of the fit (index build) and of kneighbors + the densities, in
ms. The benchmark's figure compares with the query alone (parsweep builds no index) and
with fit + query (what a single sweep pays).
"""
import argparse
import math
import statistics
import time

import numpy as np
from sklearn.neighbors import NearestNeighbors

POINTS = np.array([[0, 0], [0.5, -0.5], [1, 1], [-2, 0.3]], dtype=float)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    samples = np.random.default_rng(123).standard_normal((args.n, 2))
    for algorithm in ("brute", "auto"):
        for step in (1, 2):
            ks = np.arange(1, 51) * step
            fits, queries = [], []
            for _ in range(args.repetitions + 1):  # The first is a warm-up.
                start = time.perf_counter()
                model = NearestNeighbors(algorithm=algorithm).fit(samples)
                fitted = time.perf_counter()
                distances, _ = model.kneighbors(POINTS, n_neighbors=int(ks[-1]))
                radii = distances[:, ks - 1]
                densities = ks / (args.n * math.pi * radii**2)
                done = time.perf_counter()
                fits.append((fitted - start) * 1e3)
                queries.append((done - fitted) * 1e3)
            assert densities.shape == (len(POINTS), 50)
            print(f"sklearn {algorithm:5s} ({model._fit_method}) k={ks[0]}..{ks[-1]}: "
                  f"fit {statistics.median(fits[1:]):.2f} ms, "
                  f"kneighbors+densities {statistics.median(queries[1:]):.2f} ms "
                  f"(median of {args.repetitions})")


if __name__ == "__main__":
    main()
