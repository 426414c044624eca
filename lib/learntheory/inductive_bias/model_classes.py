r"""Hypothesis spaces to compare: the Gaussian kernel, random features, NNGP and NTK.

A kernel is a hypothesis space with a sampling law: the Gaussian process with that
covariance. The chapter compares

* the Gaussian kernel at the median-distance bandwidth (:func:`median_bandwidth`);
* random ReLU features, :math:`k_F(x, x') = \frac{\sigma_w^2}{F}\sum_{f=1}^F
  \mathrm{relu}(g_f(x))\,\mathrm{relu}(g_f(x'))` with
  :math:`g_f(x) = \sigma_w w_f^\top x/\sqrt d`, :math:`w_f \sim \mathcal N(0, I_d)`
  (:class:`RandomFeatureKernel`): a finite-rank space whose mean over draws is the
  one-hidden-layer NNGP kernel [Lee2018];
* the NNGP and NTK kernels of infinitely wide ReLU networks of several depths, from
  :mod:`learntheory.ntk` (:func:`model_class_kernels`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import torch

from learntheory._core import check_int, check_points, check_positive, resolve_factory
from learntheory.kernels import gaussian
from learntheory.kernels.gram import euclidean_distances
from learntheory.ntk import mlp_nngp, mlp_ntk

__all__ = ["RandomFeatureKernel", "median_bandwidth", "model_class_kernels", "prior_scaled"]


def median_bandwidth(x: torch.Tensor) -> float:
    r"""The median heuristic: the median distance between distinct points of ``x``.

    Parameters
    ----------
    x : torch.Tensor, shape (n, d)
        At least two points.

    Returns
    -------
    float

    Notes
    -----
    The same rule at every dimension (the notes to [Boopathy2024] warn that the bandwidth
    moves the bits by orders of magnitude); book: ``ib-model-classes``.
    """
    check_points(x, "x", owner="median_bandwidth")
    if x.shape[0] < 2:
        raise ValueError("The 'x' parameter of median_bandwidth must hold at least 2 points. "
                         f"Got {x.shape[0]}.")
    dist = euclidean_distances(x, x)
    i, j = torch.triu_indices(x.shape[0], x.shape[0], offset=1, device=x.device)
    return float(dist[i, j].median())


class _Scaled:
    """``scale * kernel(x1, x2)``, callable and printable."""

    def __init__(self, kernel: Callable, scale: float) -> None:
        self.kernel, self.scale = kernel, scale

    def __call__(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        return self.scale * self.kernel(x1, x2)

    def __repr__(self) -> str:
        return f"{self.scale:.4g} * {self.kernel!r}"


def prior_scaled(kernel: Callable, x: torch.Tensor, variance: float = 1.0) -> Callable:
    r"""The kernel scaled so that its mean prior variance on ``x`` is ``variance``.

    Parameters
    ----------
    kernel : callable
        ``kernel(x1, x2)``.
    x : torch.Tensor, shape (n, d)
        Inputs on which :math:`\frac1n\sum_i k(x_i, x_i)` is measured (the training inputs).
    variance : float
        The target mean prior variance (> 0), e.g. the label variance.

    Returns
    -------
    callable
        :math:`c\,k` with :math:`c = \texttt{variance} / \overline{k(x_i, x_i)}`.

    Notes
    -----
    The amplitude of a kernel does not move the interpolant but scales the posterior
    covariance, and with it the bits: the Gaussian kernel has prior variance 1, the ReLU
    NNGP of :mod:`learntheory.ntk` (bias-free, :math:`\sigma_w^2 = 2`)
    :math:`\sigma_w^2\lVert x\rVert^2/d` at every depth, and the depth-L NTK
    :math:`L + 1` times that. Comparing spaces at one prior scale compares their
    shapes; book: ``ib-model-classes``.
    """
    owner = "prior_scaled"
    if not callable(kernel):
        raise TypeError(f"The 'kernel' parameter of {owner} must be callable. "
                        f"Got {type(kernel).__name__} instead.")
    check_points(x, "x", owner=owner)
    v = check_positive(variance, "variance", owner=owner)
    diag = kernel(x, x).diagonal().mean()
    if not float(diag) > 0:
        raise ValueError(f"The 'kernel' parameter of {owner} has mean prior variance "
                         f"{float(diag)!r} on 'x'; it must be > 0 to be rescaled.")
    return _Scaled(kernel, v / float(diag))


class RandomFeatureKernel:
    r"""The kernel of F random ReLU features, fixed at construction.

    Parameters
    ----------
    n_features : int
        F.
    dim : int
        Input dimension d.
    sigma_w : float
        Weight scale (default :math:`\sqrt 2`, as :func:`learntheory.ntk.mlp_nngp`).
    generator : torch.Generator, optional
    dtype : torch.dtype, optional

    Notes
    -----
    :math:`\mathbb E_w\,k_F = ` ``mlp_nngp(depth=1)`` (the arc-cosine kernel of
    [ChoSaul2009]), and a GP with covariance :math:`k_F` is a linear model on the F
    features with Gaussian weights: its hypotheses span only F dimensions.
    """

    def __init__(self, n_features: int, dim: int, *, sigma_w: float = math.sqrt(2.0),
                 generator: torch.Generator | None = None,
                 dtype: torch.dtype | None = None) -> None:
        owner = "RandomFeatureKernel"
        self.n_features = check_int(n_features, "n_features", owner=owner)
        self.dim = check_int(dim, "dim", owner=owner)
        self.sigma_w = check_positive(sigma_w, "sigma_w", owner=owner)
        device, dtype = resolve_factory(None, dtype or torch.float64, generator)
        self.weights = torch.randn(self.n_features, self.dim, dtype=dtype, device=device,
                                   generator=generator)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        r""":math:`\frac{\sigma_w}{\sqrt F}\mathrm{relu}(\sigma_w Wx/\sqrt d)`, shape (n, F)."""
        check_points(x, "x", owner="RandomFeatureKernel", features=self.dim)
        g = self.sigma_w * (x @ self.weights.to(x).mT) / math.sqrt(self.dim)
        return self.sigma_w * torch.relu(g) / math.sqrt(self.n_features)

    def __call__(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        return self.features(x1) @ self.features(x2).mT

    def __repr__(self) -> str:
        return f"RandomFeatureKernel(n_features={self.n_features}, dim={self.dim})"


def model_class_kernels(
    x: torch.Tensor,
    *,
    depths: Sequence[int] = (1, 2, 3),
    n_features: Sequence[int] = (),
    generator: torch.Generator | None = None,
    prior_variance: float | None = None,
) -> dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]:
    """Named kernels of the compared hypothesis spaces, for inputs like ``x``.

    Parameters
    ----------
    x : torch.Tensor, shape (n, d)
        Inputs that set the Gaussian bandwidth (median heuristic) and the dimension.
    depths : sequence of int
        Hidden-layer counts of the ReLU NNGP and NTK kernels.
    n_features : sequence of int
        Sizes of random-feature spaces to include.
    generator : torch.Generator, optional
        Draws the random features.
    prior_variance : float, optional
        If given, every kernel is :func:`prior_scaled` to this mean prior variance on ``x``
        (default: each kernel at its own amplitude).

    Returns
    -------
    dict
        ``"Gaussian"``, ``"NNGP L=1"``..., ``"NTK L=1"``..., ``"RF F=..."``: callables
        ``k(x1, x2)``.
    """
    check_points(x, "x", owner="model_class_kernels")
    out: dict[str, Callable] = {
        "Gaussian": functools.partial(gaussian, bandwidth=median_bandwidth(x))}
    for L in depths:
        L = check_int(L, "depths", owner="model_class_kernels")
        out[f"NNGP L={L}"] = functools.partial(mlp_nngp, depth=L)
        out[f"NTK L={L}"] = functools.partial(mlp_ntk, depth=L)
    for F in n_features:
        out[f"RF F={F}"] = RandomFeatureKernel(F, x.shape[1], generator=generator,
                                               dtype=x.dtype)
    if prior_variance is not None:
        out = {name: prior_scaled(k, x, prior_variance) for name, k in out.items()}
    return out
