r"""Ensembles of random networks: outputs at initialisation and empirical-NTK concentration.

Two experiments of the NTK chapter, as library functions so that the book
only calls and plots them.

* :func:`sample_network_outputs` draws the outputs at ``k`` inputs of many
  random MLPs (NTK parameterization) *exactly in distribution* without
  materialising any weight matrix: given the post-activations
  :math:`A^{\ell-1}` (k × n) of one network, the next pre-activations of its
  n units are i.i.d. :math:`\mathcal N(0, K^\ell)` with
  :math:`K^\ell = \tfrac{\sigma_w^2}{n_{\ell-1}} A^{\ell-1}A^{\ell-1\top} + \sigma_b^2`,
  because the rows of :math:`W^\ell` are i.i.d. Gaussian. A network costs
  :math:`O(L n k^2)` instead of :math:`O(L n^2)`, so 10^5 networks of width
  1024 fit in seconds. This is the finite-width version of the NNGP recursion
  (book: ``eq-nngp-recursion``): replacing :math:`\frac1n A A^\top` by its
  expectation gives :math:`\Sigma^{\ell}` ([Lee2018].
* :func:`output_ensemble` measures how far the outputs are from Gaussian with the
  kurtosis functions of :mod:`learntheory.ntk.kurtosis`.
* :func:`ntk_relative_errors` measures
  :math:`\lVert\hat\Theta - \Theta\rVert_F / \lVert\Theta\rVert_F` over widths
  and seeds ([Jacot2018]; book: ``ntk-concentration``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_int, check_points
from learntheory.ntk.analytic import mlp_kernels
from learntheory.ntk.config import MLPConfig
from learntheory.ntk.empirical import empirical_ntk
from learntheory.ntk.kurtosis import excess_kurtosis, relu_excess_kurtosis
from learntheory.ntk.mlp import ACTIVATIONS, make_mlp

__all__ = [
    "NTKSlices",
    "OutputEnsemble",
    "ntk_relative_errors",
    "ntk_slices",
    "output_ensemble",
    "sample_network_outputs",
]


def _psd_sqrt(K: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a batch of PSD matrices (robust to rank deficiency)."""
    vals, vecs = torch.linalg.eigh(0.5 * (K + K.mT))
    return (vecs * vals.clamp_min(0.0).sqrt().unsqueeze(-2)) @ vecs.mT


def sample_network_outputs(
    x: torch.Tensor,
    *,
    config: MLPConfig,
    n_networks: int,
    chunk_size: int = 4096,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Outputs at ``x`` of ``n_networks`` independent random MLPs (NTK parameterization).

    Parameters
    ----------
    x : torch.Tensor, shape (k, d)
        A few inputs (k small: the cost is :math:`O(k^2)` per unit).
    config : MLPConfig
        The network (finite width; NTK or standard parameterization, which have
        the same law at initialisation), as given to :func:`~learntheory.ntk.mlp.make_mlp`.
    n_networks : int
        Number of independent networks S.
    chunk_size : int
        Networks sampled at a time (bounds memory at ``chunk_size * k * n``).
    generator : torch.Generator, optional
        Source of randomness; must live on ``x``'s device.

    Returns
    -------
    torch.Tensor, shape (S, k)
        Same device and dtype as ``x``. Row s is :math:`f_s(x_1), \dots, f_s(x_k)`,
        with the same law as ``make_mlp(d, config=config)(x)`` for fresh seeds.

    Notes
    -----
    .. math:: H^\ell \mid A^{\ell-1} \sim \mathcal N\!\big(0,\ K^\ell \otimes I_{n}\big),\quad
              K^\ell = \tfrac{\sigma_w^2}{n_{\ell-1}}A^{\ell-1}A^{\ell-1\top} + \sigma_b^2

    Implements the layer-wise conditional Gaussian structure behind the NNGP
    recursion of [Lee2018]; book: ``eq-nngp-recursion``.
    """
    owner = "sample_network_outputs"
    check_points(x, "x", owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    n, L = config.require_width(owner), config.depth
    if config.parameterization == "mup":
        raise ValueError(f"The 'config' parameter of {owner} must use the 'ntk' or 'standard' "
                         f"parameterization (muP outputs shrink like n^-1/2). Got 'mup' instead.")
    S = check_int(n_networks, "n_networks", owner=owner)
    chunk = check_int(chunk_size, "chunk_size", owner=owner)
    sw2, sb2 = config.sigma_w**2, config.sigma_b**2
    phi = ACTIVATIONS[config.activation][0]
    k, d = x.shape
    root1 = _psd_sqrt(sw2 / d * (x @ x.mT) + sb2)  # the first layer sees the same x in all nets
    out = []
    for start in range(0, S, chunk):
        s = min(chunk, S - start)
        g = torch.randn(s, k, n, generator=generator, device=x.device, dtype=x.dtype)
        h = root1 @ g                                              # (s, k, n)
        for ell in range(L):
            a = phi(h)
            K = sw2 / n * (a @ a.mT) + sb2                         # (s, k, k)
            units = n if ell < L - 1 else 1                        # last: the scalar output
            g = torch.randn(s, k, units, generator=generator, device=x.device, dtype=x.dtype)
            h = _psd_sqrt(K) @ g
        out.append(h[..., 0])
    return torch.cat(out, dim=0)


def ntk_relative_errors(
    x: torch.Tensor,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    n_seeds: int,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Relative Frobenius error of the empirical NTK at initialisation, per width and seed.

    Parameters
    ----------
    x : torch.Tensor, shape (k, d)
    config : MLPConfig
        The network (NTK parameterization); its width is replaced by each of ``widths``.
    widths : sequence of int
    n_seeds : int
        Independent networks per width.
    generator : torch.Generator, optional

    Returns
    -------
    torch.Tensor, shape (len(widths), n_seeds), float64 on the CPU
        :math:`\lVert\hat\Theta_s - \Theta\rVert_F/\lVert\Theta\rVert_F`.

    Notes
    -----
    The analytic :math:`\Theta` is :func:`~learntheory.ntk.analytic.mlp_kernels`;
    :math:`\hat\Theta` uses the structured method. Implements the convergence
    statement of [Jacot2018] (fluctuations :math:`O(n^{-1/2})`,
    [HaninNica2020]); book: ``ntk-concentration``.
    """
    owner = "ntk_relative_errors"
    check_points(x, "x", owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    seeds = check_int(n_seeds, "n_seeds", owner=owner)
    widths = [check_int(w, "widths", owner=owner) for w in widths]
    theta = mlp_kernels(x, config=config).ntk
    errs = torch.empty(len(widths), seeds, dtype=torch.float64)
    for i, w in enumerate(widths):
        for s in range(seeds):
            net = make_mlp(x.shape[1], config=config.with_width(w), device=x.device,
                           dtype=x.dtype, generator=generator)
            with torch.no_grad():
                emp = empirical_ntk(net, x)
            errs[i, s] = float(torch.linalg.norm(emp - theta) / torch.linalg.norm(theta))
    return errs


@dataclass(frozen=True)
class OutputEnsemble:
    r"""Outputs of many random networks at a few inputs, beside their NNGP limit.

    Attributes
    ----------
    config : MLPConfig
        The networks sampled.
    outputs : torch.Tensor, shape (S, k)
        :math:`f_s(x_j)` for S networks (:func:`sample_network_outputs`).
    nngp : torch.Tensor, shape (k, k)
        :math:`\Sigma^{L+1}(x_i, x_j)`, the limiting covariance (:func:`mlp_kernels`).
    excess_kurtosis : float
        Measured excess kurtosis of :math:`f(x_1)` (0 for the Gaussian limit).
    exact_kurtosis : float or None
        :func:`relu_excess_kurtosis` at :math:`x_1` for ReLU networks, else None.
    """

    config: MLPConfig
    outputs: torch.Tensor
    nngp: torch.Tensor
    excess_kurtosis: float
    exact_kurtosis: float | None


def output_ensemble(
    x: torch.Tensor,
    *,
    config: MLPConfig,
    n_networks: int,
    generator: torch.Generator | None = None,
) -> OutputEnsemble:
    r"""Sample ``n_networks`` random networks at ``x`` and set them beside the NNGP.

    Parameters
    ----------
    x : torch.Tensor, shape (k, d)
    config : MLPConfig
        Finite width, NTK parameterization (the NNGP is its limit).
    n_networks : int
    generator : torch.Generator, optional

    Returns
    -------
    OutputEnsemble

    Notes
    -----
    Implements the NNGP limit of [Lee2018] (sampled exactly by
    :func:`sample_network_outputs`); book: ``eq-nngp-recursion``.
    """
    owner = "output_ensemble"
    check_points(x, "x", owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    f = sample_network_outputs(x, config=config, n_networks=n_networks, generator=generator)
    exact = None
    if config.activation == "relu":
        q0 = config.sigma_w**2 * float((x[0] ** 2).sum()) / x.shape[1] + config.sigma_b**2
        exact = relu_excess_kurtosis(config.width, config.depth, sigma_w=config.sigma_w,
                                     sigma_b=config.sigma_b, input_variance=q0)
    return OutputEnsemble(config, f, mlp_kernels(x, config=config).nngp,
                          float(excess_kurtosis(f[:, 0])), exact)


@dataclass(frozen=True)
class NTKSlices:
    r"""Rows :math:`\hat\Theta_s(x_0, x_j)` of several random networks beside the analytic row.

    Attributes
    ----------
    config : MLPConfig
    empirical : torch.Tensor, shape (S, M)
        One row per network.
    analytic : torch.Tensor, shape (M,)
        :math:`\Theta(x_0, x_j)`.
    relative_error : torch.Tensor, shape (S,)
        :math:`\lVert\hat\Theta_s(x_0,\cdot) - \Theta(x_0,\cdot)\rVert /
        \lVert\Theta(x_0,\cdot)\rVert` per network.
    """

    config: MLPConfig
    empirical: torch.Tensor
    analytic: torch.Tensor
    relative_error: torch.Tensor


def ntk_slices(
    x0: torch.Tensor,
    x: torch.Tensor,
    *,
    config: MLPConfig,
    n_networks: int,
    generator: torch.Generator | None = None,
) -> NTKSlices:
    r"""Empirical NTK rows at initialisation of ``n_networks`` networks, and the analytic row.

    Parameters
    ----------
    x0 : torch.Tensor, shape (1, d)
        The fixed input.
    x : torch.Tensor, shape (M, d)
        The inputs along the slice.
    config : MLPConfig
        Finite width, NTK parameterization.
    n_networks : int
    generator : torch.Generator, optional
        Networks are drawn one after another from it.

    Returns
    -------
    NTKSlices

    Notes
    -----
    The analogue of [Jacot2018]'s convergence figure: :math:`\hat\Theta \to \Theta`
    as the width grows; book: ``ntk-concentration``.
    """
    owner = "ntk_slices"
    check_points(x0, "x0", owner=owner)
    check_points(x, "x", owner=owner, features=x0.shape[1])
    check_instance(config, "config", MLPConfig, owner=owner)
    if x0.shape[0] != 1:
        raise ValueError(f"The 'x0' parameter of {owner} must hold exactly one point (1, d). "
                         f"Got shape {tuple(x0.shape)} instead.")
    S = check_int(n_networks, "n_networks", owner=owner)
    rows = []
    for _ in range(S):
        net = make_mlp(x.shape[1], config=config, device=x.device, dtype=x.dtype,
                       generator=generator)
        with torch.no_grad():
            rows.append(empirical_ntk(net, x0, x)[0])
    emp = torch.stack(rows)
    exact = mlp_kernels(x0, x, config=config).ntk[0]
    err = (emp - exact).norm(dim=1) / exact.norm()
    return NTKSlices(config, emp, exact, err)
