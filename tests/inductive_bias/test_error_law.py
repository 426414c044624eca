"""The exact law of a posterior hypothesis's test error, against literal sampling.

The errors of hypotheses drawn by ``sample_hypotheses`` (a Cholesky factor) and scored by
``test_errors`` must have the law's mean and variance (eigendecomposition route) within
5 standard errors; the standard error of a sample variance is estimated from the sample's
fourth central moment, sqrt((m4 - s^4) / S).
"""

from __future__ import annotations

import functools

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

ib = lt.inductive_bias
KERNEL = functools.partial(lt.kernels.gaussian, bandwidth=0.8)


def _task(gen, n=15, m=20, d=2, c=None):
    x = torch.randn(n + m, d, generator=gen)
    y = torch.cos(2 * x[:, 0]) + x[:, 1]
    if c:
        y = torch.stack([y * (j + 1) for j in range(c)], 1)
    return x[:n], y[:n], x[n:], y[n:]


@pytest.mark.parametrize("c", [None, 3])
def test_sampled_errors_follow_the_law(gen, c):
    xt, yt, xs, ys = _task(gen, c=c)
    post = ib.condition(KERNEL, xt, yt, xs)
    law = ib.error_law(post, ys)
    assert law.dofs.unique().tolist() == [float(c or 1)]
    S = 50_000
    e = ib.test_errors(ib.sample_hypotheses(post, S, generator=gen), ys)
    assert_close_mc(e.mean(), torch.tensor(law.mean), e.std(), S)
    d2 = (e - e.mean()) ** 2
    assert_close_mc(d2.mean(), torch.tensor(law.var), d2.std(), S)


def test_the_floor_is_the_error_no_hypothesis_can_avoid(gen):
    xt, yt, _, _ = _task(gen)
    xs = torch.cat([xt[:3], xt[:3] + 5.0])  # 3 training inputs, 3 far away
    ys = torch.cat([yt[:3] + torch.tensor([0.5, 0.0, -1.0]), torch.zeros(3)])
    post = ib.condition(KERNEL, xt, yt, xs)
    # at training inputs every hypothesis predicts the label: (0.25 + 1) / m, m = 6, up
    # to the jitter, whose variance (~1e-10 of the prior's) counts as zero
    law = ib.error_law(post, ys)
    assert law.floor == pytest.approx(1.25 / 6, rel=1e-6)
    assert law.weights.numel() == 3  # the far points keep their prior variance


def test_the_law_ignores_labels_order_and_point_order(gen):
    xt, yt, xs, ys = _task(gen, c=3)
    law = ib.error_law(ib.condition(KERNEL, xt, yt, xs), ys)
    eps = 0.3 * law.mean
    base = ib.law_bits(law, eps).bits
    perm = torch.tensor([2, 0, 1])
    relabelled = ib.error_law(ib.condition(KERNEL, xt, yt[:, perm], xs), ys[:, perm])
    order = torch.randperm(xt.shape[0], generator=gen)
    shuffled = ib.error_law(ib.condition(KERNEL, xt[order], yt[order], xs), ys)
    assert base > 5
    assert ib.law_bits(relabelled, eps).bits == pytest.approx(base, rel=1e-9)
    assert ib.law_bits(shuffled, eps).bits == pytest.approx(base, rel=1e-8)


def test_shapes_are_checked(gen):
    xt, yt, xs, ys = _task(gen)
    post = ib.condition(KERNEL, xt, yt, xs)
    with pytest.raises(ValueError, match="'y_test'"):
        ib.error_law(post, ys[:-1])
    with pytest.raises(ValueError, match="'y_test'"):
        ib.error_law(post, torch.stack([ys, ys], 1))
    with pytest.raises(ValueError, match="'y_test'"):
        ib.test_errors(torch.zeros(4, ys.numel()), ys[:-1])
    with pytest.raises(ValueError, match="'y_test'"):
        ib.test_errors(torch.zeros(4, ys.numel(), 2), ys)


def test_a_posterior_without_variance_has_a_constant_error(gen):
    xt, yt, _, _ = _task(gen)
    law = ib.error_law(ib.condition(KERNEL, xt, yt, xt), yt + 0.1)
    assert law.weights.numel() == 0 and law.floor == pytest.approx(0.01, rel=1e-6)
    assert law.var == 0.0 and ib.law_bits(law, 0.02).bits == 0.0
    with pytest.raises(ValueError, match="'epsilon'.*attainable"):
        ib.law_bits(law, 0.005)
