r"""ReLU activation flips during training: the part that averages out and the part that does not.

For one hidden layer (book: ``eq-ntk-one-layer``) the hidden layer's gradients enter the
NTK through :math:`\phi'(h_j(x))\phi'(h_j(x'))`, a step for the ReLU. Unit :math:`j`
*flips* on input :math:`x` when training moves :math:`h_j(x)` across zero, and then changes
:math:`\hat\Theta(x, x')` by

.. math::

    c_j(x, x') = m_{\rm out}^2\, v_j^2\,\bigl[\phi'_{j,T}(x)\phi'_{j,T}(x')
    - \phi'_{j,0}(x)\phi'_{j,0}(x')\bigr]\,k_0(x, x'),\qquad
    k_0(x, x') = m_1^2\, x^\top x' + (m^b_1)^2,

with :math:`v_j` the unit's readout weight at initialisation. The *flip part* of the
kernel change is :math:`F = \sum_j c_j`.

Every unit's hidden weights move by a step proportional to :math:`v_j` times a sum over
training inputs that does not involve :math:`v_j`'s sign. So each unit can be replayed
against the network's own recorded residuals :math:`r(t)` with :math:`-v_j` in place of
:math:`v_j` (one unit alone does not change :math:`r(t)` as :math:`n\to\infty`), giving its
mirror contribution :math:`\tilde c_j`. This splits :math:`F` exactly into the part even in
the readout weights, :math:`E = \sum_j (c_j + \tilde c_j)/2`, and the odd part
:math:`O = \sum_j (c_j - \tilde c_j)/2`. The odd terms have mean zero given everything
else, so :math:`O` is a random walk over the :math:`\propto n^{1/2}` flipping units and
falls like :math:`n^{-3/4}`. The even terms have a non-zero mean on a training input
:math:`x_a`, because :math:`x_a`'s own residual pushes :math:`h_j(x_a)` only while the unit
is active there; their sum has a coherent part that falls like :math:`n^{-1/2}`
(book: ``ntk-flip-parts``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_int, check_positive, check_targets
from learntheory.ntk.config import MLPConfig
from learntheory.ntk.empirical import empirical_ntk
from learntheory.ntk.mlp import MLP, check_mlp_input, make_mlp
from learntheory.rates import loglog_slope

__all__ = ["FLIP_FIELDS", "FlipParts", "FlipSweep", "activation_flip_parts", "flip_sweep"]

_CHUNK = 16384  # units per block: keeps the (P, P, units) per-unit tensors small


@dataclass(frozen=True)
class FlipParts:
    r"""Sizes of the flip part of the NTK change on one set of inputs.

    Every size is a Frobenius norm over the inputs' kernel matrix divided by
    :math:`\lVert\hat\Theta_0\rVert_F` on the same inputs.

    Attributes
    ----------
    flip : float
        :math:`\lVert F\rVert`, the whole flip part.
    even, odd : float
        :math:`\lVert E\rVert` and :math:`\lVert O\rVert` (:math:`F = E + O`).
    excess : float
        :math:`\sum_{ab}k_{ab}^2[(\sum_j e_j)^2 - \sum_j e_j^2] / \lVert\hat\Theta_0
        \rVert_F^2`: how much the squared even sum exceeds what independent terms give. Its
        mean is 0 when the even terms have mean zero (it may then come out negative) and
        the squared coherent part when they do not.
    coherent : float
        :math:`\sqrt{\max(0, \text{excess})}`: the part of the even sum beyond a random walk,
        :math:`\max\bigl(0, \sum_{ab}[(\sum_j e_j)^2 - \sum_j e_j^2]\bigr)^{1/2}`
        (each entry with its :math:`k_0` factor) (0 when the even terms have mean zero, up to
        noise; :math:`\propto n^{-1/2}` when they do not).
    random : float
        :math:`(\sum_{ab}\sum_j c_j^2)^{1/2}`: the size the flip part would have if every
        unit's contribution had an independent random sign (:math:`\propto n^{-3/4}`).
    flips : float
        Units whose activation changes sign, per input.
    """

    flip: float
    even: float
    odd: float
    excess: float
    coherent: float
    random: float
    flips: float


FLIP_FIELDS = ("flip", "even", "odd", "excess", "coherent", "random", "flips")


@dataclass(frozen=True)
class FlipSweep:
    """:func:`flip_sweep`'s measurements.

    Attributes
    ----------
    widths : list of int
    values : torch.Tensor, shape (n_probes, len(FLIP_FIELDS), n_widths, n_seeds)
        Every :class:`FlipParts` field, float64 on the CPU.
    """

    widths: list[int]
    values: torch.Tensor

    def get(self, name: str, probe: int = 0) -> torch.Tensor:
        """Field ``name`` of :class:`FlipParts` on probe set ``probe``: (n_widths, n_seeds)."""
        if name not in FLIP_FIELDS:
            raise ValueError(f"The 'name' parameter of FlipSweep.get must be one of "
                             f"{FLIP_FIELDS}. Got {name!r} instead.")
        return self.values[probe, FLIP_FIELDS.index(name)]

    def slopes(self, name: str, probe: int = 0) -> torch.Tensor:
        """Per-network log-log slopes of field ``name`` against the width: (n_seeds,).

        Each network index is one sequence over the widths (:func:`~learntheory.loglog_slope`
        per index); their mean and spread give a slope with a standard error. Meaningless
        for ``excess``, which can be negative.
        """
        values = self.get(name, probe)
        return torch.tensor([loglog_slope(self.widths, values[:, s]).slope
                             for s in range(values.shape[1])], dtype=torch.float64)


def _step(model: MLP, x: torch.Tensor, r: torch.Tensor, lr: float) -> None:
    """One GD step on 1/2 sum (f - y)^2 whose residual is ``r`` (held fixed)."""
    params = list(model.parameters())
    grads = torch.autograd.grad((model(x)[:, 0] * r).sum(), params)
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p.sub_(lr * g)


def _train(model: MLP, x: torch.Tensor, y: torch.Tensor, lr: float,
           steps: int) -> list[torch.Tensor]:
    """Train in place; return the residuals r(t) = f_t(x) - y used at each step."""
    history = []
    for _ in range(steps):
        with torch.no_grad():
            r = model(x)[:, 0] - y
        history.append(r)
        _step(model, x, r, lr)
    return history


def _replay(model: MLP, x: torch.Tensor, residuals: list[torch.Tensor], lr: float) -> None:
    """Move ``model`` in place by the steps the recorded residuals dictate."""
    for r in residuals:
        _step(model, x, r, lr)


def _signs(model: MLP, z: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return (model.features(z)[0] > 0).to(z.dtype)  # (P, n)


def _parts(model0: MLP, trained: MLP, mirror: MLP, z: torch.Tensor) -> FlipParts:
    m1, mb, m_out = (model0.weight_multipliers[0], model0.bias_multipliers[0],
                     model0.weight_multipliers[1])
    k = m_out**2 * (m1**2 * (z @ z.T) + mb**2)  # (P, P): m_out^2 k0
    v2 = model0.weights[1].detach()[0] ** 2
    d0, d1, dm = (_signs(m, z) for m in (model0, trained, mirror))
    p, n = d0.shape
    acc = {key: z.new_zeros(p, p) for key in ("c", "c2", "e", "e2", "o")}
    for s in range(0, n, _CHUNK):
        cols = slice(s, s + _CHUNK)
        a0, a1, am, w = d0[:, cols], d1[:, cols], dm[:, cols], v2[cols]
        base = a0[:, None] * a0[None]
        c = w * (a1[:, None] * a1[None] - base)  # (P, P, units)
        cm = w * (am[:, None] * am[None] - base)
        e = 0.5 * (c + cm)
        for key, t in (("c", c), ("c2", c * c), ("e", e), ("e2", e * e),
                       ("o", 0.5 * (c - cm))):
            acc[key] += t.sum(-1)
    norm = float(empirical_ntk(model0, z).norm())

    def size(t: torch.Tensor) -> float:
        return float((k * t).norm()) / norm

    excess = float(((acc["e"] ** 2 - acc["e2"]) * k**2).sum()) / norm**2
    return FlipParts(
        flip=size(acc["c"]), even=size(acc["e"]), odd=size(acc["o"]), excess=excess,
        coherent=max(excess, 0.0) ** 0.5,
        random=float(((acc["c2"]) * k**2).sum().sqrt()) / norm,
        flips=float((d1 != d0).sum()) / p,
    )


def activation_flip_parts(
    model0: MLP,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    lr: float,
    steps: int,
    probes: Sequence[torch.Tensor] | None = None,
) -> tuple[FlipParts, ...]:
    r"""Train a copy of a one-hidden-layer ReLU network and split its flip part.

    Parameters
    ----------
    model0 : MLP
        The network at initialisation: one hidden layer, ``activation="relu"``, one output.
        It is not modified.
    x : torch.Tensor, shape (N, d)
    y : torch.Tensor, shape (N,)
        Training set, on the model's device and dtype.
    lr : float
        Step size on :math:`\tfrac12\sum_i (f(x_i) - y_i)^2`, as
        :func:`~learntheory.ntk.train_mlp` with ``loss="sum"``.
    steps : int
        Number of full-batch gradient steps (>= 1).
    probes : sequence of torch.Tensor, optional
        Input sets (M_k, d) on which to measure the flip part (default ``(x,)``).

    Returns
    -------
    tuple of FlipParts
        One per probe set, in order.

    Raises
    ------
    TypeError, ValueError
        Naming 'model0' (not an MLP, not one ReLU hidden layer with one output), 'x', 'y',
        'lr', 'steps' or 'probes'.

    Notes
    -----
    The per-unit change :math:`c_j` is the flip term of Eq. (eq-ntk-one-layer) (the NTK of
    [Jacot2018] written per unit); the mirror replay and the even/odd split are this book's
    (book: ``ntk-flip-parts``). The rates they test, :math:`n^{-1/2}` and
    :math:`n^{-3/4}`, are measured against the :math:`O(n^{-1/2})` bound of [Lee2019],
    Thm. 2.1.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> data = lt.datasets.circle_regression(12, 10, dtype=torch.float64)
    >>> cfg = lt.ntk.MLPConfig(depth=1, width=256, sigma_b=0.1)
    >>> net = lt.ntk.make_mlp(2, config=cfg, dtype=torch.float64,
    ...                       generator=lt.make_generator(0))
    >>> (parts,) = lt.ntk.activation_flip_parts(net, data.x, data.y, lr=0.1, steps=50)
    >>> abs(parts.flip - (parts.even + parts.odd)) <= parts.even + parts.odd
    True
    """
    owner = "activation_flip_parts"
    if not isinstance(model0, MLP):
        raise TypeError(f"The 'model0' parameter of {owner} must be an MLP. "
                        f"Got {type(model0).__name__} instead.")
    if model0.depth != 1 or model0.activation != "relu" or model0.widths[-1] != 1:
        raise ValueError(f"The 'model0' parameter of {owner} must have one hidden layer, "
                         f"activation 'relu' and one output. Got widths {model0.widths}, "
                         f"activation {model0.activation!r} instead.")
    x = check_mlp_input(model0, x, "x", owner)
    y = check_targets(y, "y", n=x.shape[0], owner=owner, like=x)
    if y.ndim != 1:
        raise ValueError(f"The 'y' parameter of {owner} must have shape (N,) = "
                         f"({x.shape[0]},). Got {tuple(y.shape)} instead.")
    lr = check_positive(lr, "lr", owner=owner)
    steps = check_int(steps, "steps", owner=owner, minimum=1)
    probes = (x,) if probes is None else tuple(probes)
    if not probes:
        raise ValueError(f"The 'probes' parameter of {owner} must hold at least one input "
                         "set. Got an empty sequence instead.")
    probes = tuple(check_mlp_input(model0, z, "probes", owner) for z in probes)
    trained = copy.deepcopy(model0).requires_grad_(True)
    residuals = _train(trained, x, y, lr, steps)
    mirror = copy.deepcopy(model0).requires_grad_(True)
    with torch.no_grad():
        mirror.weights[1].neg_()
    _replay(mirror, x, residuals, lr)
    return tuple(_parts(model0, trained, mirror, z) for z in probes)


def flip_sweep(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    n_seeds: int,
    lr: float,
    steps: int,
    probes: Sequence[torch.Tensor] | None = None,
    generator: torch.Generator | None = None,
) -> FlipSweep:
    """:func:`activation_flip_parts` for ``n_seeds`` fresh networks at each width.

    ``config`` (one hidden ReLU layer) has its width replaced by each of ``widths``;
    networks are drawn by :func:`~learntheory.ntk.make_mlp` on ``x``'s device and dtype
    from ``generator``. The other arguments are those of :func:`activation_flip_parts`.

    Returns
    -------
    FlipSweep

    Notes
    -----
    Book: ``ntk-flip-parts``; the rates are read with :func:`learntheory.loglog_slope`.
    """
    owner = "flip_sweep"
    check_instance(config, "config", MLPConfig, owner=owner)
    seeds = check_int(n_seeds, "n_seeds", owner=owner)
    widths = [check_int(w, "widths", owner=owner) for w in widths]
    n_probes = 1 if probes is None else len(probes)
    out = torch.empty(n_probes, len(FLIP_FIELDS), len(widths), seeds, dtype=torch.float64)
    for i, w in enumerate(widths):
        for s in range(seeds):
            net = make_mlp(x.shape[1], config=config.with_width(w), device=x.device,
                           dtype=x.dtype, generator=generator)
            parts = activation_flip_parts(net, x, y, lr=lr, steps=steps, probes=probes)
            for p, part in enumerate(parts):
                out[p, :, i, s] = torch.tensor([getattr(part, f) for f in FLIP_FIELDS])
    return FlipSweep(widths, out)
