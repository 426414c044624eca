"""The chapter's experiments: the moment-matched limit, convergence, the sweeps."""

from __future__ import annotations

import math

import pytest
import torch

import learntheory as lt

ib = lt.inductive_bias


@pytest.mark.parametrize("df,nc,scale", [(10.0, 5.0, 0.1), (3.0, 20.0, 1.0)])
def test_the_moment_matched_ncx2_of_an_ncx2_is_itself(df, nc, scale):
    fit = ib.moment_matched(ib.scaled_ncx2(df, nc, scale))
    assert not fit.clamped
    assert (fit.df, fit.nc, fit.scale) == pytest.approx((df, nc, scale), rel=1e-9)


def test_fit_convergence_approaches_the_exact_toy(gen):
    toy = ib.coordinate_toy(40, 30, generator=lt.make_generator(0))
    fc = ib.fit_convergence(toy.law, 0.05, [200, 20_000], n_rep=12, generator=gen)
    assert fc.bits.shape == (2, 12) and fc.limit == pytest.approx(fc.exact, rel=1e-9)
    sd = fc.bits.std(1)
    assert sd[1] < sd[0] / 3  # the spread falls like 1/sqrt(S): 10x at 100x the samples
    assert abs(float(fc.bits[1].mean()) - fc.exact) < 5 * float(sd[1]) / math.sqrt(12)


def test_bits_by_dimension_is_reproducible_and_finite():
    a = ib.bits_by_dimension([4, 12], [0.1, 0.3], n_teachers=2, n_train=40, n_test=20,
                             ambient_dim=16)
    b = ib.bits_by_dimension([4, 12], [0.1, 0.3], n_teachers=2, n_train=40, n_test=20,
                             ambient_dim=16)
    assert a.bits.shape == (2, 2, 2) and torch.equal(a.bits, b.bits)
    assert bool((a.bits >= 0).all()) and bool(torch.isfinite(a.bits).all())
    assert bool((a.bits[:, 0] >= a.bits[:, 1]).all())  # a lower target never costs less


def test_bits_by_kernel_marks_unattainable_targets(gen):
    toy = ib.coordinate_toy(20, 5, generator=gen)
    x_test = torch.cat([toy.x_train[:1], toy.x_test])
    y_test = torch.cat([toy.y_train[:1] + 1.0, toy.y_test])
    task = ib.Task(toy.x_train, toy.y_train, x_test, y_test)
    out = ib.bits_by_kernel(task, {"linear": toy.kernel}, [0.01, 10.0])
    row = out["linear"]
    assert row[0] == math.inf and row[1] == 0.0 and row[3] == pytest.approx(1 / 21, rel=1e-6)
