"""Bits by counting, by the fitted tail, and from a law.

On the coordinate toy the scaled noncentral chi-square family contains the exact law, so
the fitted bits must match the exact bits within 5 bootstrap standard errors, also at a
target too deep for counting (more bits than log2 of the sample count). The bootstrap's
standard error is itself checked against the spread of independent replications: with
R = 40 replications the sample standard deviation has relative standard error
1/sqrt(2(R - 1)) = 0.11, so their ratio must lie in [0.5, 1.6] (5 such errors around 1,
widened for the bootstrap's own noise).
"""

from __future__ import annotations

import math

import pytest
import torch

import learntheory as lt

ib = lt.inductive_bias


@pytest.fixture
def toy():
    return ib.coordinate_toy(40, 30, generator=lt.make_generator(0))


def test_naive_bits_count_and_say_what_zero_hits_still_mean(gen):
    e = torch.rand(1000, generator=gen)
    nb = ib.naive_bits(e, 0.1)
    assert nb.bits == pytest.approx(-math.log2(nb.hits / 1000))
    assert nb.lower_bound < nb.bits
    none = ib.naive_bits(e + 1.0, 0.5)
    assert none.hits == 0 and none.bits == math.inf
    # rule of three: 1 - 0.05^(1/S) ~ 3/S
    assert none.lower_bound == pytest.approx(math.log2(1000 / 3), abs=0.01)


def test_fitted_bits_match_the_exact_toy_deeper_than_counting(toy, gen):
    S = 10_000
    e = toy.law.sample(S, generator=gen)
    eps = 0.02
    exact = ib.law_bits(toy.law, eps).bits
    assert exact > math.log2(S) + 5  # beyond what counting can see
    assert ib.naive_bits(e, eps).hits == 0
    est = ib.fitted_bits(e, eps, n_boot=200, generator=gen)
    assert abs(est.bits - exact) < 5 * est.se
    assert est.interval[0] < est.bits < est.interval[1]


@pytest.mark.slow
def test_the_bootstrap_error_is_the_spread_of_replications(toy, gen):
    eps, R = 0.05, 40
    bits, ses = [], []
    for _ in range(R):
        est = ib.fitted_bits(toy.law.sample(5000, generator=gen), eps, n_boot=100,
                             generator=gen)
        bits.append(est.bits)
        ses.append(est.se)
    spread = torch.tensor(bits).std().item()
    assert 0.5 < spread / (sum(ses) / R) < 1.6
    exact = ib.law_bits(toy.law, eps).bits
    # the mean of R estimates is within 5 standard errors of the truth (no bias at S=5000
    # beyond what the replications can resolve)
    assert abs(sum(bits) / R - exact) < 5 * spread / math.sqrt(R)


def test_more_training_data_never_requires_more_bits(gen):
    # the theorem: pinning one more entry removes a nonnegative term from the error, so
    # P(e <= eps) can only grow; checked through the GP route (condition, eigenvectors,
    # inversion), not the closed form
    target = torch.randn(40, generator=gen)
    exact = []
    for n in range(5, 40, 5):
        toy = ib.coordinate_toy(40, n, target=target)
        post = ib.condition(toy.kernel, toy.x_train, toy.y_train, toy.x_test)
        exact.append(ib.law_bits(ib.error_law(post, toy.y_test), 0.05).bits)
    assert all(a > b for a, b in zip(exact, exact[1:], strict=False))
    fitted = [ib.fitted_bits(ib.coordinate_toy(40, n, target=target).law.sample(
        20_000, generator=gen), 0.05, n_boot=50, generator=gen) for n in (15, 25, 35)]
    for a, b in zip(fitted, fitted[1:], strict=False):  # exact steps of 37 and 16 bits
        assert a.bits - b.bits > 5 * math.hypot(a.se, b.se)


def test_chernoff_is_a_lower_bound_on_the_bits(toy):
    for eps in (0.4, 0.1, 0.01):
        lb = ib.law_bits(toy.law, eps)
        assert 0 <= lb.chernoff <= lb.bits


def test_bad_arguments(gen):
    e = torch.rand(100, generator=gen) + 0.5
    with pytest.raises(ValueError, match="'epsilon'"):
        ib.naive_bits(e, -0.1)
    with pytest.raises(ValueError, match="'n_boot'"):
        ib.fitted_bits(e, 0.4, n_boot=1)
    with pytest.raises(ValueError, match="'errors'"):
        ib.fitted_bits(e[:10], 0.4)
    with pytest.raises(TypeError, match="'law'"):
        ib.law_bits(e, 0.4)


def test_exact_bits_is_the_log_cdf_in_bits_and_can_say_inf():
    law = ib.GeneralizedChi2(torch.ones(2), torch.ones(2), torch.zeros(2), offset=0.2)
    assert ib.exact_bits(law, 1.0) == pytest.approx(-ib.log_cdf(law, 1.0) / math.log(2))
    assert ib.exact_bits(law, 0.1, unattainable="inf") == math.inf
    with pytest.raises(ValueError, match="'epsilon'.*attainable"):
        ib.exact_bits(law, 0.1)
    with pytest.raises(ValueError, match="'unattainable'"):
        ib.exact_bits(law, 1.0, unattainable="nan")
