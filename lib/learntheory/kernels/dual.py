r"""Dual activations: closed-form Gaussian expectations of ReLU and erf.

For a centred Gaussian pair :math:`(u, v)` with covariance
:math:`\begin{pmatrix} q_1 & c \\ c & q_2 \end{pmatrix}` the *dual activation*
of :math:`\sigma` is :math:`\mathbb E[\sigma(u)\sigma(v)]` and its derivative
kernel is :math:`\mathbb E[\dot\sigma(u)\dot\sigma(v)]`. Price's theorem links
them: :math:`\partial_c \mathbb E[\sigma(u)\sigma(v)] = \mathbb E[\dot\sigma(u)\dot\sigma(v)]`.
These are the building blocks of the NNGP and NTK recursions
(:mod:`learntheory.ntk.analytic`).

With :math:`\theta = \arccos\big(c/\sqrt{q_1 q_2}\big)` (cosine clipped into [-1, 1]):

* ReLU (arc-cosine kernel of degree 1 and 0, [ChoSaul2009]):
  :math:`\frac{1}{2\pi}\big(\sqrt{q_1q_2 - c^2} + (\pi - \theta)\,c\big)` and
  :math:`\frac{\pi - \theta}{2\pi}`;
* erf ([Williams1997]):
  :math:`\frac{2}{\pi}\arcsin\frac{2c}{\sqrt{(1+2q_1)(1+2q_2)}}` and
  :math:`\frac{4}{\pi}\big[(1+2q_1)(1+2q_2) - 4c^2\big]^{-1/2}`.

Notation: ``q1`` ↔ :math:`q_1 = \mathbb E u^2`, ``q2`` ↔ :math:`q_2 = \mathbb E v^2`,
``c`` ↔ :math:`c = \mathbb E uv`. All functions broadcast their three tensor
arguments and follow their device and dtype. Book: ``eq-dual-activation``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from learntheory._core import check_choice

__all__ = [
    "DUAL_ACTIVATIONS",
    "dual_activation",
    "erf_dual",
    "erf_dual_derivative",
    "relu_dual",
    "relu_dual_derivative",
]


def _as_tensors(q1: Any, q2: Any, c: Any, owner: str) -> tuple[torch.Tensor, ...]:
    ref = next((v for v in (c, q1, q2) if isinstance(v, torch.Tensor)), None)
    out = []
    for name, v in (("q1", q1), ("q2", q2), ("c", c)):
        if not isinstance(v, torch.Tensor):
            if ref is None:
                v = torch.as_tensor(v, dtype=torch.get_default_dtype())
            else:
                v = torch.as_tensor(v, dtype=ref.dtype, device=ref.device)
        if not v.is_floating_point():
            raise TypeError(f"The '{name}' parameter of {owner} must be a floating tensor. "
                            f"Got dtype {v.dtype} instead.")
        if not bool(torch.isfinite(v).all()):
            raise ValueError(f"The '{name}' parameter of {owner} must be finite. "
                             "Got NaN or inf entries.")
        out.append(v)
    for name, v in (("q1", out[0]), ("q2", out[1])):
        if bool((v < 0).any()):
            raise ValueError(f"The '{name}' parameter of {owner} is a variance and must be >= 0. "
                             f"Got min {float(v.min()):.3e} instead.")
    return tuple(out)


def _cosine(q1: torch.Tensor, q2: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Return sqrt(q1 q2) and the correlation clipped into [-1, 1] (0 where a variance is 0)."""
    norm = torch.sqrt(q1 * q2)
    tiny = torch.finfo(norm.dtype).tiny
    cos = (c / norm.clamp_min(tiny)).clamp(-1.0, 1.0)
    return norm, cos


def relu_dual(q1: Any, q2: Any, c: Any) -> torch.Tensor:
    r"""Arc-cosine kernel :math:`\mathbb E[\mathrm{relu}(u)\,\mathrm{relu}(v)]`.

    Parameters
    ----------
    q1, q2 : torch.Tensor or float
        Variances of ``u`` and ``v`` (>= 0); broadcastable with ``c``.
    c : torch.Tensor or float
        Covariance of ``u`` and ``v``.

    Returns
    -------
    torch.Tensor
        Broadcast shape of the inputs, on their device and dtype.

    Raises
    ------
    TypeError, ValueError
        Naming the argument for an integer dtype, NaN/inf, or a negative variance.

    Notes
    -----
    .. math:: \frac{\sqrt{q_1 q_2}}{2\pi}\big(\sin\theta + (\pi-\theta)\cos\theta\big),
              \quad \theta = \arccos\frac{c}{\sqrt{q_1 q_2}}

    evaluated as :math:`(\sqrt{q_1q_2 - c^2} + (\pi-\theta)c)/2\pi` with the
    cosine clipped into [-1, 1] (so ``x = x'`` gives no NaN).
    Implements the arc-cosine kernel J_1 of [ChoSaul2009], Sec. 2;
    book: ``eq-dual-activation``.

    Examples
    --------
    >>> import learntheory as lt
    >>> float(lt.kernels.relu_dual(1.0, 1.0, 1.0))  # E[relu(u)^2] = 1/2
    0.5
    """
    q1, q2, c = _as_tensors(q1, q2, c, "relu_dual")
    norm, cos = _cosine(q1, q2, c)
    theta = torch.arccos(cos)
    sin = torch.sqrt((1.0 - cos * cos).clamp_min(0.0))
    return norm * (sin + (math.pi - theta) * cos) / (2.0 * math.pi)


def relu_dual_derivative(q1: Any, q2: Any, c: Any) -> torch.Tensor:
    r"""Step-function kernel :math:`\mathbb E[\mathbb 1(u>0)\mathbb 1(v>0)] = (\pi-\theta)/2\pi`.

    Parameters and Returns as in :func:`relu_dual`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`relu_dual`.

    Notes
    -----
    Implements the arc-cosine kernel J_0 of [ChoSaul2009], Sec. 2 (the derivative kernel of
    ReLU); book: ``eq-dual-activation``. At zero variance the cosine is taken
    as 0 (the value 1/4).

    Examples
    --------
    >>> import learntheory as lt
    >>> float(lt.kernels.relu_dual_derivative(1.0, 1.0, -1.0))  # theta = pi
    0.0
    """
    q1, q2, c = _as_tensors(q1, q2, c, "relu_dual_derivative")
    _, cos = _cosine(q1, q2, c)
    return (math.pi - torch.arccos(cos)) / (2.0 * math.pi)


def erf_dual(q1: Any, q2: Any, c: Any) -> torch.Tensor:
    r"""Williams' kernel :math:`\mathbb E[\mathrm{erf}(u)\,\mathrm{erf}(v)]`.

    Parameters and Returns as in :func:`relu_dual`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`relu_dual`.

    Notes
    -----
    .. math:: \frac{2}{\pi}\arcsin\frac{2c}{\sqrt{(1+2q_1)(1+2q_2)}}

    (argument clipped into [-1, 1]). Implements the erf kernel of [Williams1997], Sec. 3
    with the bias folded into the covariance; book: ``eq-dual-activation``.

    Examples
    --------
    >>> import learntheory as lt
    >>> float(lt.kernels.erf_dual(0.0, 1.0, 0.0))
    0.0
    """
    q1, q2, c = _as_tensors(q1, q2, c, "erf_dual")
    arg = (2.0 * c / torch.sqrt((1.0 + 2.0 * q1) * (1.0 + 2.0 * q2))).clamp(-1.0, 1.0)
    return (2.0 / math.pi) * torch.arcsin(arg)


def erf_dual_derivative(q1: Any, q2: Any, c: Any) -> torch.Tensor:
    r"""Derivative kernel :math:`\mathbb E[\mathrm{erf}'(u)\,\mathrm{erf}'(v)]`.

    Parameters and Returns as in :func:`relu_dual`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`relu_dual`.

    Notes
    -----
    .. math:: \frac{4}{\pi}\big[(1+2q_1)(1+2q_2) - 4c^2\big]^{-1/2},
              \qquad \mathrm{erf}'(x) = \tfrac{2}{\sqrt\pi}e^{-x^2}.

    The determinant is floored at ``(1+2q1)+(1+2q2)-1 > 0``, its value at the
    Cauchy-Schwarz boundary :math:`c^2 = q_1q_2`, so round-off cannot make it
    vanish. Obtained from :func:`erf_dual` by Price's theorem
    (:math:`\partial_c`) of the erf kernel of [Williams1997], Sec. 3;
    book: ``eq-dual-activation``.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(float(lt.kernels.erf_dual_derivative(0.0, 0.0, 0.0)), 6)  # 4/pi
    1.273239
    """
    q1, q2, c = _as_tensors(q1, q2, c, "erf_dual_derivative")
    a1, a2 = 1.0 + 2.0 * q1, 1.0 + 2.0 * q2
    det = torch.maximum(a1 * a2 - 4.0 * c * c, a1 + a2 - 1.0)
    return (4.0 / math.pi) / torch.sqrt(det)


#: Dual activation and its derivative kernel, by activation name.
DUAL_ACTIVATIONS = {
    "relu": (relu_dual, relu_dual_derivative),
    "erf": (erf_dual, erf_dual_derivative),
}


def dual_activation(
    q1: Any, q2: Any, c: Any, *, activation: str = "relu"
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Both expectations :math:`(\mathbb E[\sigma\sigma], \mathbb E[\dot\sigma\dot\sigma])`.

    Parameters
    ----------
    q1, q2, c : torch.Tensor or float
        Covariance entries, broadcastable (see :func:`relu_dual`).
    activation : {"relu", "erf"}
        The nonlinearity :math:`\sigma`.

    Returns
    -------
    value, derivative : torch.Tensor
        Broadcast shape, on the inputs' device and dtype.

    Raises
    ------
    ValueError
        If ``activation`` is unknown, or as in :func:`relu_dual`.

    Notes
    -----
    Implements the arc-cosine kernels of [ChoSaul2009], Sec. 2 (ReLU) and the
    erf kernel of [Williams1997], Sec. 3 (erf); book: ``eq-dual-activation``.

    Examples
    --------
    >>> import learntheory as lt
    >>> v, d = lt.kernels.dual_activation(1.0, 1.0, 0.0, activation="relu")
    >>> round(float(v), 6), float(d)  # 1/(2 pi), 1/4
    (0.159155, 0.25)
    """
    check_choice(activation, "activation", DUAL_ACTIVATIONS, owner="dual_activation")
    value, derivative = DUAL_ACTIVATIONS[activation]
    return value(q1, q2, c), derivative(q1, q2, c)
