r"""Fitting a scaled noncentral chi-square to sampled test errors.

[Boopathy2024] model the distribution of the test errors of sampled hypotheses by a
scaled noncentral chi-square :math:`c\,\chi'^2_k(\lambda)` and read the inductive bias off
its lower tail. Two fits:

* ``"moments"``: match the first three cumulants, in closed form (book: ``eq-ib-moment-fit``).
  With :math:`\kappa_r = 2^{r-1}(r-1)!\,c^r(k + r\lambda)` the three equations are linear in
  :math:`k, \lambda` once :math:`c` is known, and :math:`c` solves
  :math:`8\kappa_1c^2 - 8\kappa_2c + \kappa_3 = 0`; the root with :math:`\lambda \ge 0` is

  .. math:: c = \frac{\kappa_2 - \sqrt{\kappa_2^2 - \kappa_1\kappa_3/2}}{2\kappa_1},\qquad
            \lambda = \frac{\kappa_2}{2c^2} - \frac{\kappa_1}{c},\qquad
            k = \frac{2\kappa_1}{c} - \frac{\kappa_2}{2c^2}.

  It exists when :math:`\rho = \kappa_1\kappa_3/\kappa_2^2 = 2 - 2/(k/\lambda + 2)^2`
  lies in :math:`(3/2, 2]`. A sample more skewed than that gets the central chi-square with
  its first two cumulants; one less skewed (or whose fit has under one degree of freedom,
  a law with an atom at zero as :math:`k \to 0`) gets :math:`k = 1` and its first two
  cumulants; the fit says it was ``clamped``.
* ``"mle"``: the paper's maximum likelihood fit, ``scipy.stats.ncx2.fit(errors, floc=0)``
  started from the moment fit (needs SciPy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import check_choice, check_points
from learntheory.inductive_bias.gchi2 import GeneralizedChi2, scaled_ncx2

__all__ = ["MIN_SAMPLES", "Ncx2Fit", "fit_ncx2", "sample_cumulants"]

MIN_SAMPLES = 30
"""Fewest errors a fit accepts: the third sample cumulant of fewer is mostly noise."""


@dataclass(frozen=True)
class Ncx2Fit:
    """A fitted scaled noncentral chi-square.

    Attributes
    ----------
    law : GeneralizedChi2
        One component: ``scale`` c, ``df`` k, ``nc`` λ, offset 0.
    method : str
        ``"moments"`` or ``"mle"``.
    clamped : bool
        Whether the sample's skewness ratio fell outside (3/2, 2] and was moved to its end.
    """

    law: GeneralizedChi2
    method: str
    clamped: bool = False

    @property
    def df(self) -> float:
        """Fitted degrees of freedom k."""
        return float(self.law.dofs[0])

    @property
    def nc(self) -> float:
        """Fitted noncentrality λ."""
        return float(self.law.noncentralities[0])

    @property
    def scale(self) -> float:
        """Fitted scale c."""
        return float(self.law.weights[0])


def sample_cumulants(errors: torch.Tensor) -> tuple[float, float, float]:
    """Unbiased first three sample cumulants (k-statistics) of a 1-D sample, in float64."""
    e = errors.to(torch.float64)
    n = e.numel()
    mean = float(e.mean())
    d = e - mean
    m2, m3 = float(d.pow(2).mean()), float(d.pow(3).mean())
    return mean, m2 * n / (n - 1), m3 * n * n / ((n - 1) * (n - 2))


def _moment_fit(k1: float, k2: float, k3: float, like: torch.Tensor) -> Ncx2Fit:
    rho = k1 * k3 / (k2 * k2)
    if rho >= 2.0:  # as skewed as a central chi-square, or more: the central one
        c = k2 / (2 * k1)
        return Ncx2Fit(scaled_ncx2(k1 / c, 0.0, c, like=like), "moments", rho > 2.0)
    if rho > 1.5:
        r = math.sqrt(2.0 / (2.0 - rho)) - 2.0  # k / lambda, from rho = 2 - 2/(r + 2)^2
        c = k2 * (r + 1) / (2 * k1 * (r + 2))
        nc = k1 / (c * (r + 1))
        if r * nc >= 1.0:
            return Ncx2Fit(scaled_ncx2(r * nc, nc, c, like=like), "moments", False)
    # less skewed than the family allows (or under one degree of freedom): k = 1, two moments
    c = (4 * k1 - math.sqrt(max(0.0, 16 * k1 * k1 - 8 * k2))) / 4
    return Ncx2Fit(scaled_ncx2(1.0, max(0.0, k1 / c - 1.0), c, like=like), "moments", True)


def fit_ncx2(errors: torch.Tensor, *, method: str = "moments") -> Ncx2Fit:
    r"""Fit :math:`c\,\chi'^2_k(\lambda)` (location 0) to positive errors.

    Parameters
    ----------
    errors : torch.Tensor, shape (S,)
        Test errors of sampled hypotheses; positive, at least :data:`MIN_SAMPLES`.
    method : {"moments", "mle"}
        Three-cumulant matching (closed form) or the paper's maximum likelihood.

    Returns
    -------
    Ncx2Fit

    Raises
    ------
    TypeError, ValueError
        Naming 'errors' (not a 1-D finite float tensor, too few, non-positive, or all
        equal) or 'method'.

    Notes
    -----
    Implements the loss-distribution model of [Boopathy2024] (Sec. 3; their code calls
    ``ncx2.fit(errors, floc=0)``); the moment fit is book: ``eq-ib-moment-fit``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> law = lt.inductive_bias.scaled_ncx2(20.0, 5.0, 0.1)
    >>> e = law.sample(20000, generator=lt.make_generator(0))
    >>> fit = lt.inductive_bias.fit_ncx2(e)
    >>> abs(fit.df * fit.scale + fit.nc * fit.scale - law.mean) < 0.05
    True
    """
    owner = "fit_ncx2"
    check_points(errors, "errors", owner=owner, ndim=1)
    check_choice(method, "method", ("moments", "mle"), owner=owner)
    S = errors.numel()
    if S < MIN_SAMPLES:
        raise ValueError(f"The 'errors' parameter of {owner} must hold at least {MIN_SAMPLES} "
                         f"errors to fit three parameters. Got {S}.")
    if bool((errors <= 0).any()):
        raise ValueError(f"The 'errors' parameter of {owner} must be > 0 (a chi-square law "
                         f"lives on (0, inf)). Got min {float(errors.min())!r}.")
    k1, k2, k3 = sample_cumulants(errors)
    if not k2 > 0:
        raise ValueError(f"The 'errors' parameter of {owner} must vary: all {S} errors are "
                         f"equal ({k1!r}), so no law can be fitted.")
    start = _moment_fit(k1, k2, k3, errors)
    if method == "moments":
        return start
    try:
        from scipy.stats import ncx2
    except ImportError as exc:  # pragma: no cover - scipy ships with the test extra
        raise ImportError("fit_ncx2(method='mle') needs SciPy: pip install scipy") from exc
    data = errors.detach().to("cpu", torch.float64).numpy()
    df, nc, _, scale = ncx2.fit(data, start.df, max(start.nc, 1e-3), floc=0,
                                scale=start.scale)
    return Ncx2Fit(scaled_ncx2(float(df), float(max(nc, 0.0)), float(scale), like=errors),
                   "mle", start.clamped)
