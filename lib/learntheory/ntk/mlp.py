r"""The finite fully-connected network in NTK, standard and muP parameterization.

Every layer is written in *abc form* ([YangHu2021]): a trainable raw
weight :math:`w^\ell` drawn i.i.d. :math:`\mathcal N(0, s_\ell^2)` enters the
forward pass through a fixed multiplier :math:`m_\ell`,

.. math:: h^\ell = m_\ell\, w^\ell a^{\ell-1} + m^b_\ell\, b^\ell,\qquad
          a^\ell = \sigma(h^\ell),\qquad a^0 = x,\qquad f = h^{L+1},

and *one* global learning rate :math:`\eta` acts on the raw parameters. The
three parameterizations differ only in :math:`(m_\ell, s_\ell)`, so they
compute the same function in law at init but train differently: plain
gradient descent on :math:`w^\ell` moves the effective weight
:math:`W^\ell = m_\ell w^\ell` at the rate :math:`\eta m_\ell^2`.

======================  =====================  ======================  ===============
layer (fan-in)           ``"ntk"``              ``"standard"``          ``"mup"``
======================  =====================  ======================  ===============
input (:math:`d`)        m = σ_w/√d, s = 1      m = 1, s = σ_w/√d       m = σ_w√n/√d, s = 1/√n
hidden (:math:`n`)       m = σ_w/√n, s = 1      m = 1, s = σ_w/√n       m = σ_w, s = 1/√n
output (:math:`n`)       m = σ_w/√n, s = 1      m = 1, s = σ_w/√n       m = σ_w/√n, s = 1/√n
hidden bias              m = σ_b, s = 1         m = 1, s = σ_b          m = σ_b√n, s = 1/√n
output bias              m = σ_b, s = 1         m = 1, s = σ_b          m = σ_b, s = 1
======================  =====================  ======================  ===============

The muP column is the abc-parameterization of [YangHu2021] ("muP":
:math:`a = (-\tfrac12, 0, \tfrac12)`, :math:`b = \tfrac12`, :math:`c = 0`) with
the fixed input fan-in :math:`d` scaled like ``"ntk"`` and hidden biases treated
as input weights. Effective SGD learning rates per layer are
:math:`\eta\sigma_w^2 n/d` (input), :math:`\eta\sigma_w^2` (hidden),
:math:`\eta\sigma_w^2/n` (output), matching the SGD muP table of Tensor
Programs V. The output is :math:`O(n^{-1/2})` at init.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from learntheory._core import check_choice, check_int, check_points, resolve_factory
from learntheory.ntk.config import PARAMETERIZATIONS, MLPConfig, resolve_config

__all__ = ["ACTIVATIONS", "MLP", "PARAMETERIZATIONS", "activation_derivative", "make_mlp"]

_SQRT_PI = math.sqrt(math.pi)


def _relu_prime(h: torch.Tensor) -> torch.Tensor:
    return (h > 0).to(h.dtype)


def _erf_prime(h: torch.Tensor) -> torch.Tensor:
    return (2.0 / _SQRT_PI) * torch.exp(-h * h)


#: Activation and its derivative, by name.
ACTIVATIONS: dict[str, tuple[Callable[[torch.Tensor], torch.Tensor], ...]] = {
    "relu": (torch.relu, _relu_prime),
    "erf": (torch.erf, _erf_prime),
}


def activation_derivative(h: torch.Tensor, activation: str) -> torch.Tensor:
    """The derivative :math:`\\dot\\sigma(h)` elementwise (ReLU: the step, 0 at 0)."""
    check_choice(activation, "activation", ACTIVATIONS, owner="activation_derivative")
    return ACTIVATIONS[activation][1](h)


def _scales(parameterization: str, fan_in: int, width: int, kind: str, sigma: float):
    """Return (multiplier, init std) of one tensor; ``kind`` in input/hidden/output/bias/outbias."""
    if parameterization == "ntk":
        return (sigma if kind in ("bias", "outbias") else sigma / math.sqrt(fan_in)), 1.0
    if parameterization == "standard":
        return 1.0, (sigma if kind in ("bias", "outbias") else sigma / math.sqrt(fan_in))
    root = math.sqrt(width)  # muP
    return {
        "input": (sigma * root / math.sqrt(fan_in), 1.0 / root),
        "hidden": (sigma, 1.0 / root),
        "output": (sigma / root, 1.0 / root),
        "bias": (sigma * root, 1.0 / root),
        "outbias": (sigma, 1.0),
    }[kind]


class MLP(nn.Module):
    r"""Fully-connected network :math:`f(x) = h^{L+1}(x)` in abc form (see module docstring).

    Build it with :func:`make_mlp`. The structured empirical NTK
    (:func:`learntheory.ntk.empirical_ntk`) reads the attributes below.

    Attributes
    ----------
    weights : nn.ParameterList
        Raw weights :math:`w^\ell`, shapes ``(n_l, n_{l-1})`` for l = 1..L+1.
    biases : nn.ParameterList
        Raw biases :math:`b^\ell`, shapes ``(n_l,)`` (empty if ``bias=False``).
    weight_multipliers, bias_multipliers : tuple of float
        :math:`m_\ell` and :math:`m^b_\ell` (bias ones are 0 if ``bias=False``).
    widths : tuple of int
        :math:`(n_0 = d, n_1, \dots, n_L, n_{L+1} = \text{out\_dim})`.
    activation, parameterization : str
    sigma_w, sigma_b : float
    """

    def __init__(
        self,
        widths: tuple[int, ...],
        weight_multipliers: tuple[float, ...],
        bias_multipliers: tuple[float, ...],
        weights: list[torch.Tensor],
        biases: list[torch.Tensor] | None,
        *,
        activation: str,
        parameterization: str,
        sigma_w: float,
        sigma_b: float,
    ) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.weight_multipliers = tuple(weight_multipliers)
        self.bias_multipliers = tuple(bias_multipliers)
        self.activation = activation
        self.parameterization = parameterization
        self.sigma_w = sigma_w
        self.sigma_b = sigma_b
        self.weights = nn.ParameterList([nn.Parameter(w) for w in weights])
        self.biases = nn.ParameterList([nn.Parameter(b) for b in (biases or [])])
        self._sigma = ACTIVATIONS[activation][0]

    @property
    def depth(self) -> int:
        """Number of hidden layers L."""
        return len(self.widths) - 2

    @property
    def has_bias(self) -> bool:
        """Whether the layers carry trainable biases."""
        return len(self.biases) > 0

    def _layer(self, ell: int, a: torch.Tensor) -> torch.Tensor:
        h = self.weight_multipliers[ell] * (a @ self.weights[ell].mT)
        if self.has_bias:
            h = h + self.bias_multipliers[ell] * self.biases[ell]
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network output, ``(n, d) -> (n, out_dim)``."""
        a = x
        for ell in range(self.depth):
            a = self._sigma(self._layer(ell, a))
        return self._layer(self.depth, a)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        r"""Post-activations :math:`a^1, \dots, a^L` of the hidden layers, each ``(n, n_l)``."""
        out, a = [], x
        for ell in range(self.depth):
            a = self._sigma(self._layer(ell, a))
            out.append(a)
        return out

    @property
    def config(self) -> MLPConfig:
        """The :class:`MLPConfig` this network was drawn from (its kernels' configuration)."""
        return MLPConfig(depth=self.depth, width=self.widths[1], activation=self.activation,
                         sigma_w=self.sigma_w, sigma_b=self.sigma_b,
                         parameterization=self.parameterization)

    def extra_repr(self) -> str:
        return (f"widths={self.widths}, activation={self.activation!r}, "
                f"parameterization={self.parameterization!r}, sigma_w={self.sigma_w}, "
                f"sigma_b={self.sigma_b}")


def make_mlp(
    in_dim: int,
    width: int | None = None,
    depth: int | None = None,
    *,
    config: MLPConfig | None = None,
    out_dim: int = 1,
    activation: str | None = None,
    parameterization: str | None = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
    bias: bool = True,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    generator: torch.Generator | None = None,
) -> MLP:
    r"""Draw a random fully-connected network ``in_dim -> width x depth -> out_dim``.

    Parameters
    ----------
    in_dim : int
        Input dimension :math:`d = n_0` (>= 1).
    width, depth : int
        Hidden width :math:`n` (the same for all hidden layers) and number of
        hidden layers :math:`L` (there are L + 1 linear layers); or give ``config``.
    config : MLPConfig, optional
        The whole architecture in one object (with a finite width); then
        ``width``, ``depth``, ``activation``, ``parameterization``, ``sigma_w``
        and ``sigma_b`` must not be given. Pass the same object to
        :func:`~learntheory.ntk.analytic.mlp_kernels` for its kernels.
    out_dim : int
        Output dimension :math:`O` (>= 1).
    activation : {"relu", "erf"}
        Default ``"relu"`` (:class:`MLPConfig`'s defaults apply to every field).
    parameterization : {"ntk", "standard", "mup"}
        See the module docstring for the multipliers and init scales (default ``"ntk"``).
    sigma_w : float
        Weight scale :math:`\sigma_w > 0` (default :math:`\sqrt2`).
    sigma_b : float
        Bias scale :math:`\sigma_b \ge 0` (Jacot's :math:`\beta`; default 0).
    bias : bool
        Whether layers have trainable biases. With ``bias=True`` and
        ``sigma_b=0`` the biases of the standard parameterization start at 0 but
        still train (and contribute to its NTK); in the ntk/muP forms their
        multiplier is 0.
    device, dtype, generator
        Where and how to draw the parameters (see :func:`learntheory.make_generator`).

    Returns
    -------
    MLP
        An ``nn.Module`` mapping ``(n, d)`` to ``(n, out_dim)``; ``.config`` gives
        back its :class:`MLPConfig`.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter for a non-int or < 1 size, an unknown activation or
        parameterization, or a non-positive ``sigma_w`` / negative ``sigma_b``.

    Notes
    -----
    NTK parameterization: :math:`h^\ell = \frac{\sigma_w}{\sqrt{n_{\ell-1}}}W^\ell a^{\ell-1}
    + \sigma_b b^\ell` with :math:`W, b \sim \mathcal N(0, 1)`. Implements the network
    of [Jacot2018] (their :math:`\beta` is ``sigma_b``) with the weight scale
    :math:`\sigma_w` of [Lee2019]; the muP variant is the abc-parameterization
    of [YangHu2021]; book: ``eq-mup``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> net = lt.ntk.make_mlp(3, 16, 2, generator=torch.Generator().manual_seed(0))
    >>> net(torch.zeros(5, 3)).shape
    torch.Size([5, 1])
    >>> cfg = lt.ntk.MLPConfig(depth=2, width=16, sigma_b=0.1)
    >>> lt.ntk.make_mlp(3, config=cfg).config == cfg
    True
    """
    owner = "make_mlp"
    in_dim = check_int(in_dim, "in_dim", owner=owner)
    if width is None and depth is None and config is None:
        raise TypeError(f"{owner} needs 'config' (an MLPConfig) or 'width' and 'depth'. "
                        f"Got neither.")
    cfg = resolve_config(config, owner, allow_infinite=False, width=width, depth=depth,
                         activation=activation, parameterization=parameterization,
                         sigma_w=sigma_w, sigma_b=sigma_b)
    width, depth, activation = cfg.width, cfg.depth, cfg.activation
    parameterization, sigma_w, sigma_b = cfg.parameterization, cfg.sigma_w, cfg.sigma_b
    out_dim = check_int(out_dim, "out_dim", owner=owner)
    if not isinstance(bias, bool):
        raise TypeError(f"The 'bias' parameter of make_mlp must be a bool. Got {bias!r} instead.")
    device, dtype = resolve_factory(device, dtype, generator)

    widths = (in_dim,) + (width,) * depth + (out_dim,)
    w_mult, b_mult, weights, biases = [], [], [], []
    for ell in range(depth + 1):
        fan_in, fan_out = widths[ell], widths[ell + 1]
        kind = "input" if ell == 0 else ("output" if ell == depth else "hidden")
        m, s = _scales(parameterization, fan_in, width, kind, sigma_w)
        w_mult.append(m)
        weights.append(s * torch.randn(fan_out, fan_in, device=device, dtype=dtype,
                                       generator=generator))
        mb, sb = _scales(parameterization, fan_in, width, "outbias" if ell == depth else "bias",
                         sigma_b)
        b_mult.append(mb if bias else 0.0)
        if bias:
            biases.append(sb * torch.randn(fan_out, device=device, dtype=dtype,
                                           generator=generator))
    return MLP(widths, tuple(w_mult), tuple(b_mult), weights, biases if bias else None,
               activation=activation, parameterization=parameterization,
               sigma_w=sigma_w, sigma_b=sigma_b)


def check_mlp_input(model: MLP, x: torch.Tensor, name: str, owner: str) -> torch.Tensor:
    """Validate ``x`` as a batch ``(n, d)`` for ``model`` on the model's device and dtype."""
    check_points(x, name, owner=owner, features=model.widths[0])
    p = model.weights[0]
    if x.device != p.device or x.dtype != p.dtype:
        raise ValueError(f"The '{name}' parameter of {owner} must match the model's device and "
                         f"dtype ({p.device}, {p.dtype}). Got ({x.device}, {x.dtype}) instead.")
    return x
