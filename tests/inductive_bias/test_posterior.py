"""The interpolating GP posterior and its sampler.

The posterior is checked against scikit-learn's GaussianProcessRegressor (a second
implementation of the same formulas), and the sampler against the posterior's mean and
covariance with CLT tolerances: 5 standard errors per entry, where the standard error of
a sample covariance entry is sqrt((S_ii S_jj + S_ij^2) / S) for Gaussian draws.
"""

from __future__ import annotations

import functools

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

ib = lt.inductive_bias


def _task(gen, n=12, m=9, d=3, device="cpu"):
    x = torch.randn(n + m, d, generator=gen).to(device)
    y = torch.sin(x.sum(1))
    return x[:n], y[:n], x[n:], y[n:]


KERNEL = functools.partial(lt.kernels.gaussian, bandwidth=1.3)


def test_posterior_matches_scikit_learn(gen):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF

    xt, yt, xs, _ = _task(gen)
    post = ib.condition(KERNEL, xt, yt, xs, jitter=1e-12)
    gp = GaussianProcessRegressor(RBF(1.3), alpha=1e-12, optimizer=None)
    mean, cov = gp.fit(xt.numpy(), yt.numpy()).predict(xs.numpy(), return_cov=True)
    # both solve the same SPD system in float64; the jitter is 1e-12 on a unit diagonal
    assert torch.allclose(post.mean, torch.as_tensor(mean), atol=1e-8)
    assert torch.allclose(post.cov, torch.as_tensor(cov), atol=1e-8)


def test_hypotheses_interpolate_the_training_data(gen):
    xt, yt, _, _ = _task(gen)
    post = ib.condition(KERNEL, xt, yt, xt)
    h = ib.sample_hypotheses(post, 50, generator=gen)
    # relative jitter 1e-10 and the escalated factor jitter leave ~1e-5 of spread
    assert (h - yt).abs().max() < 1e-4


def test_sampler_mean_and_covariance_follow_the_posterior(device):
    gen = lt.make_generator(3, device)
    xt, yt, xs, _ = _task(torch.Generator().manual_seed(3), device=device)
    post = ib.condition(KERNEL, xt, yt, xs)
    S = 40_000
    h = ib.sample_hypotheses(post, S, generator=gen, chunk_size=7_000)
    assert h.shape == (S, xs.shape[0]) and h.device.type == torch.device(device).type
    sd = post.cov.diagonal().clamp_min(0).sqrt()
    assert_close_mc(h.mean(0), post.mean, sd, S, atol=1e-9)
    c = torch.cov(h.T)
    se = ((sd[:, None] * sd[None, :]) ** 2 + post.cov**2).sqrt()
    assert_close_mc(c, post.cov, se, S, atol=1e-9)


def test_several_outputs_get_independent_processes(gen):
    xt, yt, xs, _ = _task(gen)
    Y = torch.stack([yt, -2 * yt, yt**2], 1)
    post = ib.condition(KERNEL, xt, Y, xs)
    one = ib.condition(KERNEL, xt, Y[:, 1], xs)
    assert post.mean.shape == (xs.shape[0], 3)
    assert torch.allclose(post.mean[:, 1], one.mean) and torch.equal(post.cov, one.cov)
    h = ib.sample_hypotheses(post, 20_000, generator=gen)
    assert h.shape == (20_000, xs.shape[0], 3)
    # outputs uncorrelated: the cross-correlation of two outputs at one point is ~N(0, 1/S)
    a, b = h[:, 0, 0] - h[:, 0, 0].mean(), h[:, 0, 2] - h[:, 0, 2].mean()
    corr = float((a * b).mean() / (a.std() * b.std()))
    assert abs(corr) < 5 / 20_000**0.5


def test_bad_inputs_name_the_parameter(gen):
    xt, yt, xs, _ = _task(gen)
    with pytest.raises(TypeError, match="'kernel'"):
        ib.condition("rbf", xt, yt, xs)
    with pytest.raises(ValueError, match="'kernel'.*positive definite"):
        ib.condition(lambda a, b: -(a @ b.T), xt, yt, xs)
    with pytest.raises(ValueError, match="'kernel'.*\\(9, 12\\)"):
        ib.condition(lambda a, b: a @ a.T, xt, yt, xs[:, :3])
    with pytest.raises(ValueError, match="'x_test'"):
        ib.condition(KERNEL, xt, yt, xs[:, :2])
    with pytest.raises(ValueError, match="'y_train'"):
        ib.condition(KERNEL, xt, yt[:-1], xs)
    with pytest.raises(ValueError, match="'jitter'"):
        ib.condition(KERNEL, xt, yt, xs, jitter=-1.0)
    post = ib.condition(KERNEL, xt, yt, xs)
    with pytest.raises(ValueError, match="'n_samples'"):
        ib.sample_hypotheses(post, 0)
    with pytest.raises(TypeError, match="'posterior'"):
        ib.sample_hypotheses(post.cov, 3)


def test_duplicated_training_points_are_refused(gen):
    xt, yt, xs, _ = _task(gen)
    x2, y2 = torch.cat([xt, xt[:1]]), torch.cat([yt, yt[:1] + 1.0])
    # two different labels at one input: no interpolant exists, and the Gram matrix of a
    # duplicated point is singular (its jitter-regularised solve would silently average)
    with pytest.raises(ValueError, match="'kernel'.*duplicated"):
        ib.condition(KERNEL, x2, y2, xs, jitter=1e-16)


def test_float32_follows_the_inputs(gen):
    xt, yt, xs, _ = _task(gen)
    post = ib.condition(KERNEL, xt.float(), yt.float(), xs.float())
    assert post.mean.dtype == torch.float32 and post.jitter == ib.default_jitter(torch.float32)
    assert ib.sample_hypotheses(post, 4).dtype == torch.float32


def test_a_space_of_rank_below_n_cannot_interpolate(gen):
    x = torch.nn.functional.normalize(torch.randn(40, 5, generator=gen), dim=1)
    y = torch.randn(40, generator=gen)
    few = ib.RandomFeatureKernel(20, 5, generator=gen)  # rank 20 < 40 points
    with pytest.raises(ib.NoInterpolant, match="'kernel'.*cannot interpolate 'y_train'"):
        ib.condition(few, x[:30], y[:30], x[30:])
    many = ib.RandomFeatureKernel(400, 5, generator=gen)
    post = ib.condition(many, x[:30], y[:30], x[:30])
    assert torch.allclose(post.mean, y[:30], atol=1e-5)
