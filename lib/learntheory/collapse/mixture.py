r"""Gaussian mixtures fitted by EM, batched over independent chains.

A :class:`GaussianMixture` holds the parameters of ``n_chains`` independent mixtures of
``k`` Gaussians in :math:`\mathbb R^d` with **full** covariances,

.. math::
    p(x) = \sum_{j=1}^k \pi_j\,\mathcal N(x;\ \mu_j, \Sigma_j),

and :func:`fit_mixture` refits them by expectation-maximisation [Dempster1977] from a warm
start, every chain at once, with optional per-sample weights. The quadratic form is
written in the sufficient statistics :math:`\phi(x) = (1, x, x x^\top)` of the Gaussian
(of :math:`x x^\top`, the :math:`d(d+1)/2` entries on and above the diagonal),
so the E-step is one batched product :math:`\phi(x)^\top\theta_j` and the M-step another
(:math:`\sum_i r_{ij}\phi(x_i)`); the loop over components and chains is in the matrix
products, not in Python (which only walks over cache-sized blocks of chains). Book:
``collapse-curation``.

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


#: Elements of one (chains, k, n) block of logits in the E-step (and of the sampler's
#: temporaries). Chains are processed in blocks of about this size, so that the logits
#: and responsibilities stay in the cache and are recycled by the allocator, instead of
#: (chains, k, n) temporaries streamed through memory, each a fresh, page-faulted
#: allocation above 32 MiB. 2^18 (2 MiB in float64) was the fastest on 2 cores with
#: 1 MiB of L2 each; smaller blocks pay the start of a parallel region per operation.
_BLOCK = 2**18

#: Elements of one block of the sampler's (points, d + d^2) table rows. Its operations
#: are light (a search, a row lookup, d multiply-adds), so the start of each parallel
#: region weighs more than the cache: 2^21 was the fastest (N = 1000 candidates x 4 per
#: chain, 1000 chains, 2 threads, OMP_WAIT_POLICY=PASSIVE as in ``make bench``: float64
#: 345 ms instead of 470 ms at 2^18, float32 145 ms instead of 270 ms).
_SAMPLE_BLOCK = 2**21


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
        eps = torch.randn(c, n, d, generator=gen, device=self.means.device,
                          dtype=self.means.dtype)
        cdf = self.weights.cumsum(1)
        cdf = (cdf[:, :-1] / cdf[:, -1:]).contiguous()  # the k - 1 inner edges
        chol = torch.linalg.cholesky(self.covariances).reshape(c, k, d * d)
        # (mu_j, L_j) of chain i in row i k + j: one row lookup per point
        table = torch.cat([self.means, chol], -1).reshape(c * k, d + d * d)
        rows = torch.arange(0, c * k, k, device=u.device)[:, None]
        x = torch.empty_like(eps)
        # blocks of chains, and the inverse CDF z = #{j < k - 1 : cdf_j < u}, in [0, k)
        step = max(1, _SAMPLE_BLOCK // (n * (d + d * d)))
        for start in range(0, c, step):
            b = slice(start, start + step)
            z = torch.searchsorted(cdf[b], u[b]).add_(rows[b])
            par = table.index_select(0, z.view(-1)).view(-1, n, d + d * d)
            lz = par[..., d:].view(-1, n, d, d)
            xb = torch.addcmul(par[..., :d], lz[..., 0], eps[b, :, :1], out=x[b])
            for j in range(1, d):
                xb.addcmul_(lz[..., j], eps[b, :, j:j + 1])
        return x  # mu_z + L_z eps


#: Up to this dimension, :func:`_precision` factors the covariances with elementwise
#: operations over the whole batch instead of one LAPACK call per (tiny) matrix: for
#: 8000 matrices, 0.4 ms instead of 2.1 ms at d = 2, 1.3 ms instead of 4.2 ms at d = 4.
_SMALL_D = 4


def _precision(cov: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r""":math:`\Sigma^{-1}` (symmetric) and :math:`\log\det\Sigma` of SPD matrices
    (..., d, d), through the Cholesky factor :math:`L` and :math:`M = L^{-1}`."""
    d = cov.shape[-1]
    if d <= _SMALL_D:  # column by column, each entry a tensor over the batch
        a = [[cov[..., i, j] for j in range(d)] for i in range(d)]
        low = [[None] * d for _ in range(d)]
        for j in range(d):
            low[j][j] = (a[j][j] - sum(low[j][m] ** 2 for m in range(j))).sqrt()
            for i in range(j + 1, d):
                low[i][j] = (a[i][j] - sum(low[i][m] * low[j][m] for m in range(j))
                             ) / low[j][j]
        inv = [[None] * d for _ in range(d)]
        for j in range(d):
            inv[j][j] = low[j][j].reciprocal()
            for i in range(j + 1, d):
                inv[i][j] = -sum(low[i][m] * inv[m][j] for m in range(j, i)) / low[i][i]
        # (M^T M)_ij = sum_{m >= max(i, j)} M_mi M_mj
        prec = torch.stack([torch.stack([sum(inv[m][i] * inv[m][j]
                                             for m in range(max(i, j), d))
                                         for j in range(d)], -1) for i in range(d)], -2)
        logdet = 2 * sum(low[j][j].log() for j in range(d))
        if bool(torch.isfinite(logdet).all()):
            return prec, logdet
    chol = torch.linalg.cholesky(cov)  # raises if a matrix is not positive definite
    prec = torch.cholesky_inverse(chol)
    prec = 0.5 * (prec + prec.transpose(-1, -2))
    return prec, 2 * chol.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _natural(mix: GaussianMixture) -> torch.Tensor:
    r"""Coefficients :math:`\theta_j` with :math:`\log\pi_j\mathcal N(x;\mu_j,\Sigma_j) =
    \phi(x)^\top\theta_j`, :math:`\phi(x) = (1, x, (x_a x_b)_{a \le b})` (see
    :func:`_features_t`): (c, k, p)."""
    d = mix.dim
    prec, logdet = _precision(mix.covariances)  # Sigma^{-1}, log det Sigma
    pm = (prec @ mix.means[..., None])[..., 0]  # (c, k, d)
    const = (mix.weights.log() - 0.5 * (pm * mix.means).sum(-1) - 0.5 * logdet
             - 0.5 * d * math.log(2 * math.pi))
    a, b = torch.triu_indices(d, d, device=prec.device)
    # -x^T P x / 2 = sum_a -P_aa x_a^2 / 2 + sum_{a < b} -P_ab x_a x_b
    scale = torch.where(a == b, -0.5, -1.0).to(prec.dtype)
    return torch.cat([const[..., None], pm, prec[..., a, b] * scale], -1)


def _features_t(x: torch.Tensor) -> torch.Tensor:
    """phi(x) = (1, x, (x_a x_b)_{a <= b}) for x (c, n, d), transposed: (c, p, n),
    p = 1 + d + d (d + 1) / 2 (x x^T is symmetric: 6 features, not 7, at d = 2)."""
    c, n, d = x.shape
    out = x.new_empty(c, 1 + d + d * (d + 1) // 2, n)
    out[:, 0] = 1
    xt = out[:, 1:1 + d]
    xt.copy_(x.transpose(1, 2))
    row = 1 + d
    for a in range(d):  # the order of torch.triu_indices(d, d)
        torch.mul(xt[:, a:a + 1], xt[:, a:], out=out[:, row:row + d - a])
        row += d - a
    return out


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
    return torch.logsumexp(torch.bmm(_natural(mixture), _features_t(x)), 1)


def _normalised_weight(x: torch.Tensor, sample_weight: torch.Tensor | None,
                       owner: str) -> torch.Tensor | None:
    """``sample_weight`` rescaled to sum to n in each chain; None (all ones) stays."""
    c, n, _ = x.shape
    if sample_weight is None:
        return None
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
    mix, loglik = _em_update(mixture, *_prepare(x, w), reg, w, loglik=True)
    return mix, loglik


def _prepare(x: torch.Tensor, w: torch.Tensor | None
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """The features of ``x`` (:func:`_features_t`, (c, p, n)): phi^T for the logits and
    (w phi)^T for the statistics (the same tensor when ``w`` is None)."""
    phi_t = _features_t(x)
    return phi_t, (phi_t if w is None else phi_t * w[:, None, :])


def _em_update(mixture: GaussianMixture, phi_t: torch.Tensor,
               phi_wt: torch.Tensor, reg: float, w: torch.Tensor | None = None, *,
               loglik: bool = False) -> tuple[GaussianMixture, torch.Tensor | None]:
    """:func:`em_step` on the features of :func:`_prepare`. The log-likelihood (weighted
    by ``w``, None: all ones) only if ``loglik`` (an extra pass), else None."""
    c, p, n = phi_t.shape
    k, d = mixture.n_components, mixture.dim
    theta = _natural(mixture)  # (c, k, p)
    stats = phi_t.new_empty(c, k, p)  # sum_i w_i r_ij phi(x_i)
    log_norm = phi_t.new_empty(c, n) if loglik else None
    step = max(1, _BLOCK // max(1, k * n))
    for start in range(0, c, step):
        b = slice(start, start + step)
        # components along dim 1 and points along dim 2: the softmax over the k
        # components is k contiguous rows combined elementwise, one exp per entry
        logits = torch.bmm(theta[b], phi_t[b])  # (b, k, n)
        if log_norm is not None:
            log_norm[b] = torch.logsumexp(logits, 1)
        resp = torch.softmax(logits, 1)
        torch.bmm(resp, phi_wt[b].transpose(1, 2), out=stats[b])
    tiny = 10 * torch.finfo(phi_t.dtype).eps
    nk = stats[..., 0] + tiny
    alive = nk > 1e-9
    safe = torch.where(alive, nk, torch.ones_like(nk))[..., None]
    means = stats[..., 1:1 + d] / safe
    ia, ib = torch.triu_indices(d, d, device=phi_t.device)
    second = stats.new_empty(c, k, d, d)
    second[..., ia, ib] = second[..., ib, ia] = stats[..., 1 + d:] / safe
    cov = second - means[..., :, None] * means[..., None, :]  # symmetric, exactly
    cov = cov + reg * torch.eye(d, dtype=phi_t.dtype, device=phi_t.device)
    means = torch.where(alive[..., None], means, mixture.means)
    cov = torch.where(alive[..., None, None], cov, mixture.covariances)
    weights = nk / nk.sum(1, keepdim=True)
    if log_norm is not None:
        log_norm = (log_norm if w is None else w * log_norm).mean(1)
    return GaussianMixture(weights, means, cov), log_norm


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
    phi_t, phi_wt = _prepare(x, w)  # the data do not change between iterations
    mix = init
    for _ in range(n_iter):
        mix, _ = _em_update(mix, phi_t, phi_wt, reg)
    return mix
