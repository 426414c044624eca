r"""Finite-width fluctuations of the NTK at initialisation, governed by depth over width.

At fixed depth the empirical NTK :math:`\hat\Theta` of a ReLU network in NTK
parameterization concentrates around :math:`\Theta` with fluctuations of order
:math:`n^{-1/2}`; the constant in front grows with depth. For the diagonal
:math:`K = \hat\Theta(x, x)` of a bias-free ReLU network (:math:`\sigma_w^2 = 2`),
[HaninNica2020] show that :math:`\mathbb E[K^2]/\mathbb E[K]^2` is of the order of
:math:`\exp(5\sum_\ell 1/n_\ell)`, up to factors that depend on :math:`L/n` (their
appendix, "Overall Scaling", drops constant factors). This module computes the
quantity itself:

* :func:`ntk_diagonal_samples` draws :math:`K` for many independent networks at
  once: the weights of S networks are stacked as ``(S, n_out, n_in)`` tensors
  and the forward and backward passes are batched matrix products.
* :func:`ntk_relative_variance` turns the samples into
  :math:`\mathrm{Var}K/(\mathbb EK)^2` with a delta-method standard error over a
  grid of widths and depths, and :func:`fluctuation_rate` fits
  :math:`\log(1 + \mathrm{Var}K/(\mathbb EK)^2) = c\,L/n`.
* :func:`relu_ntk_moment_ratio` is the layer-by-layer law of
  :math:`\mathbb E[K^2]/\mathbb E[K]^2` (exact for one hidden layer, exact to first
  order in :math:`1/n` at any depth): the :math:`L + 1` per-layer terms of
  :math:`K` share each hidden layer's randomness, with correlation 1/5 between a
  term that sees the layer forward and one that sees it backward. Its slope in
  :math:`L/n` is :math:`11/3` near 0 and tends to 5 only as :math:`L/n \to \infty`
  (book: ``eq-ntk-moment-ratio``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_int, check_points, check_positive
from learntheory.ntk.config import MLPConfig, layer_widths

__all__ = [
    "NTKFluctuations",
    "fluctuation_rate",
    "ntk_diagonal_samples",
    "ntk_relative_variance",
    "relu_ntk_moment_ratio",
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
    [HaninNica2020] (whose K also sums the gradients of zero-initialised biases; with
    ``sigma_b=0`` here only the weights contribute) through the
    structured NTK of [Novak2022]; book: ``eq-ntk-fluctuations``.
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
    Compare ``excess`` with :math:`e^{5L/n} - 1` (the order of magnitude
    of [HaninNica2020]) and with :func:`relu_ntk_moment_ratio`; book: ``eq-ntk-fluctuations``.
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
        The least-squares rate :math:`c = \sum_i r_i z_i / \sum_i r_i^2`
        (:math:`r = L/n`, :math:`z = \log(1 + \mathrm{excess})`) and its Monte Carlo
        standard error :math:`\sqrt{\sum_i r_i^2 s_i^2}/\sum_i r_i^2`, with
        :math:`s_i = \mathrm{stderr}_i/(1 + \mathrm{excess}_i)` (delta method; the cells
        are independent). This is the error of ``c`` as an estimate of the same fit
        applied to the exact values, not of a single "true" constant: the law is not
        exactly exponential (:func:`relu_ntk_moment_ratio`).

    Raises
    ------
    ValueError
        If fewer than two cells have :math:`L/n \le` ``max_ratio``.

    Notes
    -----
    [HaninNica2020]: :math:`\mathbb E[K^2]/\mathbb E[K]^2` is exponential in
    :math:`\sum_\ell 1/n_\ell = L/n` up to :math:`L/n`-dependent factors;
    book: ``eq-ntk-fluctuations``.
    """
    owner = "fluctuation_rate"
    hi = check_positive(max_ratio, "max_ratio", owner=owner)
    keep = result.ratio <= hi
    if int(keep.sum()) < 2:
        raise ValueError(f"The 'max_ratio' parameter of {owner} must keep at least 2 cells. "
                         f"Got {max_ratio} with smallest L/n {float(result.ratio.min())}.")
    r, z = result.ratio[keep], torch.log1p(result.excess[keep])
    s = result.stderr[keep] / (1 + result.excess[keep])
    rr = float((r * r).sum())
    c = float((r * z).sum()) / rr
    se = math.sqrt(float((r * r * s * s).sum())) / rr
    return c, se


def relu_ntk_moment_ratio(width: int | Sequence[int], depth: int) -> float:
    r"""Layer-by-layer law of :math:`\mathbb E[K^2]/\mathbb E[K]^2`, :math:`K = \hat\Theta(x, x)`.

    For a bias-free ReLU network in NTK parameterization (any :math:`\sigma_w`, any
    input :math:`x \ne 0`) with hidden widths :math:`n_1, \dots, n_L`.

    Parameters
    ----------
    width : int or sequence of int
        The hidden width n (all layers), or the L widths :math:`n_1..n_L`.
    depth : int
        Number of hidden layers L.

    Returns
    -------
    float
        .. math:: R = \frac{1}{(L+1)^2}\sum_{a,b=1}^{L+1}\ \prod_{i=1}^{L}
                  \Big(1 + \frac{c_i(a,b)}{n_i}\Big),\qquad
                  c_i(a,b) = \begin{cases}1 & \min(a,b) \le i < \max(a,b)\\
                  5 & \text{otherwise.}\end{cases}

    Notes
    -----
    :math:`K = \sum_{\ell=1}^{L+1} X_\ell` with :math:`X_\ell =
    \lVert\delta^\ell\rVert^2\,\tfrac{\sigma_w^2}{n_{\ell-1}}\lVert a^{\ell-1}\rVert^2`,
    all of the same mean. Hidden layer i multiplies :math:`X_\ell` by
    :math:`\tfrac2{n_i}\sum_j \mathrm{relu}(z_j)^2` if :math:`i < \ell` (forward) and by
    :math:`\tfrac2{n_i}\sum_j 1\{z_j > 0\}u_j^2` if :math:`i \ge \ell` (backward), with
    :math:`z_j, u_j` independent standard normals: both factors have mean 1 and
    :math:`\mathbb E[\text{factor}^2] = 1 + 5/n_i`, and a forward and a backward factor
    of the same layer have :math:`\mathbb E[\text{product}] = 1 + 1/n_i`. Treating
    the layers' factors as independent gives :math:`R`; it is exact for
    :math:`L = 1` (:math:`R = 1 + 3/n`) and to first order in :math:`1/n`, where
    :math:`R - 1 = \big[L + \tfrac{4L(2L+1)}{3(L+1)}\big]/n \to \tfrac{11}{3}\,L/n`.
    With :math:`n \to \infty` at fixed :math:`\beta = L/n`,
    :math:`R \to e^{5\beta}\,(4\beta - 1 + e^{-4\beta})/(8\beta^2)`: the growth rate 5 of
    [HaninNica2020] is reached only for :math:`\beta \gg 1`. Book: ``eq-ntk-moment-ratio``.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(lt.ntk.relu_ntk_moment_ratio(30, 1), 12)  # 1 + 3/n
    1.1
    """
    owner = "relu_ntk_moment_ratio"
    L = check_int(depth, "depth", owner=owner)
    widths = layer_widths(width, L, owner)
    # prefix sums of log(1 + 5/n_i) and log(1 + 1/n_i): layers lo..hi-1 get the 1
    p5, p1 = [0.0], [0.0]
    for n in widths:
        p5.append(p5[-1] + math.log1p(5.0 / n))
        p1.append(p1[-1] + math.log1p(1.0 / n))
    total = 0.0
    for lo in range(1, L + 2):
        total += math.exp(p5[L])                                  # a = b
        for hi in range(lo + 1, L + 2):                           # a < b, counted twice
            total += 2 * math.exp(p5[L] - (p5[hi - 1] - p5[lo - 1]) + (p1[hi - 1] - p1[lo - 1]))
    return total / (L + 1) ** 2
