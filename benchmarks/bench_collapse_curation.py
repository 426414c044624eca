"""Curated retraining: 10^3 chains batched in torch against one chain at a time in NumPy.

The loop (``lt.collapse.CurationLoop``): per generation, N groups of K = 4 candidates drawn
from an 8-component Gaussian mixture, one kept per group by a Luce choice on
r(x) = -|x - (3, 0)|, and a warm-started refit by 10 EM steps on the N kept samples plus N
fixed real points (lambda = 1, so every point has the same weight and scikit-learn's
unweighted EM fits the same objective).

Baseline: the loop a reader would write, one chain at a time: NumPy sampling and choice,
then ``sklearn.mixture.GaussianMixture(max_iter=10, tol=0)`` initialised at the previous
generation's weights, means and precisions. It runs one chain after another, so its time is
linear in the number of chains: it is timed on ``N_BASE`` chains and scaled to ``N_CHAINS``
(said in the printout). Both sides use the same number of threads (torch's, and NumPy's
BLAS limited to it by threadpoolctl).

Printed: seconds per generation for 10^3 chains, each side the median of ``REPEATS`` runs
after a warm-up run (learntheory on the CPU, and on the GPU too when torch sees one: rows
marked ``cuda``), the ratio baseline / learntheory (> 1:
learntheory is faster) and the throughput in chain-generations per second.

Run it through ``benchmarks/run.py`` (``make bench``) or as ``python -m
benchmarks.bench_collapse_curation`` from the repository root: both set
``OMP_WAIT_POLICY=PASSIVE`` and ``OPENBLAS_THREAD_TIMEOUT=4`` before NumPy and torch load.
Without them, OpenBLAS's idle threads spin against torch's OpenMP pool on 2 cores and the
baseline's small BLAS calls run ~40x slower (0.48 s instead of 0.011 s per chain and
generation at N = 250, measured), which would inflate the ratio.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import learntheory as lt  # noqa: E402
from benchmarks.timing import median_time  # noqa: E402

#: REPEATS: each side's time is the median of this many runs (after a warm-up run):
#: single runs on the shared 2-core machine varied by up to 30 %.
N_CHAINS, N_BASE, GENERATIONS, K, REPEATS = 1000, 10, 3, 4, 3


def _baseline_chain(cfg: lt.collapse.CurationLoop, generations: int,
                    rng: np.random.Generator) -> float:
    """One chain, NumPy + scikit-learn; returns the final best-mode weight."""
    mix = cfg.data_mixture(1, dtype=torch.float64)
    w, mu, cov = (t[0].numpy().copy() for t in (mix.weights, mix.means, mix.covariances))
    target = np.array(cfg.target)

    def sample(n):
        z = rng.choice(len(w), size=n, p=w / w.sum())
        chol = np.linalg.cholesky(cov)
        return mu[z] + np.einsum("nij,nj->ni", chol[z], rng.standard_normal((n, 2)))

    real = sample(cfg.n_real)
    for _ in range(generations):
        cand = sample(cfg.n_curated * K).reshape(cfg.n_curated, K, 2)
        r = -np.linalg.norm(cand - target, axis=-1)
        keep = np.argmax(r + rng.gumbel(size=r.shape), axis=1)
        x = np.concatenate([real, cand[np.arange(cfg.n_curated), keep]])
        gm = GaussianMixture(len(w), covariance_type="full", max_iter=cfg.em_iterations,
                             tol=0.0, reg_covar=cfg.reg_covar, weights_init=w,
                             means_init=mu, precisions_init=np.linalg.inv(cov))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of steps
            gm.fit(x)
        w, mu, cov = gm.weights_, gm.means_, gm.covariances_
    return float(w[np.abs(np.arctan2(mu[:, 1], mu[:, 0])) < np.pi / 8].sum())


def _sides() -> list[tuple[str, torch.dtype]]:
    """(device, dtype) of the learntheory rows: the CPU, then the GPU when there is one
    (the same 10^3 chains, against the same CPU baseline: batching is what lets them run
    on a GPU at all)."""
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    return [(d, t) for d in devices for t in (torch.float64, torch.float32)]


def _time_lt(cfg: lt.collapse.CurationLoop, device: str, dtype: torch.dtype
             ) -> tuple[float, float]:
    """Seconds per generation for ``N_CHAINS`` chains (median of ``REPEATS`` runs after a
    warm-up run, all from the same seed), and the mean best-mode weight at the end."""
    last: list[lt.collapse.History] = []

    def sim() -> None:
        last[:] = [lt.collapse.simulate(cfg, GENERATIONS, n_chains=N_CHAINS, dtype=dtype,
                                        device=device,
                                        generator=lt.make_generator(2, device))]
        if device != "cpu":
            torch.cuda.synchronize()

    t_lt = median_time(sim, repeats=REPEATS) / GENERATIONS
    return t_lt, float(last[0]["best_mode_weight"][-1].mean())


def run() -> None:
    threads = torch.get_num_threads()
    print(f"== collapse/curation: {N_CHAINS} chains x {GENERATIONS} generations, K = {K}, "
          f"lambda = 1, 8 components, 10 EM steps (CPU, threads={threads}; baseline timed "
          f"on {N_BASE} chains, x{N_CHAINS // N_BASE}) ==")
    print(f"{'N':>5} {'dtype':>8} {'lt [s/gen]':>11} {'numpy+sklearn [s/gen]':>22} "
          f"{'ratio':>7} {'lt [chain-gen/s]':>17} {'best mode lt':>13} {'sklearn':>8}")
    for n in (250, 1000):
        cfg = lt.collapse.CurationLoop(n_candidates=K, synthetic_ratio=1.0, n_curated=n,
                                       n_real=n)
        rng = np.random.default_rng(0)
        base: list[float] = []

        def baseline(cfg=cfg, rng=rng, base=base) -> None:
            base[:] = [_baseline_chain(cfg, GENERATIONS, rng) for _ in range(N_BASE)]

        with threadpool_limits(threads):
            t_base = median_time(baseline, repeats=REPEATS) * (N_CHAINS / N_BASE) / GENERATIONS
        for device, dtype in _sides():
            t_lt, best = _time_lt(cfg, device, dtype)
            label = str(dtype).removeprefix("torch.") + ("" if device == "cpu" else " cuda")
            print(f"{n:>5} {label:>8} {t_lt:11.3f} {t_base:22.2f} "
                  f"{t_base / t_lt:6.1f}x {N_CHAINS / t_lt:17.0f} "
                  f"{best:13.3f} {np.mean(base):8.3f}")


if __name__ == "__main__":
    run()
