"""KDE: log-density of n = 1e5 points at 1e3 queries against scikit-learn and SciPy.

Baselines, run side by side in this process on the same data and bandwidth:

* ``sklearn.neighbors.KernelDensity(kernel="gaussian", rtol=0, atol=0)``: exact; the
  faster of its two trees (kd_tree, ball_tree) is the baseline, each timed once.
* ``scipy.stats.gaussian_kde(..., bw_method=h).logpdf``: its kernel covariance is
  h^2 times the data's sample covariance, so the data are whitened to unit sample
  covariance first, making it h^2 I as in ours.

The baselines are timed once each on the first ``M_BASE`` = 100 queries and scaled by
M / M_BASE = 10: their cost is linear in the number of queries (each query is an independent
exact traversal of all n points), and timing all 1000 would take ~10 minutes on 2 cores.
max |d log p| compares on those queries.

Ratios are baseline time / learntheory time (> 1: learntheory is faster). At d = 64 the
time of the bare matrix product x @ y^T (float64, same shapes, into a preallocated output)
is printed as a fraction of our total time: the rest is the clamp/max/exp/sum passes.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity

import learntheory as lt
from benchmarks.timing import median_time

N, M, M_BASE = 100_000, 1_000, 100


def _whitened(n: int, d: int, gen: torch.Generator) -> torch.Tensor:
    raw = torch.randn(n, d, generator=gen, dtype=torch.float64)
    c = raw - raw.mean(0)
    chol = torch.linalg.cholesky(c.T @ c / (n - 1))
    return torch.linalg.solve_triangular(chol, c.T, upper=False).T.contiguous()


def _once(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run() -> None:
    print(f"== kde: log-density, n={N} data, m={M} queries, vs sklearn (exact) and scipy "
          f"(CPU, threads={torch.get_num_threads()}; baselines timed on {M_BASE} queries, "
          f"x{M // M_BASE}) ==")
    gen = lt.make_generator(0)
    header = (f"{'d':>3} {'dtype':>8} {'lt [s]':>8} {'sklearn [s]':>12} {'tree':>9} "
              f"{'ratio':>7} {'scipy [s]':>10} {'ratio':>7} {'max|dlogp| sk':>14} "
              f"{'max|dlogp| sp':>14}")
    print(header)
    for d in (16, 32, 64):
        y = _whitened(N, d, gen)
        x = torch.randn(M, d, generator=gen, dtype=torch.float64)
        h = lt.kde.scott_bandwidth(N, d)
        yn, xn = y.numpy(), x[:M_BASE].numpy()
        scale = M / M_BASE
        sk_times, sk_out = {}, None
        for tree in ("kd_tree", "ball_tree"):
            kde = KernelDensity(kernel="gaussian", bandwidth=h, algorithm=tree, rtol=0,
                                atol=0).fit(yn)
            t, out = _once(lambda kde=kde, xn=xn: kde.score_samples(xn))
            sk_times[tree] = t * scale
            sk_out = out if sk_out is None else sk_out
        tree = min(sk_times, key=sk_times.get)
        t_sk = sk_times[tree]
        sp = gaussian_kde(yn.T, bw_method=h)
        t_sp, sp_out = _once(lambda sp=sp, xn=xn: sp.logpdf(xn.T))
        t_sp *= scale
        for dtype in (torch.float64, torch.float32):
            xd, yd = x.to(dtype), y.to(dtype)
            t_lt = median_time(lambda xd=xd, yd=yd, h=h: lt.kde.log_density(xd, yd, bandwidth=h),
                               repeats=3)
            ours = lt.kde.log_density(xd, yd, bandwidth=h).double().numpy()[:M_BASE]
            print(f"{d:>3} {str(dtype).removeprefix('torch.'):>8} {t_lt:8.3f} {t_sk:12.2f} "
                  f"{tree:>9} {t_sk / t_lt:6.1f}x {t_sp:10.2f} {t_sp / t_lt:6.1f}x "
                  f"{np.abs(ours - sk_out).max():14.2e} {np.abs(ours - sp_out).max():14.2e}")
        if d == 64:
            out = torch.empty(M, N, dtype=torch.float64)
            t_mm = median_time(lambda x=x, y=y, out=out: torch.mm(x, y.T, out=out), repeats=3)
            t_lt = median_time(lambda x=x, y=y, h=h: lt.kde.log_density(x, y, bandwidth=h),
                               repeats=3)
            print(f"d=64 float64: bare x @ y^T {t_mm:.3f} s = {t_mm / t_lt:.0%} of our "
                  f"{t_lt:.3f} s (target >= 50%); sklearn trees: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in sk_times.items()))


if __name__ == "__main__":
    run()
