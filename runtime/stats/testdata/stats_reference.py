"""Independent references for runtime/stats' tests, computed with numpy and scipy.

The C++ tests run this script at test time with /usr/bin/python3 (numpy and scipy come
from tools/install_deps.sh) and compare what parsweep computes with what it prints. It
shares no code with parsweep: the data are made here, written as .npy files the C++ side
reads, and the references follow the published definitions (scipy's gaussian_kde, R's
bw.nrd0, leave-one-out likelihood by brute force over every pair of samples).

Commands, several in one run when separated by "--" (python and scipy start once); each
prints one result per line, floats as repr(), which reads back exactly:
  normal OUT.npy N SEED [sorted]   N draws of N(0, 1) from numpy's default_rng(SEED),
                                   as an N x 1 array, sorted if asked
  columns OUT.npy N SEED S1,S2,..  N draws of independent normals with sds S1, S2, ...
  quantiles OUT.npy N OUTLIER      norm.ppf((i + 0.5) / N) for i < N, then one sample at
                                   OUTLIER (a number, or max+6: 6 beyond the largest)
  values OUT.npy V1,V2,...         exactly these values, as an N x 1 array
  rules DATA.npy...                for each file, lines "FILE NAME VALUE": of the first
                                   column x, sum (np.sum), std (x.std(ddof=1)), neff
                                   (gaussian_kde's); for 1-D data scott and silverman
                                   (gaussian_kde(x).factor * x.std(ddof=1)) and nrd0 (R's
                                   bw.nrd0 formula in numpy); for d-D data scott_volume and
                                   silverman_volume (det(gaussian_kde covariance)^(1/2d))
                                   and nrd0 (parsweep's d-D convention, in numpy)
  loo DATA.npy KERNEL W1,W2,.. [ROWS]
                                   for each width: width, mean held-out log density, its
                                   standard error (sd ddof=1 / sqrt(K); nan if -inf), and
                                   the number of held-out samples whose density is 0; over
                                   the rows ROWS (comma-separated) or every row. KERNEL:
                                   parzen_hypercube (counts |x - s|_max <= h/2) or
                                   parzen_gaussian (log-sum-exp of the Gaussian kernel)
"""

import sys

import numpy as np


def save(path, values):
    np.save(path, np.ascontiguousarray(values, dtype=np.float64))


def nrd0_spread(x):
    """R's bw.nrd0's lo: min(sd, IQR / 1.34), or where that is 0, sd, |x[1]| or 1."""
    hi = x.std(ddof=1)
    # numpy's default percentile (method="linear") is R's default quantile type 7.
    iqr = np.percentile(x, 75) - np.percentile(x, 25)
    lo = min(hi, iqr / 1.34)
    if not lo:
        lo = hi or abs(x[0]) or 1.0
    return lo


def nrd0(x):
    """R's bw.nrd0: 0.9 * lo * n^(-1/5)."""
    return 0.9 * nrd0_spread(x) * len(x) ** -0.2


def held_out_log_densities(data, kernel, widths, rows):
    """For each width h, log p_{-i}(x_i) for i in rows, from the other n - 1 samples."""
    n, d = data.shape
    diff = data[rows, None, :] - data[None, :, :]
    if kernel == "parzen_hypercube":
        distance = np.abs(diff).max(axis=2)  # The window test: max_j |x_j - s_j| <= h/2.
        for h in widths:
            inside = (distance <= 0.5 * h).sum(axis=1) - 1
            with np.errstate(divide="ignore"):
                yield np.log(inside / ((n - 1) * h**d))
    elif kernel == "parzen_gaussian":
        from scipy import special
        squares = (diff**2).sum(axis=2)
        for h in widths:
            exponents = -squares / (2 * h * h)
            exponents[np.arange(len(rows)), rows] = -np.inf  # Leave the sample itself out.
            yield (special.logsumexp(exponents, axis=1) - np.log(n - 1)
                   - d * np.log(h) - 0.5 * d * np.log(2 * np.pi))
    else:
        raise SystemExit(f"unknown kernel {kernel}")


def run(args):
    command = args[0]
    if command == "normal":
        x = np.random.default_rng(int(args[3])).normal(size=int(args[2]))
        if len(args) > 4 and args[4] == "sorted":
            x = np.sort(x)
        save(args[1], x[:, None])
    elif command == "columns":
        sds = [float(s) for s in args[4].split(",")]
        rng = np.random.default_rng(int(args[3]))
        save(args[1], rng.normal(size=(int(args[2]), len(sds))) * np.array(sds))
    elif command == "quantiles":
        from scipy import stats
        n = int(args[2])
        x = stats.norm.ppf((np.arange(n) + 0.5) / n)
        outlier = x.max() + 6 if args[3] == "max+6" else float(args[3])
        save(args[1], np.append(x, outlier)[:, None])
    elif command == "values":
        save(args[1], np.array([float(v) for v in args[2].split(",")])[:, None])
    elif command == "rules":
        from scipy import stats
        for path in args[1:]:
            data = np.load(path)
            n, d = data.shape
            x = data[:, 0]
            results = {"sum": np.sum(x), "std": x.std(ddof=1)}
            try:
                kde = {m: stats.gaussian_kde(data.T, bw_method=m) for m in ("scott", "silverman")}
                results["neff"] = kde["scott"].neff
            except np.linalg.LinAlgError:  # Samples that do not vary: no kde.
                kde = None
            if d == 1 and kde:
                for method in ("scott", "silverman"):
                    results[method] = kde[method].factor * x.std(ddof=1)
            if d == 1:
                results["nrd0"] = nrd0(x)
            elif kde:
                # The isotropic bandwidth whose kernel has the volume of scipy's:
                # det(kernel covariance)^(1/(2d)).
                for method in ("scott", "silverman"):
                    sign, logdet = np.linalg.slogdet(kde[method].covariance)
                    results[method + "_volume"] = np.exp(logdet / (2 * d))
                # parsweep's d-dimensional nrd0: R's spread per coordinate, their
                # geometric mean, 0.9 n^(-1/(d+4)).
                spreads = [nrd0_spread(data[:, j]) for j in range(d)]
                results["nrd0"] = 0.9 * np.exp(np.mean(np.log(spreads))) * n ** (-1 / (d + 4))
            for name, value in results.items():
                print(path, name, repr(float(value)))
    elif command == "loo":
        data = np.load(args[1])
        widths = [float(w) for w in args[3].split(",")]
        rows = (np.array([int(r) for r in args[4].split(",")]) if len(args) > 4
                else np.arange(len(data)))
        for h, logs in zip(widths, held_out_log_densities(data, args[2], widths, rows)):
            isolated = int(np.sum(np.isneginf(logs)))
            score = float(np.mean(logs)) if isolated == 0 else -np.inf
            se = float(np.std(logs, ddof=1) / np.sqrt(len(rows))) if isolated == 0 else np.nan
            print(repr(h), repr(score), repr(se), isolated)
    else:
        raise SystemExit(f"unknown command {command}")


def main(args):
    start = 0
    for i, arg in enumerate(args + ["--"]):
        if arg == "--":
            if i > start:
                run(args[start:i])
            start = i + 1


if __name__ == "__main__":
    main(sys.argv[1:])
