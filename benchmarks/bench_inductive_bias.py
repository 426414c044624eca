"""Inductive bias: sampling interpolating hypotheses against scikit-learn, and one task's bits.

Baseline, run side by side in this process on the same kernel matrix (Gaussian kernel,
the same bandwidth, the same diagonal jitter):
``sklearn.gaussian_process.GaussianProcessRegressor(kernel=RBF(h), alpha=jitter,
optimizer=None).fit(X, y).sample_y(X_test, S)``, which forms the posterior covariance and
draws with ``numpy.random.Generator.multivariate_normal`` (an SVD of the m x m covariance,
a check that it reconstructs the matrix, then one S x m x m product). Ours: ``condition``
(one Cholesky of the training Gram) and ``sample_hypotheses`` (one Cholesky of the posterior
covariance, then the same S x m x m product). Target: >= 10x at m = 2000 test points and
S = 10^4 hypotheses (issue 11).

Both sides must do the S x m x m product, so the ratio cannot exceed
(sklearn's time) / (the bare product's time); the bare product ``torch.mm`` (float64, same
shapes, preallocated output) is printed beside our time so that the bound is visible. Then
the whole estimate of one task's bits at the chapter's full size (``InductiveBias.fit``:
sampling, scoring, the fit, a 200-refit bootstrap and the exact law), and the errors-only
route the estimator could take instead (the exact law's eigendecomposition, then S draws of
the error as a quadratic form, O(S m)).
"""

from __future__ import annotations

import functools
import time

import numpy as np
import torch
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from threadpoolctl import threadpool_info

import learntheory as lt
from benchmarks.timing import median_time

ib = lt.inductive_bias
N_TRAIN, M, S = 256, 2000, 10_000


def _once(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run() -> None:
    pools = ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info())
    print(f"== inductive_bias: {S} interpolating hypotheses at m={M} test points, n={N_TRAIN} "
          f"training points, vs sklearn GaussianProcessRegressor.sample_y (CPU, torch "
          f"threads={torch.get_num_threads()}; threadpoolctl: {pools}) ==")
    gen = lt.make_generator(0)
    task = ib.sphere_task(8, N_TRAIN, M, ambient_dim=16, generator=gen)
    h = ib.median_bandwidth(task.x_train)
    kernel = functools.partial(lt.kernels.gaussian, bandwidth=h)
    jitter = ib.default_jitter(torch.float64)
    xt, yt, xs = task.x_train, task.y_train, task.x_test

    def ours(dtype):
        post = ib.condition(kernel, xt.to(dtype), yt.to(dtype), xs.to(dtype))
        return ib.sample_hypotheses(post, S, generator=gen)

    gp = GaussianProcessRegressor(RBF(h), alpha=jitter * 1.0, optimizer=None)
    t_sk, ys = _once(lambda: gp.fit(xt.numpy(), yt.numpy()).sample_y(xs.numpy(), S,
                                                                     random_state=0))
    t64 = median_time(lambda: ours(torch.float64), repeats=3)
    t32 = median_time(lambda: ours(torch.float32), repeats=3)
    z, L, out = torch.randn(S, M, dtype=torch.float64), torch.randn(M, M, dtype=torch.float64), \
        torch.empty(S, M, dtype=torch.float64)
    t_mm = median_time(lambda: torch.mm(z, L.T, out=out), repeats=3)
    h64 = ours(torch.float64)
    mean_gap = float(np.abs(h64.mean(0).numpy() - ys.mean(1)).max())
    print(f"{'':>22} {'time [s]':>9} {'sklearn / this':>15}")
    print(f"{'sklearn sample_y':>22} {t_sk:9.2f}")
    print(f"{'ours, float64':>22} {t64:9.2f} {t_sk / t64:14.1f}x   (target >= 10x)")
    print(f"{'ours, float32':>22} {t32:9.2f} {t_sk / t32:14.1f}x")
    print(f"{'bare S x m x m product':>22} {t_mm:9.2f} {t_sk / t_mm:14.1f}x   (the bound on "
          f"any sampler that forms the hypotheses; {t_mm / t64:.0%} of ours)")
    print(f"max |mean of ours - mean of sklearn's| over the test points: {mean_gap:.2e} "
          f"(both ~ N(mu, Sigma / S): expect ~ {4 * float(h64.std(0).max()) / S**0.5:.1e})")

    # the whole estimate at the chapter's full size, and with m = 2000
    for m in (128, M):
        sub = ib.Task(xt, yt, xs[:m], task.y_test[:m])
        law = ib.task_law(kernel, sub)
        eps = 0.5 * law.mean
        est = ib.InductiveBias(kernel, epsilon=eps, n_hypotheses=S, n_boot=200)
        t_fit, _ = _once(lambda est=est, sub=sub: est.fit(sub.x_train, sub.y_train, sub.x_test,
                                                         sub.y_test, generator=gen))
        t_law, _ = _once(lambda sub=sub: ib.task_law(kernel, sub).sample(S, generator=gen))
        print(f"one task's bits, m={m}: InductiveBias.fit {t_fit:.2f} s "
              f"(fitted {est.bits_:.1f} +- {est.estimate_.se:.1f} bits, exact "
              f"{est.exact_.bits:.1f}); errors-only route (exact law + {S} quadratic-form "
              f"draws) {t_law:.2f} s")


if __name__ == "__main__":
    run()
