r"""Bits of inductive bias: :math:`I(\varepsilon) = -\log_2\Pr_{h}[e(h) \le \varepsilon]`.

Three ways to get them from sampled test errors or from a law (book: ``eq-ib-definition``):

* :func:`naive_bits` counts the hypotheses under the target. With :math:`S` samples it
  cannot see a probability much below :math:`1/S`: when none is under the target it only
  says :math:`I \ge \log_2(S/3)` (the rule of three, 95 %).
* :func:`fitted_bits` fits a scaled noncentral chi-square to the errors ([Boopathy2024])
  and reads its exact tail; the bootstrap over the :math:`S` errors gives the sampling
  uncertainty of that number.
* :func:`law_bits` evaluates a known law exactly (:func:`~learntheory.inductive_bias.log_cdf`)
  and, as a rigorous lower bound, by Chernoff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import (
    check_choice,
    check_instance,
    check_int,
    check_points,
    check_positive,
)
from learntheory.inductive_bias.fit import Ncx2Fit, fit_ncx2
from learntheory.inductive_bias.gchi2 import GeneralizedChi2
from learntheory.inductive_bias.tail import chernoff_log_cdf, log_cdf

__all__ = ["BitsEstimate", "LawBits", "NaiveBits", "exact_bits", "fitted_bits", "law_bits",
           "naive_bits"]

LN2 = math.log(2.0)


@dataclass(frozen=True)
class NaiveBits:
    """Counting estimate of the bits.

    Attributes
    ----------
    bits : float
        :math:`-\\log_2(k/S)`; ``inf`` when no error is under the target (k = 0).
    se : float
        Delta-method standard error :math:`\\sqrt{(1-p)/(Sp)}/\\ln 2` (``inf`` when k = 0).
    lower_bound : float
        What the count can still assert at 95 %: :math:`-\\log_2` of the one-sided upper
        confidence limit of p (:math:`\\log_2(S/3)` roughly, when k = 0).
    hits : int
        k, the number of errors at or under the target.
    n_samples : int
        S.
    """

    bits: float
    se: float
    lower_bound: float
    hits: int
    n_samples: int


def _check_errors(errors, epsilon, owner: str) -> float:
    check_points(errors, "errors", owner=owner, ndim=1)
    return check_positive(epsilon, "epsilon", owner=owner)


def naive_bits(errors: torch.Tensor, epsilon: float) -> NaiveBits:
    r"""Bits from the fraction of sampled errors at or under ``epsilon``.

    Parameters
    ----------
    errors : torch.Tensor, shape (S,)
    epsilon : float
        Target error (> 0).

    Returns
    -------
    NaiveBits

    Notes
    -----
    The plain Monte Carlo estimate of [Boopathy2024]'s definition (book:
    ``eq-ib-definition``). The 95 % upper limit on p with k = 0 hits is
    :math:`1 - 0.05^{1/S} \approx 3/S`; with k > 0 it is the normal limit
    :math:`\hat p + 1.645\sqrt{\hat p(1-\hat p)/S}`.
    """
    eps = _check_errors(errors, epsilon, "naive_bits")
    S = errors.numel()
    k = int((errors <= eps).sum())
    if k == 0:
        upper = 1.0 - 0.05 ** (1.0 / S)
        return NaiveBits(math.inf, math.inf, -math.log2(upper), 0, S)
    p = k / S
    upper = min(1.0, p + 1.645 * math.sqrt(p * (1 - p) / S))
    return NaiveBits(-math.log2(p), math.sqrt((1 - p) / (S * p)) / LN2, -math.log2(upper), k, S)


@dataclass(frozen=True)
class BitsEstimate:
    """A fitted-tail estimate of the bits with its bootstrap uncertainty.

    Attributes
    ----------
    bits : float
        :math:`-\\log_2 F_{\\rm fit}(\\varepsilon)` from the fit to all S errors.
    se : float
        Bootstrap standard deviation of the bits (refits to resampled errors).
    interval : tuple of float
        The 2.5 % and 97.5 % bootstrap percentiles.
    fit : Ncx2Fit
        The fit to all errors.
    n_samples : int
        S.
    """

    bits: float
    se: float
    interval: tuple[float, float]
    fit: Ncx2Fit
    n_samples: int


def fitted_bits(
    errors: torch.Tensor,
    epsilon: float,
    *,
    method: str = "moments",
    n_boot: int = 200,
    generator: torch.Generator | None = None,
) -> BitsEstimate:
    r"""Bits from a scaled noncentral chi-square fitted to the errors, with a bootstrap.

    Parameters
    ----------
    errors : torch.Tensor, shape (S,)
        Test errors of sampled hypotheses (positive, S >= 30).
    epsilon : float
        Target error (> 0).
    method : {"moments", "mle"}
        Passed to :func:`~learntheory.inductive_bias.fit_ncx2`.
    n_boot : int
        Bootstrap refits for the uncertainty (>= 2; 0 is not allowed: an estimate without
        its uncertainty is not returned).
    generator : torch.Generator, optional
        Draws the bootstrap resamples (on the errors' device).

    Returns
    -------
    BitsEstimate

    Notes
    -----
    Implements the estimator of [Boopathy2024] (fit the loss distribution, read
    :math:`-\log F(\varepsilon)`, in bits) with the exact tail of the fitted law
    (book: ``eq-ib-inversion``). The bootstrap measures how far S samples leave the fit
    from the fit to infinitely many; it does not measure how far the fitted family is from
    the true law (the book compares with the exact law for that).
    """
    owner = "fitted_bits"
    eps = _check_errors(errors, epsilon, owner)
    B = check_int(n_boot, "n_boot", owner=owner, minimum=2)
    fit = fit_ncx2(errors, method=method)
    bits = exact_bits(fit.law, eps)
    S = errors.numel()
    boot = []
    for _ in range(B):
        idx = torch.randint(0, S, (S,), generator=generator, device=errors.device)
        boot.append(exact_bits(fit_ncx2(errors[idx], method=method).law, eps))
    b = torch.tensor(boot, dtype=torch.float64)
    lo, hi = torch.quantile(b, torch.tensor([0.025, 0.975], dtype=torch.float64)).tolist()
    return BitsEstimate(bits, float(b.std()), (lo, hi), fit, S)


def exact_bits(law: GeneralizedChi2, epsilon: float, *, unattainable: str = "raise") -> float:
    r"""Bits :math:`-\log_2 F(\varepsilon)` of a law, exactly (book: ``eq-ib-inversion``).

    Parameters
    ----------
    law : GeneralizedChi2
    epsilon : float
        Target error.
    unattainable : {"raise", "inf"}
        At or below ``law.floor`` no hypothesis reaches the target: raise a ValueError
        naming 'epsilon' (default), or return ``inf``.

    Returns
    -------
    float
        :func:`~learntheory.inductive_bias.log_cdf` in bits (0.0, never -0.0, above the law).
    """
    check_instance(law, "law", GeneralizedChi2, owner="exact_bits")
    check_choice(unattainable, "unattainable", ("raise", "inf"), owner="exact_bits")
    if unattainable == "inf" and epsilon <= law.floor:
        return math.inf
    return 0.0 - log_cdf(law, epsilon) / LN2


@dataclass(frozen=True)
class LawBits:
    """Exact bits of a known law, and the Chernoff lower bound on them."""

    bits: float
    chernoff: float


def law_bits(law: GeneralizedChi2, epsilon: float) -> LawBits:
    r"""Exact bits :math:`-\log_2 F(\varepsilon)` of a law and the Chernoff lower bound.

    Parameters
    ----------
    law : GeneralizedChi2
        E.g. :func:`~learntheory.inductive_bias.error_law` of a kernel posterior.
    epsilon : float
        Above ``law.floor`` (else a ValueError saying the target is not attainable).

    Returns
    -------
    LawBits
        ``bits`` (exact, book: ``eq-ib-inversion``) and ``chernoff`` (a rigorous lower
        bound on them, book: ``eq-ib-chernoff``).
    """
    check_instance(law, "law", GeneralizedChi2, owner="law_bits")
    return LawBits(exact_bits(law, epsilon), 0.0 - chernoff_log_cdf(law, epsilon) / LN2)

