r"""The generalized chi-square law: the test error of a Gaussian hypothesis.

A hypothesis drawn from a Gaussian law has a test mean squared error that is a quadratic
form in Gaussian variables,

.. math::

    e = e_0 + \sum_j w_j\, Q_j, \qquad Q_j \sim \chi'^2_{k_j}(\lambda_j)\ \text{independent},

a *generalized chi-square* with weights :math:`w_j > 0`, degrees of freedom :math:`k_j`,
noncentralities :math:`\lambda_j \ge 0` and offset :math:`e_0 \ge 0` (book:
``eq-ib-gchi2``). One component is the scaled noncentral chi-square that
[Boopathy2024] fit to sampled errors; many components are the exact law of the kernel
hypothesis space (:func:`~learntheory.inductive_bias.error_law`). The cumulants, the
cumulant generating function and sampling live here; the lower tail, exactly and as a
bound, in :mod:`learntheory.inductive_bias.tail`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import check_int, check_positive

__all__ = ["GeneralizedChi2", "scaled_ncx2"]


@dataclass(frozen=True)
class GeneralizedChi2:
    r"""The law of :math:`e_0 + \sum_j w_j\,\chi'^2_{k_j}(\lambda_j)`.

    Attributes
    ----------
    weights : torch.Tensor, shape (J,)
        :math:`w_j > 0`. ``J = 0`` is allowed: the error is then the constant :math:`e_0`
        (a hypothesis space that has shrunk to one function on the test set).
    dofs : torch.Tensor, shape (J,)
        :math:`k_j > 0` (real: a fitted law may have a fractional df).
    noncentralities : torch.Tensor, shape (J,)
        :math:`\lambda_j \ge 0`.
    offset : float
        :math:`e_0 \ge 0`, the infimum of the support.
    """

    weights: torch.Tensor
    dofs: torch.Tensor
    noncentralities: torch.Tensor
    offset: float = 0.0

    def __post_init__(self) -> None:
        w, k, lam = self.weights, self.dofs, self.noncentralities
        if not (w.ndim == k.ndim == lam.ndim == 1 and w.shape == k.shape == lam.shape):
            raise ValueError("The 'weights', 'dofs' and 'noncentralities' of GeneralizedChi2 "
                             "must be 1-D tensors of one length. Got shapes "
                             f"{tuple(w.shape)}, {tuple(k.shape)}, {tuple(lam.shape)}.")
        for name, t, strict in (("weights", w, True), ("dofs", k, True),
                                ("noncentralities", lam, False)):
            bad = ~torch.isfinite(t) | ((t <= 0) if strict else (t < 0))
            if bool(bad.any()):
                bound = "> 0" if strict else ">= 0"
                raise ValueError(f"The '{name}' of GeneralizedChi2 must be finite and {bound}. "
                                 f"Got {int(bad.sum())} entries that are not, e.g. "
                                 f"{float(t[bad][0])!r}.")
        check_positive(self.offset, "offset", owner="GeneralizedChi2", allow_zero=True)

    def cumulant(self, r: int) -> float:
        r"""The r-th cumulant :math:`2^{r-1}(r-1)!\sum_j w_j^r(k_j + r\lambda_j)` (+ e0 at r=1)."""
        r = check_int(r, "r", owner="GeneralizedChi2.cumulant")
        w, k, lam = self.weights, self.dofs, self.noncentralities
        value = 2 ** (r - 1) * math.factorial(r - 1) * float((w**r * (k + r * lam)).sum())
        return value + (self.offset if r == 1 else 0.0)

    @property
    def mean(self) -> float:
        """Expected error."""
        return self.cumulant(1)

    @property
    def var(self) -> float:
        """Variance of the error."""
        return self.cumulant(2)

    @property
    def floor(self) -> float:
        """The smallest attainable error :math:`e_0` (the infimum of the support)."""
        return float(self.offset)

    def log_mgf_neg(self, s: torch.Tensor) -> torch.Tensor:
        r""":math:`\log\mathbb E\,e^{-s(e - e_0)}` for real or complex ``s`` (Re s > -1/(2 max w)).

        .. math:: \sum_j -\tfrac{k_j}{2}\log(1 + 2 s w_j) - \frac{s w_j\lambda_j}{1 + 2 s w_j}
        """
        s = torch.as_tensor(s)
        w = self.weights.to(s.dtype if s.is_complex() else self.weights.dtype)
        k = self.dofs.to(w.dtype)
        lam = self.noncentralities.to(w.dtype)
        one = 1 + 2 * s[..., None] * w
        return (-0.5 * k * torch.log(one) - s[..., None] * w * lam / one).sum(-1)

    def sample(self, n_samples: int, *, generator: torch.Generator | None = None,
               chunk_size: int = 4096) -> torch.Tensor:
        """Draw ``n_samples`` errors (only for integer dofs; shape ``(n_samples,)``).

        Each component with ``k_j`` degrees of freedom is the squared norm of a
        ``k_j``-dimensional Gaussian with its noncentrality on the first coordinate.
        """
        S = check_int(n_samples, "n_samples", owner="GeneralizedChi2.sample")
        k = self.dofs
        if k.numel() and not bool((k == k.round()).all()):
            raise ValueError("GeneralizedChi2.sample needs integer 'dofs'. Got "
                             f"{k[k != k.round()][0].item()!r}.")
        w = self.weights
        reps = k.long()
        ww = torch.repeat_interleave(w, reps)
        first = torch.cumsum(reps, 0) - reps
        shift = torch.zeros_like(ww)
        shift[first] = self.noncentralities.sqrt()
        out = torch.empty(S, dtype=w.dtype, device=w.device)
        for start in range(0, S, chunk_size):
            stop = min(S, start + chunk_size)
            z = torch.randn(stop - start, ww.numel(), dtype=w.dtype, device=w.device,
                            generator=generator)
            out[start:stop] = ((z + shift) ** 2 @ ww) + self.offset
        return out


def scaled_ncx2(df: float, nc: float, scale: float, *, offset: float = 0.0,
                like: torch.Tensor | None = None) -> GeneralizedChi2:
    r"""The one-component law :math:`e_0 + c\,\chi'^2_k(\lambda)` (scipy's ``ncx2(k, λ, 0, c)``).

    Parameters
    ----------
    df, nc, scale : float
        :math:`k > 0`, :math:`\lambda \ge 0`, :math:`c > 0`.
    offset : float
        :math:`e_0 \ge 0` (scipy's ``loc``).
    like : torch.Tensor, optional
        Device and dtype of the parameters (default float64 on the CPU).
    """
    owner = "scaled_ncx2"
    df = check_positive(df, "df", owner=owner)
    nc = check_positive(nc, "nc", owner=owner, allow_zero=True)
    scale = check_positive(scale, "scale", owner=owner)
    kw = dict(dtype=torch.float64) if like is None else dict(dtype=like.dtype, device=like.device)
    return GeneralizedChi2(torch.tensor([scale], **kw), torch.tensor([df], **kw),
                           torch.tensor([nc], **kw), float(offset))
