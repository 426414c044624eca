"""The chapter's tasks: the exact toy's law, the spheres' geometry, the digits' shapes."""

from __future__ import annotations

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

ib = lt.inductive_bias


def test_the_toy_law_is_the_law_of_the_free_weights(gen):
    toy = ib.coordinate_toy(30, 12, tau=0.7, generator=gen)
    # draw the free weights directly: e = (1/D) sum_free (w_j - w*_j)^2, w_j ~ N(0, tau^2)
    S = 100_000
    w = 0.7 * torch.randn(S, 18, generator=gen)
    e = (w - toy.y_test[12:]).pow(2).sum(1) / 30
    assert_close_mc(e.mean(), torch.tensor(toy.law.mean), e.std(), S)
    d2 = (e - e.mean()) ** 2
    assert_close_mc(d2.mean(), torch.tensor(toy.law.var), d2.std(), S)
    # and the GP route gives the same law: cumulants equal to rounding
    gp = ib.error_law(ib.condition(toy.kernel, toy.x_train, toy.y_train, toy.x_test),
                      toy.y_test)
    for r in (1, 2, 3):
        assert gp.cumulant(r) == pytest.approx(toy.law.cumulant(r), rel=1e-8)


def test_sphere_tasks_live_on_a_d_dimensional_sphere(gen):
    task = ib.sphere_task(5, 300, 200, ambient_dim=16, generator=gen)
    x = torch.cat([task.x_train, task.x_test])
    assert x.shape == (500, 16)
    assert torch.allclose(x.norm(dim=1), torch.ones(500))
    sv = torch.linalg.svdvals(x)
    assert int((sv > 1e-10 * sv[0]).sum()) == 5
    y = torch.cat([task.y_train, task.y_test])
    # standardised on 4096 other draws: mean 0 and variance 1 within 5 standard errors of
    # the difference of two independent estimates; a variance's relative standard error
    # is sqrt((kurtosis - 1) / n), with the kurtosis measured on this sample
    both = (1 / 500 + 1 / 4096) ** 0.5
    assert abs(float(y.mean())) < 5 * both
    kurt = float(((y - y.mean()) ** 4).mean() / y.var() ** 2)
    assert abs(float(y.var()) - 1) < 5 * (kurt - 1) ** 0.5 * both


def test_digits_are_one_hot_and_unit_norm(gen):
    task = ib.digits_task(8, 100, 50, generator=gen)
    assert task.x_train.shape == (100, 8) and task.y_test.shape == (50, 10)
    assert torch.allclose(task.x_test.norm(dim=1), torch.ones(50))
    assert torch.equal(task.y_train.sum(1), torch.ones(100))


def test_bad_task_arguments():
    with pytest.raises(ValueError, match="'n_train'.*< dim"):
        ib.coordinate_toy(10, 10)
    with pytest.raises(ValueError, match="'target'"):
        ib.coordinate_toy(10, 3, target=torch.zeros(9))
    with pytest.raises(ValueError, match="'intrinsic_dim'"):
        ib.sphere_task(20, 10, 10, ambient_dim=16)
    with pytest.raises(ValueError, match="'n_components'"):
        ib.digits_task(65, 10, 10)
    with pytest.raises(ValueError, match="'n_train'.*1797"):
        ib.digits_task(8, 1500, 500)
