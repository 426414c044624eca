r"""The exact law of a random interpolating hypothesis's test error, and its samples.

For a hypothesis :math:`h(X_*) \sim \mathcal N(\mu, \Sigma_*)` (one column per output) and
test targets :math:`y_*`, write :math:`\Sigma_* = U\Lambda U^\top` and
:math:`r = U^\top(\mu - y_*)`. Then the test mean squared error over the :math:`m` test
points (summed over the :math:`c` outputs, as [Boopathy2024] do for one-hot labels) is

.. math::

    e(h) = \frac1m\lVert \mu - y_* + \Sigma_*^{1/2} z\rVert^2
         = \underbrace{\frac1m\sum_{\lambda_k = 0} r_k^2}_{e_0}
         + \sum_{\lambda_k > 0}\frac{\lambda_k}{m}\Big(z_k + \frac{r_k}{\sqrt{\lambda_k}}\Big)^2,

a generalized chi-square with weights :math:`\lambda_k/m`, one degree of freedom per
output and noncentralities :math:`\lVert r_k\rVert^2/\lambda_k` (book: ``eq-ib-gchi2``).
Directions with no posterior variance (test points that are training points, or a
rank-deficient kernel) give the floor :math:`e_0` below which no hypothesis goes.
"""

from __future__ import annotations

import torch

from learntheory._core import check_instance, check_points, check_targets
from learntheory.inductive_bias.gchi2 import GeneralizedChi2
from learntheory.inductive_bias.posterior import KernelPosterior

__all__ = ["error_law", "test_errors"]


def test_errors(hypotheses: torch.Tensor, y_test: torch.Tensor) -> torch.Tensor:
    r"""Test mean squared error of each hypothesis, :math:`\frac1m\sum_j\lVert h(x_j)-y_j\rVert^2`.

    Parameters
    ----------
    hypotheses : torch.Tensor, shape (S, m) or (S, m, c)
        Predictions of S hypotheses at the m test points.
    y_test : torch.Tensor, shape (m,) or (m, c)

    Returns
    -------
    torch.Tensor, shape (S,)

    Notes
    -----
    The loss of [Boopathy2024] (their MSE on one-hot labels sums over classes); book:
    ``eq-ib-definition``.
    """
    owner = "test_errors"
    check_points(hypotheses, "hypotheses", owner=owner, ndim=hypotheses.ndim
                 if isinstance(hypotheses, torch.Tensor) and hypotheses.ndim in (2, 3) else 2)
    check_targets(y_test, "y_test", n=hypotheses.shape[1], owner=owner, like=hypotheses)
    if y_test.ndim + 1 != hypotheses.ndim or hypotheses.shape[2:] != y_test.shape[1:]:
        raise ValueError(f"The 'y_test' parameter of {owner} must have shape "
                         f"{tuple(hypotheses.shape[1:])} to match 'hypotheses'. Got "
                         f"{tuple(y_test.shape)} instead.")
    diff = hypotheses - y_test
    return diff.pow(2).reshape(diff.shape[0], -1).sum(1) / hypotheses.shape[1]


def error_law(posterior: KernelPosterior, y_test: torch.Tensor, *,
              rtol: float | None = None) -> GeneralizedChi2:
    r"""The generalized chi-square law of the test error of a posterior hypothesis.

    Parameters
    ----------
    posterior : KernelPosterior
        From :func:`~learntheory.inductive_bias.condition`.
    y_test : torch.Tensor, shape (m,) or (m, c)
        Test targets, shaped like ``posterior.mean``.
    rtol : float, optional
        Eigenvalues of :math:`\Sigma_*` below ``rtol`` times the mean prior variance
        ``posterior.prior_scale`` count as zero (their directions join the floor
        :math:`e_0`). Default: ten times the posterior's relative ``jitter`` plus :math:`m`
        times the unit roundoff. The jitter leaves a variance of about ``jitter`` times the
        prior's in directions the training data pin (at a training input, say), and the
        rounding of :math:`K_{**} - K_{*X}K_{XX}^{-1}K_{X*}` is :math:`m` ulps: below
        either, the hypotheses agree to the accuracy with which they interpolate.

    Returns
    -------
    GeneralizedChi2
        In float64 on the posterior's device.

    Notes
    -----
    Implements the quadratic-form law of the test error (book: ``eq-ib-gchi2``) for the
    kernel hypothesis space of [Boopathy2024], whose scaled noncentral chi-square fit it
    replaces by the exact law. Its :func:`~learntheory.inductive_bias.log_cdf` is the
    exact inductive bias.
    """
    owner = "error_law"
    check_instance(posterior, "posterior", KernelPosterior, owner=owner)
    mean = posterior.mean
    check_targets(y_test, "y_test", n=posterior.n_test, owner=owner, like=mean)
    if y_test.shape != mean.shape:
        raise ValueError(f"The 'y_test' parameter of {owner} must have the shape of the "
                         f"posterior mean {tuple(mean.shape)}. Got {tuple(y_test.shape)} instead.")
    m = posterior.n_test
    cov = posterior.cov.to(torch.float64)
    lam, U = torch.linalg.eigh(cov)
    r = U.mT @ (mean - y_test).to(torch.float64).reshape(m, -1)  # (m, c)
    if rtol is None:
        rtol = 10 * posterior.jitter + m * torch.finfo(posterior.cov.dtype).eps
    keep = lam > rtol * posterior.prior_scale  # none kept: every hypothesis is the same
    offset = float(r[~keep].pow(2).sum()) / m
    c = r.shape[1]
    lam_k = lam[keep]
    return GeneralizedChi2(
        weights=lam_k / m,
        dofs=torch.full_like(lam_k, float(c)),
        noncentralities=r[keep].pow(2).sum(1) / lam_k,
        offset=offset,
    )
