"""Kernels: Gram matrices and kernel ridge solves against scikit-learn, side by side.

Baselines: ``sklearn.metrics.pairwise.rbf_kernel`` (NumPy/BLAS) for the Gram
matrix, ``sklearn.kernel_ridge.KernelRidge`` (SciPy Cholesky) for fit+predict.
The ratio is baseline time / learntheory time (> 1 means learntheory is faster).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.kernel_ridge import KernelRidge as SkKernelRidge
from sklearn.metrics.pairwise import rbf_kernel

import learntheory as lt
from benchmarks.timing import median_time


def run() -> None:
    print("== kernels: Gram and KRR vs scikit-learn (float64, CPU, threads="
          f"{torch.get_num_threads()}) ==")
    gen = lt.make_generator(0)
    rows = []
    for n, d in ((2000, 16), (4000, 64)):
        x = torch.randn(n, d, generator=gen, dtype=torch.float64)
        xn = x.numpy()
        h = 2.0
        t_sk = median_time(lambda xn=xn, h=h: rbf_kernel(xn, gamma=1 / (2 * h * h)))
        t_lt = median_time(lambda x=x, h=h: lt.kernels.gaussian(x, bandwidth=h))
        t_ch = median_time(lambda x=x, h=h: lt.kernels.gaussian(x, bandwidth=h, chunk_size=512))
        rows.append((f"gaussian Gram n={n} d={d}", t_sk, t_lt, t_ch))
    for n in (1000, 3000):
        x = torch.rand(n, 4, generator=gen, dtype=torch.float64)
        y = torch.sin(6 * x[:, 0])
        xt = torch.rand(500, 4, generator=gen, dtype=torch.float64)
        xn, yn, xtn = x.numpy(), y.numpy(), xt.numpy()
        ridge, h = 1e-3, 0.5

        def sk(xn=xn, yn=yn, xtn=xtn, n=n, ridge=ridge, h=h):
            return SkKernelRidge(alpha=n * ridge, kernel="rbf", gamma=1 / (2 * h * h)).fit(
                xn, yn).predict(xtn)

        def ours(x=x, y=y, xt=xt, ridge=ridge, h=h):
            return lt.kernels.KernelRidge(ridge=ridge, bandwidth=h).fit(x, y).predict(xt)

        np.testing.assert_allclose(sk(), ours().numpy(), rtol=1e-6, atol=1e-8)
        rows.append((f"KRR fit+predict n={n}", median_time(sk, repeats=3),
                     median_time(ours, repeats=3), float("nan")))
    print(f"{'case':<28}{'sklearn [ms]':>14}{'lt [ms]':>10}{'ratio':>8}{'lt chunked [ms]':>17}")
    for name, t_sk, t_lt, t_ch in rows:
        chunk = f"{1e3 * t_ch:17.1f}" if t_ch == t_ch else f"{'-':>17}"
        print(f"{name:<28}{1e3 * t_sk:14.1f}{1e3 * t_lt:10.1f}{t_sk / t_lt:8.2f}x{chunk}")


if __name__ == "__main__":
    run()
