r"""The chapter's experiments as functions: convergence in S, bits against dimension and kernel.

Each returns plain tensors in a small dataclass so that a page only calls and plots
(book: ``ib-estimator``, ``ib-dimension``, ``ib-model-classes``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_int, check_positive
from learntheory.inductive_bias.bits import exact_bits
from learntheory.inductive_bias.error_law import error_law
from learntheory.inductive_bias.fit import Ncx2Fit, _moment_fit, fit_ncx2
from learntheory.inductive_bias.gchi2 import GeneralizedChi2
from learntheory.inductive_bias.model_classes import median_bandwidth
from learntheory.inductive_bias.posterior import condition
from learntheory.inductive_bias.tasks import Task, sphere_task
from learntheory.kernels import gaussian

__all__ = [
    "DimensionSweep",
    "FitConvergence",
    "bits_by_dimension",
    "bits_by_kernel",
    "fit_convergence",
    "moment_matched",
    "task_law",
]


def moment_matched(law: GeneralizedChi2) -> Ncx2Fit:
    r"""The scaled noncentral chi-square with the law's first three cumulants.

    What the ``"moments"`` fit of :func:`~learntheory.inductive_bias.fit_ncx2` converges to
    as the number of sampled hypotheses grows: the gap between its tail and the law's is
    the part of the estimator's error that no amount of sampling removes (book:
    ``eq-ib-moment-fit``).
    """
    check_instance(law, "law", GeneralizedChi2, owner="moment_matched")
    return _moment_fit(law.cumulant(1), law.cumulant(2), law.cumulant(3), law.weights)


def task_law(kernel: Callable, task: Task) -> GeneralizedChi2:
    """The exact test-error law of the kernel hypothesis space on ``task``."""
    check_instance(task, "task", Task, owner="task_law")
    post = condition(kernel, task.x_train, task.y_train, task.x_test)
    return error_law(post, task.y_test)


@dataclass(frozen=True)
class FitConvergence:
    """Fitted bits over repeated samples of each size.

    Attributes
    ----------
    n_samples : torch.Tensor, shape (k,)
    bits : torch.Tensor, shape (k, n_rep)
        Fitted bits of each replication.
    exact : float
        The law's exact bits.
    limit : float
        The bits of :func:`moment_matched` (the large-S limit of the moment fit).
    clamped : torch.Tensor, shape (k,)
        Fraction of fits whose skewness ratio fell outside the family's range.
    """

    n_samples: torch.Tensor
    bits: torch.Tensor
    exact: float
    limit: float
    clamped: torch.Tensor


def fit_convergence(
    law: GeneralizedChi2,
    epsilon: float,
    n_samples: Sequence[int],
    *,
    n_rep: int = 20,
    method: str = "moments",
    generator: torch.Generator | None = None,
) -> FitConvergence:
    """Refit the scaled ncx2 to ``n_rep`` fresh samples of each size drawn from ``law``.

    Sampling the errors from the exact law is the same in distribution as sampling
    hypotheses and scoring them (tested in ``tests/inductive_bias``), and much cheaper.
    """
    owner = "fit_convergence"
    check_instance(law, "law", GeneralizedChi2, owner=owner)
    eps = check_positive(epsilon, "epsilon", owner=owner)
    R = check_int(n_rep, "n_rep", owner=owner)
    sizes = [check_int(s, "n_samples", owner=owner, minimum=30) for s in n_samples]
    bits = torch.empty(len(sizes), R, dtype=torch.float64)
    clamped = torch.zeros(len(sizes), dtype=torch.float64)
    for i, S in enumerate(sizes):
        for r in range(R):
            fit = fit_ncx2(law.sample(S, generator=generator), method=method)
            bits[i, r] = exact_bits(fit.law, eps)
            clamped[i] += fit.clamped / R
    limit = exact_bits(moment_matched(law).law, eps)
    return FitConvergence(torch.tensor(sizes), bits, exact_bits(law, eps), limit, clamped)


@dataclass(frozen=True)
class DimensionSweep:
    """Exact bits against the intrinsic dimension of sphere tasks.

    Attributes
    ----------
    dims : torch.Tensor, shape (k,)
    epsilons : torch.Tensor, shape (e,)
    bits : torch.Tensor, shape (k, e, n_teachers)
        Exact bits of the Gaussian-kernel space, one teacher per column.
    mean_error : torch.Tensor, shape (k, n_teachers)
        Mean test error of a random interpolating hypothesis.
    """

    dims: torch.Tensor
    epsilons: torch.Tensor
    bits: torch.Tensor
    mean_error: torch.Tensor


def bits_by_dimension(
    dims: Sequence[int],
    epsilons: Sequence[float],
    *,
    n_teachers: int = 4,
    n_train: int = 256,
    n_test: int = 128,
    ambient_dim: int = 64,
    seed: int = 0,
) -> DimensionSweep:
    """Exact bits of the median-bandwidth Gaussian space on :func:`sphere_task` tasks.

    Teacher ``t`` at dimension ``d`` uses the generator seeded ``seed + 1000 d + t``, so the
    sweep is reproducible and each point is independent of the others.
    """
    owner = "bits_by_dimension"
    T = check_int(n_teachers, "n_teachers", owner=owner)
    eps = [check_positive(e, "epsilons", owner=owner) for e in epsilons]
    ds = [check_int(d, "dims", owner=owner, minimum=2) for d in dims]
    bits = torch.empty(len(ds), len(eps), T, dtype=torch.float64)
    mean = torch.empty(len(ds), T, dtype=torch.float64)
    for i, d in enumerate(ds):
        for t in range(T):
            g = torch.Generator().manual_seed(seed + 1000 * d + t)
            task = sphere_task(d, n_train, n_test, ambient_dim=ambient_dim, generator=g)
            kernel = functools.partial(gaussian, bandwidth=median_bandwidth(task.x_train))
            law = task_law(kernel, task)
            mean[i, t] = law.mean
            for j, e in enumerate(eps):
                bits[i, j, t] = exact_bits(law, e, unattainable="inf")
    return DimensionSweep(torch.tensor(ds), torch.tensor(eps, dtype=torch.float64), bits, mean)


def bits_by_kernel(
    task: Task,
    kernels: Mapping[str, Callable],
    epsilons: Sequence[float],
) -> dict[str, torch.Tensor]:
    """Exact bits of each kernel space on one task (``inf`` where epsilon is unattainable).

    Returns
    -------
    dict
        Name -> tensor of shape ``(len(epsilons) + 2,)``: the bits at each epsilon, then
        the law's mean error and its floor.
    """
    out = {}
    for name, kernel in kernels.items():
        law = task_law(kernel, task)
        row = [exact_bits(law, e, unattainable="inf") for e in epsilons]
        out[name] = torch.tensor(row + [law.mean, law.floor], dtype=torch.float64)
    return out
