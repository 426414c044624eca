"""Collapse: the batched Gaussian refit loop against the loop a reader would write.

10^4 chains x 200 generations x 100 samples per generation (unbiased variance, replace).

* Baseline: one chain at a time in NumPy (``rng.normal`` then ``mean``/``var(ddof=1)``
  per generation), the obvious code. It is timed on ``N_BASE`` = 500 chains and scaled
  by N / N_BASE = 20: chains are independent, so its cost is linear in their number.
* learntheory: ``lt.collapse.simulate(GaussianLoop(100, draw=...), 200, n_chains=10**4)``,
  all chains as one batch, float64 and float32, median of 3 runs, with both draws:
  ``"samples"`` (every point drawn, as the baseline does) and ``"statistics"`` (the
  sample mean and sum of squares drawn exactly in law: 100x fewer random numbers).

Printed: times, the ratio baseline / learntheory (target >= 50x), and the throughput in
chain-generations per second. Both sides run in this process with the threads they
would use (NumPy's generator is single-threaded; torch uses its intra-op pool).
The curation loop has its own benchmark (bench_collapse_curation.py).
"""

from __future__ import annotations

import time

import numpy as np
import torch

import learntheory as lt
from benchmarks.timing import median_time

N, G, M, N_BASE = 10_000, 200, 100, 500


def numpy_loop(n_chains: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    final = np.empty(n_chains)
    for c in range(n_chains):
        mu, var = 0.0, 1.0
        for _ in range(G):
            x = rng.normal(mu, np.sqrt(var), M)
            mu, var = x.mean(), x.var(ddof=1)
        final[c] = var
    return final


def run() -> None:
    print(f"== collapse: Gaussian refit, {N} chains x {G} generations x {M} samples "
          f"(CPU, threads={torch.get_num_threads()}; NumPy loop timed on {N_BASE} chains, "
          f"x{N // N_BASE}) ==")
    start = time.perf_counter()
    base_final = numpy_loop(N_BASE)
    t_base = (time.perf_counter() - start) * N / N_BASE
    drift = lt.collapse.gaussian_refit_moments(lt.collapse.GaussianLoop(M), G).log_var_mean[-1]
    print(f"{'draw':>10} {'dtype':>8} {'lt [s]':>8} {'numpy loop [s]':>15} {'ratio':>7} "
          f"{'chain-gen/s':>12} {'E ln var: lt':>13} {'numpy':>8} {'exact':>8}")
    for draw in ("samples", "statistics"):
        loop = lt.collapse.GaussianLoop(M, draw=draw)
        for dtype in (torch.float64, torch.float32):
            out = {}

            def ours(loop=loop, dtype=dtype, out=out):
                out["h"] = lt.collapse.simulate(loop, G, n_chains=N, dtype=dtype,
                                                generator=lt.make_generator(1))

            t_lt = median_time(ours, repeats=3)
            log_var = float(out["h"]["var"][-1].double().log().mean())
            print(f"{draw:>10} {str(dtype).removeprefix('torch.'):>8} {t_lt:8.2f} "
                  f"{t_base:15.1f} {t_base / t_lt:6.1f}x {N * G / t_lt:12.3g} "
                  f"{log_var:13.3f} {np.log(base_final).mean():8.3f} {float(drift):8.3f}")


if __name__ == "__main__":
    run()
