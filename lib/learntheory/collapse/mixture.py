r"""Gaussian mixtures fitted by EM, batched over independent chains.

A :class:`GaussianMixture` holds the parameters of ``n_chains`` independent mixtures of
``k`` Gaussians in :math:`\mathbb R^d` with **full** covariances,

.. math::
    p(x) = \sum_{j=1}^k \pi_j\,\mathcal N(x;\ \mu_j, \Sigma_j),

and :func:`fit_mixture` refits them by expectation-maximisation [Dempster1977] from a warm
start, every chain at once, with optional per-sample weights. The quadratic form is
written in the sufficient statistics :math:`\phi(x) = (1, x, x x^\top)` of the Gaussian,
so the E-step is one batched product :math:`\phi(x)^\top\theta_j` and the M-step another
(:math:`\sum_i r_{ij}\phi(x_i)`); the loop over components and chains is in the matrix
products, not in Python. Book: ``collapse-curation``.

Notation: ``weights`` :math:`\pi` (chains, k), ``means`` :math:`\mu` (chains, k, d),
``covariances`` :math:`\Sigma` (chains, k, d, d), ``sample_weight`` :math:`w_i`,
``reg_covar`` the ridge added to every :math:`\Sigma_j` (as scikit-learn's).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import (
    check_instance,
    check_int,
    check_points,
    check_positive,
    check_same_device,
    make_generator,
)

__all__ = ["GaussianMixture", "em_step", "fit_mixture", "mixture_log_prob"]


@dataclass(frozen=True)
class GaussianMixture:
    r"""Parameters of ``n_chains`` Gaussian mixtures with ``k`` full-covariance components.

    Attributes
    ----------
    weights : torch.Tensor, shape (n_chains, k)
        Mixing weights :math:`\pi_j \ge 0`, summing to 1 over ``k``.
    means : torch.Tensor, shape (n_chains, k, d)
    covariances : torch.Tensor, shape (n_chains, k, d, d)
        Symmetric positive definite.

    All three share one device and dtype (checked on construction).
    """

    weights: torch.Tensor
    means: torch.Tensor
    covariances: torch.Tensor

    def __post_init__(self) -> None:
        owner = "GaussianMixture"
        check_points(self.weights, "weights", owner=owner, ndim=2)
        check_points(self.means, "means", owner=owner, ndim=3)
        check_points(self.covariances, "covariances", owner=owner, ndim=4)
        c, k, d = self.means.shape
        if self.weights.shape != (c, k):
            raise ValueError(f"The 'weights' parameter of {owner} must have shape (n_chains, k) "
                             f"= {(c, k)} to match 'means' {tuple(self.means.shape)}. Got "
                             f"{tuple(self.weights.shape)} instead.")
        if self.covariances.shape != (c, k, d, d):
            raise ValueError(f"The 'covariances' parameter of {owner} must have shape "
                             f"(n_chains, k, d, d) = {(c, k, d, d)}. Got "
                             f"{tuple(self.covariances.shape)} instead.")
        check_same_device(owner, weights=self.weights, means=self.means,
                          covariances=self.covariances)

    @property
    def n_chains(self) -> int:
        return self.means.shape[0]

    @property
    def n_components(self) -> int:
        return self.means.shape[1]

    @property
    def dim(self) -> int:
        return self.means.shape[2]

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """:func:`mixture_log_prob` of ``x`` (n_chains, n, d): shape (n_chains, n)."""
        return mixture_log_prob(self, x)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        r"""Draw ``n`` points from every chain's mixture: shape (n_chains, n, d).

        Components are drawn by inverse CDF on one uniform per point, then
        :math:`x = \mu_z + L_z \varepsilon` with :math:`L_z L_z^\top = \Sigma_z` and
        :math:`\varepsilon \sim \mathcal N(0, I_d)` (uniforms first, then normals, from
        ``generator``; it must live on the mixture's device).
        """
        n = check_int(n, "n", owner="GaussianMixture.sample")
        gen = generator if generator is not None else make_generator(0, self.means.device)
        c, k, d = self.means.shape
        u = torch.rand(c, n, generator=gen, device=self.means.device, dtype=self.means.dtype)
        cdf = self.weights.cumsum(1)
        z = torch.searchsorted(cdf / cdf[:, -1:], u.contiguous()).clamp_(max=k - 1)
        eps = torch.randn(c, n, d, generator=gen, device=self.means.device,
                          dtype=self.means.dtype)
        chol = torch.linalg.cholesky(self.covariances).reshape(c, k, d * d)
        mu = self.means.gather(1, z[..., None].expand(c, n, d))
        lz = chol.gather(1, z[..., None].expand(c, n, d * d)).reshape(c, n, d, d)
        return mu + (lz * eps[..., None, :]).sum(-1)  # mu_z + L_z eps


def _natural(mix: GaussianMixture) -> torch.Tensor:
    r"""Coefficients :math:`\theta_j` with :math:`\log\pi_j\mathcal N(x;\mu_j,\Sigma_j) =
    \phi(x)^\top\theta_j`, :math:`\phi(x) = (1, x, \mathrm{vec}(x x^\top))`: (c, 1+d+d^2, k)."""
    c, k, d = mix.means.shape
    prec = torch.cholesky_inverse(torch.linalg.cholesky(mix.covariances))  # Sigma^{-1}
    prec = 0.5 * (prec + prec.transpose(-1, -2))
    pm = (prec @ mix.means[..., None])[..., 0]  # (c, k, d)
    logdet = torch.linalg.slogdet(mix.covariances)[1]
    const = (mix.weights.log() - 0.5 * (pm * mix.means).sum(-1) - 0.5 * logdet
             - 0.5 * d * math.log(2 * math.pi))
    theta = torch.cat([const[..., None], pm, -0.5 * prec.reshape(c, k, d * d)], -1)
    return theta.transpose(1, 2)


def _features(x: torch.Tensor) -> torch.Tensor:
    """phi(x) = (1, x, vec(x x^T)) for x (c, n, d): (c, n, 1 + d + d^2)."""
    c, n, d = x.shape
    return torch.cat([x.new_ones(c, n, 1), x, (x[..., :, None] * x[..., None, :])
                      .reshape(c, n, d * d)], -1)


def _check_x(mix: GaussianMixture, x: torch.Tensor, owner: str) -> None:
    check_instance(mix, "mixture", GaussianMixture, owner=owner)
    check_points(x, "x", owner=owner, ndim=3, features=mix.dim)
    if x.shape[0] != mix.n_chains:
        raise ValueError(f"The 'x' parameter of {owner} must have one batch per chain "
                         f"(n_chains = {mix.n_chains}). Got shape {tuple(x.shape)} instead.")
    check_same_device(owner, x=x, means=mix.means)


def mixture_log_prob(mixture: GaussianMixture, x: torch.Tensor) -> torch.Tensor:
    r"""Log-density of each chain's mixture at its own points.

    Parameters
    ----------
    mixture : GaussianMixture
    x : torch.Tensor, shape (n_chains, n, d)

    Returns
    -------
    torch.Tensor, shape (n_chains, n)
        :math:`\log\sum_j \pi_j \mathcal N(x_i; \mu_j, \Sigma_j)`, on ``x``'s device.
    """
    _check_x(mixture, x, "mixture_log_prob")
    return torch.logsumexp(_features(x) @ _natural(mixture), -1)


def _normalised_weight(x: torch.Tensor, sample_weight: torch.Tensor | None,
                       owner: str) -> torch.Tensor:
    c, n, _ = x.shape
    if sample_weight is None:
        return x.new_ones(c, n)
    check_points(sample_weight, "sample_weight", owner=owner, ndim=2)
    if sample_weight.shape != (c, n):
        raise ValueError(f"The 'sample_weight' parameter of {owner} must have shape "
                         f"(n_chains, n) = {(c, n)}. Got {tuple(sample_weight.shape)} instead.")
    check_same_device(owner, x=x, sample_weight=sample_weight)
    if bool((sample_weight < 0).any()) or bool((sample_weight.sum(1) <= 0).any()):
        raise ValueError(f"The 'sample_weight' parameter of {owner} must be >= 0 with a "
                         "positive sum in every chain.")
    return sample_weight * (n / sample_weight.sum(1, keepdim=True))


def em_step(
    mixture: GaussianMixture,
    x: torch.Tensor,
    *,
    sample_weight: torch.Tensor | None = None,
    reg_covar: float = 1e-6,
) -> tuple[GaussianMixture, torch.Tensor]:
    r"""One EM iteration from ``mixture`` on ``x``; also return the log-likelihood before it.

    Parameters
    ----------
    mixture : GaussianMixture
        The current parameters (the E-step's).
    x : torch.Tensor, shape (n_chains, n, d)
    sample_weight : torch.Tensor, shape (n_chains, n), optional
        Non-negative weights :math:`w_i`, rescaled to sum to ``n`` in each chain (so an
        integer weight is the same as repeating the point).
    reg_covar : float
        Added to the diagonal of every new covariance.

    Returns
    -------
    (GaussianMixture, torch.Tensor of shape (n_chains,))
        The updated mixture and the weighted mean log-likelihood
        :math:`\frac1n\sum_i w_i\log p(x_i)` of the *input* mixture. EM never decreases
        it [Dempster1977].

    Notes
    -----
    .. math::
        r_{ij} \propto \pi_j\mathcal N(x_i;\mu_j,\Sigma_j),\quad
        N_j = \sum_i w_i r_{ij},\quad \pi_j = \frac{N_j}{\sum_l N_l},\quad
        \mu_j = \frac{\sum_i w_i r_{ij} x_i}{N_j},\quad
        \Sigma_j = \frac{\sum_i w_i r_{ij} x_i x_i^\top}{N_j} - \mu_j\mu_j^\top
        + \epsilon I .

    As in scikit-learn, :math:`N_j` gets ``10 * eps`` added; a component with
    :math:`N_j < 10^{-9}` (no data near it) keeps its mean and covariance and gets weight
    :math:`N_j/n`, so it never turns into 0/0.
    """
    owner = "em_step"
    _check_x(mixture, x, owner)
    reg = check_positive(reg_covar, "reg_covar", owner=owner, allow_zero=True)
    w = _normalised_weight(x, sample_weight, owner)
    return _em_update(mixture, _features(x), w, reg)


def _em_update(mixture: GaussianMixture, phi: torch.Tensor, w: torch.Tensor,
               reg: float) -> tuple[GaussianMixture, torch.Tensor]:
    """:func:`em_step` on precomputed features phi (c, n, 1 + d + d^2) and weights w."""
    c, n, _ = phi.shape
    d = mixture.dim
    # components along dim 1 and points along dim 2: the softmax over the k components
    # is then k contiguous rows combined elementwise (a logsumexp over a last dim of size
    # k = 8 was the loop's bottleneck), with one exp
    logits = _natural(mixture).transpose(1, 2) @ phi.transpose(1, 2)  # (c, k, n)
    top = logits.amax(1, keepdim=True)  # (c, 1, n)
    e = torch.exp(logits - top)
    total = e.sum(1, keepdim=True)
    log_norm = (top + torch.log(total))[:, 0]  # (c, n)
    resp = e * (w[:, None, :] / total)  # (c, k, n)
    stats = resp @ phi  # (c, k, 1 + d + d^2)
    tiny = 10 * torch.finfo(phi.dtype).eps
    nk = stats[..., 0] + tiny
    alive = nk > 1e-9
    safe = torch.where(alive, nk, torch.ones_like(nk))[..., None]
    means = stats[..., 1:1 + d] / safe
    second = stats[..., 1 + d:].reshape(c, -1, d, d) / safe[..., None]
    cov = second - means[..., :, None] * means[..., None, :]
    cov = 0.5 * (cov + cov.transpose(-1, -2)) + reg * torch.eye(d, dtype=phi.dtype,
                                                                 device=phi.device)
    means = torch.where(alive[..., None], means, mixture.means)
    cov = torch.where(alive[..., None, None], cov, mixture.covariances)
    weights = nk / nk.sum(1, keepdim=True)
    loglik = (w * log_norm).mean(1)
    return GaussianMixture(weights, means, cov), loglik


def fit_mixture(
    x: torch.Tensor,
    init: GaussianMixture,
    *,
    sample_weight: torch.Tensor | None = None,
    n_iter: int = 10,
    reg_covar: float = 1e-6,
) -> GaussianMixture:
    """``n_iter`` EM iterations (:func:`em_step`) from the warm start ``init``.

    Parameters
    ----------
    x : torch.Tensor, shape (n_chains, n, d)
    init : GaussianMixture
        The starting parameters (for example the previous generation's model).
    sample_weight : torch.Tensor, shape (n_chains, n), optional
    n_iter : int
        A fixed number of iterations (no convergence test, so every chain does the same
        work and the result is a deterministic function of the inputs).
    reg_covar : float

    Returns
    -------
    GaussianMixture
        On ``x``'s device and dtype.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> g = lt.make_generator(0)
    >>> x = torch.cat([torch.randn(1, 200, 1, generator=g) - 3,
    ...                torch.randn(1, 200, 1, generator=g) + 3], 1)
    >>> init = lt.collapse.GaussianMixture(torch.tensor([[0.5, 0.5]]),
    ...     torch.tensor([[[-1.0], [1.0]]]), torch.ones(1, 2, 1, 1))
    >>> fit = lt.collapse.fit_mixture(x, init, n_iter=30)
    >>> [round(m) for m in fit.means[0, :, 0].tolist()]
    [-3, 3]
    """
    owner = "fit_mixture"
    n_iter = check_int(n_iter, "n_iter", owner=owner, minimum=0)
    _check_x(init, x, owner)
    reg = check_positive(reg_covar, "reg_covar", owner=owner, allow_zero=True)
    w = _normalised_weight(x, sample_weight, owner)
    phi = _features(x)  # the data do not change between iterations
    mix = init
    for _ in range(n_iter):
        mix, _ = _em_update(mix, phi, w, reg)
    return mix
