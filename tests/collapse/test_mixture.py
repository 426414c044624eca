"""Gaussian mixtures fitted by EM (learntheory.collapse.mixture), Dempster1977.

* Every field of ``fit_mixture`` (weights, means, covariances) and of ``em_step``'s
  log-likelihood against scikit-learn's ``GaussianMixture`` from the same start, same
  data, same number of iterations (an independent implementation: centred covariances,
  precision Cholesky factors, a loop over components).
* EM never decreases the weighted log-likelihood (Dempster et al., Thm 1).
* An integer sample weight is the same as repeating the point.
* ``log_prob`` against SciPy's multivariate normal; ``sample`` against the mixture's mean
  and covariance by Monte Carlo (5 standard errors).
* Bad input raises errors naming the parameter; the device follows the inputs.

Floating-point floors (float64, eps = 2.2e-16): our E-step evaluates the quadratic form
through the sufficient statistics (1, x, x x^T), whose terms reach
B = ||Sigma^-1|| (|x| + |mu|)^2 / 2 before they cancel, so each log-responsibility carries
an error of a few B eps; the M-step sums n terms (n eps relative) and forms the covariance
as E[x x^T] - mu mu^T (absolute error ~ n eps max |x|^2). One iteration therefore moves the
parameters by at most ~ (n + B) eps max(1, max |x|^2) from exact arithmetic, and T
iterations by T times that, as long as the EM map does not expand errors (it contracts
near a strict local maximum, at the rate of the fraction of missing information; the data
below have well separated clusters).
"""

import math
import warnings

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import learntheory as lt
from learntheory._core.testing import assert_close_mc

EPS = torch.finfo(torch.float64).eps


def _circle(n_chains: int, k: int = 4, radius: float = 3.0, var: float = 0.09, shift=0.0):
    angle = torch.arange(k) * 2 * math.pi / k
    means = radius * torch.stack([angle.cos(), angle.sin()], -1) + shift
    return lt.collapse.GaussianMixture(torch.full((n_chains, k), 1 / k),
                                       means.expand(n_chains, k, 2).clone(),
                                       (var * torch.eye(2)).expand(n_chains, k, 2, 2).clone())


def _floor(x: torch.Tensor, mix, n_iter: int) -> float:
    """(n + B) eps max(1, max |x|^2) per iteration, times the iterations (module docstring)."""
    n = x.shape[1]
    prec = torch.linalg.inv(mix.covariances).norm(dim=(-2, -1)).max()
    big = float(x.norm(dim=-1).max() + mix.means.norm(dim=-1).max())
    b = float(prec) * big**2 / 2
    return n_iter * (n + b) * EPS * max(1.0, float(x.norm(dim=-1).max()) ** 2)


def test_fit_mixture_matches_scikit_learn_from_the_same_start(gen):
    """Two chains with their own data (a rotated, shifted 4-mode circle each), 5 EM steps
    from a perturbed start: weights, means, covariances and the last E-step's mean
    log-likelihood (scikit-learn's lower_bound_) to the floor of the module docstring."""
    k, n, steps = 4, 600, 5
    truth = _circle(2, k)
    x = truth.sample(n, generator=gen)
    x[1] = x[1] @ torch.tensor([[0.6, -0.8], [0.8, 0.6]]) + 0.5
    start = lt.collapse.GaussianMixture(
        torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]),
        torch.stack([truth.means[0] + 0.3, truth.means[1] @ torch.tensor(
            [[0.6, -0.8], [0.8, 0.6]]) + 0.2]),
        truth.covariances * torch.tensor([1.5, 3.0])[:, None, None, None])
    fit = lt.collapse.fit_mixture(x, start, n_iter=steps)
    mix, loglik = start, None
    for _ in range(steps):
        mix, loglik = lt.collapse.em_step(mix, x)
    for c in range(2):
        sk = SkGaussianMixture(k, covariance_type="full", reg_covar=1e-6, max_iter=steps,
                               tol=0.0, weights_init=start.weights[c].numpy(),
                               means_init=start.means[c].numpy(),
                               precisions_init=np.linalg.inv(start.covariances[c].numpy()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: tol = 0 on purpose
            sk.fit(x[c].numpy())
        tol = _floor(x[c:c + 1], start, steps)
        np.testing.assert_allclose(fit.weights[c].numpy(), sk.weights_, rtol=0, atol=tol)
        np.testing.assert_allclose(fit.means[c].numpy(), sk.means_, rtol=0, atol=tol)
        np.testing.assert_allclose(fit.covariances[c].numpy(), sk.covariances_, rtol=0,
                                   atol=tol)
        np.testing.assert_allclose(float(loglik[c]), sk.lower_bound_, rtol=0, atol=tol)
        torch.testing.assert_close(mix.means[c], fit.means[c], rtol=0, atol=0)


def test_em_never_decreases_the_weighted_log_likelihood(gen):
    """Thm 1 of Dempster1977, with non-uniform sample weights and a poor start (all means
    near the origin, 40 steps): each step's log-likelihood may only fall by the rounding
    of a mean of n log-densities, (n + B) eps max(1, |l|)."""
    truth = _circle(3, 8)
    x = truth.sample(500, generator=gen)
    w = torch.rand(3, 500, generator=gen) + 0.1
    mix = lt.collapse.GaussianMixture(truth.weights, 0.3 * torch.randn(3, 8, 2, generator=gen),
                                      torch.eye(2).expand(3, 8, 2, 2).clone())
    values = []
    for _ in range(40):
        mix, loglik = lt.collapse.em_step(mix, x, sample_weight=w)
        values.append(loglik)
    ll = torch.stack(values)
    tol = _floor(x, truth, 1) * max(1.0, float(ll.abs().max()))
    assert float((ll[1:] - ll[:-1]).min()) >= -tol
    assert float(ll[-1].min() - ll[0].max()) > 0.5  # EM really moved (not vacuous)


def test_integer_weights_are_repetitions(gen):
    """Weights (1, 2, 3, ...) cycled over the points give the same fit as repeating each
    point that many times: the same sums, in another order (n eps relative per sum)."""
    truth = _circle(1, 4)
    x = truth.sample(90, generator=gen)
    reps = torch.tensor([1, 2, 3]).repeat(30)
    fit_w = lt.collapse.fit_mixture(x, truth, sample_weight=reps[None].double(), n_iter=4)
    fit_r = lt.collapse.fit_mixture(x.repeat_interleave(reps, dim=1), truth, n_iter=4)
    tol = _floor(x.repeat_interleave(reps, dim=1), truth, 4)
    for field in ("weights", "means", "covariances"):
        torch.testing.assert_close(getattr(fit_w, field), getattr(fit_r, field), rtol=0,
                                   atol=tol)


def test_log_prob_against_scipy():
    """Mixture log-density against SciPy's multivariate_normal.logpdf summed by hand
    (logsumexp): the quadratic-form floor B eps per term, plus log k eps."""
    g = lt.make_generator(4)
    mix = _circle(2, 3)
    a = torch.randn(2, 3, 2, 2, generator=g)
    mix = lt.collapse.GaussianMixture(torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]),
                                      mix.means, a @ a.transpose(-1, -2) + 0.2 * torch.eye(2))
    x = 3 * torch.randn(2, 7, 2, generator=g)
    ours = mix.log_prob(x)
    for c in range(2):
        comps = np.stack([np.log(float(mix.weights[c, j])) + multivariate_normal(
            mix.means[c, j].numpy(), mix.covariances[c, j].numpy()).logpdf(x[c].numpy())
            for j in range(3)])
        ref = np.logaddexp.reduce(comps, axis=0)
        tol = _floor(x[c:c + 1], mix, 1)
        np.testing.assert_allclose(ours[c].numpy(), ref, rtol=0, atol=tol)


def test_sample_has_the_mixture_mean_and_covariance():
    """Mean sum_j pi_j mu_j and covariance sum_j pi_j (Sigma_j + mu_j mu_j^T) - m m^T of
    60000 draws per chain, each coordinate (and each product of centred coordinates)
    within 5 standard errors, the standard deviations taken from the same draws."""
    g = lt.make_generator(6)
    mix = lt.collapse.GaussianMixture(torch.tensor([[0.7, 0.3], [0.1, 0.9]]),
                                      torch.tensor([[[0.0, 0.0], [3.0, 1.0]],
                                                    [[-2.0, 1.0], [1.0, -1.0]]]),
                                      torch.tensor([[[1.0, 0.3], [0.3, 0.5]], [[0.2, 0.0],
                                                    [0.0, 2.0]]]).expand(2, 2, 2, 2).clone())
    n = 60_000
    x = mix.sample(n, generator=g)
    mean = (mix.weights[..., None] * mix.means).sum(1)
    second = (mix.weights[..., None, None] * (mix.covariances + mix.means[..., :, None]
                                              * mix.means[..., None, :])).sum(1)
    cov = second - mean[:, :, None] * mean[:, None, :]
    assert_close_mc(x.mean(1), mean, x.std(1), n)
    xc = x - mean[:, None]
    prods = xc[..., :, None] * xc[..., None, :]
    assert_close_mc(prods.mean(1), cov, prods.std(1), n)


def test_bad_input_names_the_parameter():
    mix = _circle(2, 3)
    with pytest.raises(ValueError, match="'weights'"):
        lt.collapse.GaussianMixture(mix.weights[:, :2], mix.means, mix.covariances)
    with pytest.raises(ValueError, match="'covariances'"):
        lt.collapse.GaussianMixture(mix.weights, mix.means, mix.covariances[..., :1])
    with pytest.raises(ValueError, match="'x'.*feature dimension 2"):
        mix.log_prob(torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match="'x'.*n_chains = 2"):
        lt.collapse.fit_mixture(torch.zeros(3, 5, 2), mix)
    with pytest.raises(ValueError, match="'sample_weight'"):
        lt.collapse.fit_mixture(torch.zeros(2, 5, 2), mix, sample_weight=-torch.ones(2, 5))
    with pytest.raises(ValueError, match="'sample_weight'.*shape"):
        lt.collapse.fit_mixture(torch.zeros(2, 5, 2), mix, sample_weight=torch.ones(2, 4))
    with pytest.raises(TypeError, match="'mixture'"):
        lt.collapse.mixture_log_prob("not a mixture", torch.zeros(2, 5, 2))
    with pytest.raises(ValueError, match="'n'"):
        mix.sample(0)
    with pytest.raises(ValueError, match="'n_iter'"):
        lt.collapse.fit_mixture(torch.zeros(2, 5, 2), mix, n_iter=-1)


def test_device_follows_the_inputs(device):
    """A fit on ``device`` matches the CPU fit to the float64 floor of the docstring, and
    samples land on the generator's device."""
    truth = _circle(2, 4)
    x = truth.sample(300, generator=lt.make_generator(1))
    cpu = lt.collapse.fit_mixture(x, truth, n_iter=3)
    moved = lt.collapse.GaussianMixture(truth.weights.to(device), truth.means.to(device),
                                        truth.covariances.to(device))
    dev = lt.collapse.fit_mixture(x.to(device), moved, n_iter=3)
    assert dev.means.device.type == device.type
    tol = _floor(x, truth, 3)
    torch.testing.assert_close(dev.covariances.cpu(), cpu.covariances, rtol=0, atol=tol)
    assert moved.sample(5, generator=lt.make_generator(0, device)).device.type == device.type


@pytest.mark.parametrize("d", [1, 2, 3, 4, 5])
def test_small_dimension_precision_is_lapacks(d):
    """The elementwise Cholesky used up to _SMALL_D = 4 and the LAPACK path above it give
    the same precision and log-determinant (float64, condition numbers up to ~1e3:
    relative error a few hundred eps, checked at 1e-10), and a matrix that is not
    positive definite still raises LAPACK's error instead of returning NaN."""
    from learntheory.collapse.mixture import _precision
    g = torch.Generator().manual_seed(d)
    a = torch.randn(64, d, d, generator=g, dtype=torch.float64)
    cov = a @ a.mT + 0.05 * torch.eye(d, dtype=torch.float64)
    prec, logdet = _precision(cov)
    assert torch.allclose(prec, torch.linalg.inv(cov), rtol=1e-10, atol=0)
    assert torch.allclose(logdet, torch.linalg.slogdet(cov)[1], rtol=1e-10, atol=1e-12)
    bad = cov.clone()
    bad[0] = -torch.eye(d, dtype=torch.float64)
    with pytest.raises(torch.linalg.LinAlgError):
        _precision(bad)
