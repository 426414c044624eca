r"""Finite-width fluctuations of the NTK at initialisation, governed by depth over width.

At fixed depth the empirical NTK :math:`\hat\Theta` of a ReLU network in NTK
parameterization concentrates around :math:`\Theta` with fluctuations of order
:math:`n^{-1/2}`. The constant in front grows with depth: for the diagonal
:math:`K = \hat\Theta(x, x)` of a ReLU net with hidden widths :math:`n_1..n_L`,
[HaninNica2020] (Thm. 1 and its corollary) show

.. math:: \frac{\mathbb E[K^2]}{\mathbb E[K]^2}
          \simeq \exp\Big(5\sum_{\ell=1}^{L}\frac1{n_\ell}\Big)
          = e^{5L/n}\quad(\text{equal widths}),

up to a prefactor depending on :math:`L/n` and :math:`O(\sum_\ell n_\ell^{-2})`
corrections, so the relative variance
:math:`\mathrm{Var}K/(\mathbb EK)^2` is an exponentially growing function of
:math:`L/n`, not of :math:`n` alone ([Roberts2022] call :math:`L/n`
the expansion parameter of the effective theory).

:func:`ntk_diagonal_samples` draws :math:`K` for many independent networks at
once: the weights of S networks are stacked as ``(S, n_out, n_in)`` tensors
and the forward and backward passes are batched matrix products, so no
``nn.Module`` is built per network. :func:`ntk_relative_variance` turns the
samples into the ratio above with a delta-method standard error, over a grid
of widths and depths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_int, check_points, check_positive
from learntheory.ntk.config import MLPConfig

__all__ = [
    "NTKFluctuations",
    "fluctuation_rate",
    "ntk_diagonal_samples",
    "ntk_relative_variance",
]


def _relu_ntk_config(config: MLPConfig, owner: str) -> MLPConfig:
    check_instance(config, "config", MLPConfig, owner=owner)
    config.require_width(owner)
    if config.activation != "relu" or config.parameterization != "ntk":
        raise ValueError(f"The 'config' parameter of {owner} must be a ReLU network in NTK "
                         f"parameterization. Got activation={config.activation!r}, "
                         f"parameterization={config.parameterization!r} instead.")
    return config


def ntk_diagonal_samples(
    x: torch.Tensor,
    *,
    config: MLPConfig,
    n_networks: int,
    chunk_size: int = 256,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""NTK diagonals :math:`\hat\Theta(x_j, x_j)` of many independent random ReLU networks.

    Parameters
    ----------
    x : torch.Tensor, shape (k, d)
        A few inputs; every network is evaluated at all of them.
    config : MLPConfig
        A finite-width ReLU network in NTK parameterization (scalar output), as
        given to :func:`~learntheory.ntk.mlp.make_mlp`.
    n_networks : int
        Number of independent networks S.
    chunk_size : int
        Networks drawn at a time (memory ``chunk_size * n**2`` numbers per layer).
    generator : torch.Generator, optional
        Source of randomness; must live on ``x``'s device.

    Returns
    -------
    torch.Tensor, shape (S, k)
        Same device and dtype as ``x``. Row s holds network s's
        :math:`\hat\Theta(x_j, x_j)`, with the law of
        ``empirical_ntk(make_mlp(d, config=config), x).diagonal()``.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter for invalid ``x``, non-positive sizes or scales.

    Notes
    -----
    With :math:`\delta^\ell = \partial f/\partial h^\ell` and post-activations
    :math:`a^\ell` (:math:`a^0 = x`), the structured formula of the empirical NTK
    restricted to the diagonal reads

    .. math:: \hat\Theta(x, x) = \sum_{\ell=1}^{L+1}\lVert\delta^\ell\rVert^2
              \Big(\frac{\sigma_w^2}{n_{\ell-1}}\lVert a^{\ell-1}\rVert^2 + \sigma_b^2\Big).

    Each chunk draws, layer by layer, the raw weights ``(s, n_l, n_{l-1})`` and
    then the raw biases ``(s, n_l)`` from ``generator``. Implements the object of
    [HaninNica2020], Thm. 1 (there without biases: ``sigma_b=0``) through the
    structured NTK of [Novak2022], Sec. 3; book: ``eq-ntk-fluctuations``.
    """
    owner = "ntk_diagonal_samples"
    check_points(x, "x", owner=owner)
    cfg = _relu_ntk_config(config, owner)
    n, L, sw, sb = cfg.width, cfg.depth, cfg.sigma_w, cfg.sigma_b
    S = check_int(n_networks, "n_networks", owner=owner)
    chunk = check_int(chunk_size, "chunk_size", owner=owner)
    k, d = x.shape
    widths = (d,) + (n,) * L + (1,)
    out = []
    for start in range(0, S, chunk):
        s = min(chunk, S - start)
        weights = []
        a = x.expand(s, k, d)
        pre, post = [], [a]                                    # h^l and a^{l-1}, l = 1..L+1
        for ell in range(L + 1):
            fan_in, fan_out = widths[ell], widths[ell + 1]
            w = torch.randn(s, fan_out, fan_in, generator=generator, device=x.device,
                            dtype=x.dtype)
            b = torch.randn(s, 1, fan_out, generator=generator, device=x.device, dtype=x.dtype)
            weights.append(w)
            h = (sw / math.sqrt(fan_in)) * (a @ w.mT) + sb * b     # (s, k, fan_out)
            pre.append(h)
            if ell < L:
                a = torch.relu(h)
                post.append(a)
        delta = torch.ones(s, k, 1, device=x.device, dtype=x.dtype)   # df/dh^{L+1}
        total = x.new_zeros(s, k)
        for ell in range(L, -1, -1):
            fan_in = widths[ell]
            forward = sw**2 / fan_in * (post[ell] ** 2).sum(-1) + sb**2     # (s, k)
            total = total + (delta**2).sum(-1) * forward
            if ell > 0:                                       # back through layer ell
                delta = (sw / math.sqrt(fan_in)) * (delta @ weights[ell])
                delta = delta * (pre[ell - 1] > 0).to(x.dtype)
        out.append(total)
    return torch.cat(out, dim=0)


@dataclass(frozen=True)
class NTKFluctuations:
    """Relative second moment of the NTK diagonal over a grid of depths and widths.

    Attributes
    ----------
    depths, widths : list of int
    ratio : torch.Tensor, shape (D, W)
        Depth over width :math:`L/n`.
    excess : torch.Tensor, shape (D, W)
        :math:`\\mathbb E[K^2]/\\mathbb E[K]^2 - 1 = \\mathrm{Var}K/(\\mathbb EK)^2`,
        estimated from the samples (averaged over the k inputs).
    stderr : torch.Tensor, shape (D, W)
        Delta-method standard error of ``excess``.
    """

    depths: list[int]
    widths: list[int]
    ratio: torch.Tensor
    excess: torch.Tensor
    stderr: torch.Tensor


def _excess_and_se(samples: torch.Tensor) -> tuple[float, float]:
    """``E[K^2]/E[K]^2 - 1`` and its delta-method SE, averaged over columns."""
    S = samples.shape[0]
    m1, m2 = samples.mean(0), (samples**2).mean(0)
    excess = m2 / m1**2 - 1
    g1, g2 = -2 * m2 / m1**3, 1 / m1**2                       # gradient in (m1, m2)
    u = g1 * (samples - m1) + g2 * (samples**2 - m2)          # influence function, (S, k)
    se = u.mean(1).std() / math.sqrt(S)                       # of the column average
    return float(excess.mean()), float(se)


def ntk_relative_variance(
    x: torch.Tensor,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    depths: Sequence[int],
    n_networks: int,
    generator: torch.Generator | None = None,
) -> NTKFluctuations:
    r"""Relative variance of the NTK diagonal at initialisation for each depth and width.

    Parameters
    ----------
    x : torch.Tensor, shape (k, d)
    config : MLPConfig
        A ReLU network in NTK parameterization; its width and depth are replaced
        by each of ``widths`` and ``depths``.
    widths, depths : sequence of int
    n_networks : int
        Networks per (depth, width) cell.
    generator : torch.Generator, optional

    Returns
    -------
    NTKFluctuations
        Tensors of shape (len(depths), len(widths)), float64 on the CPU.

    Notes
    -----
    Compare ``excess`` with :math:`e^{5L/n} - 1` ([HaninNica2020], Thm. 1 and
    the equal-width corollary); book: ``eq-ntk-fluctuations``.
    """
    owner = "ntk_relative_variance"
    check_points(x, "x", owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    widths = [check_int(w, "widths", owner=owner) for w in widths]
    depths = [check_int(L, "depths", owner=owner) for L in depths]
    S = check_int(n_networks, "n_networks", owner=owner, minimum=2)
    excess = torch.empty(len(depths), len(widths), dtype=torch.float64)
    se = torch.empty_like(excess)
    for i, L in enumerate(depths):
        for j, n in enumerate(widths):
            samples = ntk_diagonal_samples(x, config=config.replace(width=n, depth=L),
                                           n_networks=S, generator=generator)
            excess[i, j], se[i, j] = _excess_and_se(samples.double())
    ratio = torch.tensor([[L / n for n in widths] for L in depths], dtype=torch.float64)
    return NTKFluctuations(depths, widths, ratio, excess, se)


def fluctuation_rate(result: NTKFluctuations, *, max_ratio: float = 0.25) -> tuple[float, float]:
    r"""Fit :math:`\log(1 + \mathrm{excess}) = c\,L/n` through the origin; return ``(c, se)``.

    Parameters
    ----------
    result : NTKFluctuations
    max_ratio : float
        Only cells with :math:`L/n \le` ``max_ratio`` enter the fit (beyond it the
        diagonal is heavy-tailed and a Monte Carlo estimate of :math:`\mathbb E[K^2]` is
        biased low at any practical number of networks).

    Returns
    -------
    (float, float)
        The rate :math:`c` and its least-squares standard error (from the residuals).

    Raises
    ------
    ValueError
        If fewer than two cells have :math:`L/n \le` ``max_ratio``.

    Notes
    -----
    [HaninNica2020], Thm. 1: :math:`\mathbb E[K^2]/\mathbb E[K]^2` is exponential in
    :math:`\sum_\ell 1/n_\ell = L/n`; book: ``eq-ntk-fluctuations``.
    """
    owner = "fluctuation_rate"
    hi = check_positive(max_ratio, "max_ratio", owner=owner)
    keep = result.ratio <= hi
    if int(keep.sum()) < 2:
        raise ValueError(f"The 'max_ratio' parameter of {owner} must keep at least 2 cells. "
                         f"Got {max_ratio} with smallest L/n {float(result.ratio.min())}.")
    r, z = result.ratio[keep], torch.log1p(result.excess[keep])
    c = float((r * z).sum() / (r * r).sum())
    rss = float(((z - c * r) ** 2).sum())
    se = math.sqrt(rss / (r.numel() - 1) / float((r * r).sum()))
    return c, se
