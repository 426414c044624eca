"""The scaled noncentral chi-square fit.

The three-cumulant fit is an algebraic identity: whenever it is not clamped, the fitted
law's first three cumulants equal the sample's (to rounding). The maximum likelihood fit
must have a log-likelihood at least that of the moment fit it starts from.
"""

from __future__ import annotations

import pytest
import torch
from scipy import stats

import learntheory as lt

ib = lt.inductive_bias


@pytest.mark.parametrize("df,nc,scale", [(10.0, 5.0, 0.1), (3.0, 20.0, 1.0), (20.0, 40.0, 0.01)])
def test_moment_fit_reproduces_the_sample_cumulants(gen, df, nc, scale):
    e = ib.scaled_ncx2(df, nc, scale).sample(20_000, generator=gen)
    fit = ib.fit_ncx2(e)
    assert not fit.clamped
    for r, k in enumerate(ib.sample_cumulants(e), start=1):
        assert fit.law.cumulant(r) == pytest.approx(k, rel=1e-9)


def test_too_skewed_or_too_symmetric_samples_are_clamped(gen):
    skewed = torch.exp(torch.randn(5000, generator=gen))  # lognormal: rho > 2
    fit = ib.fit_ncx2(skewed)
    assert fit.clamped and fit.nc == 0.0
    k1, k2, _ = ib.sample_cumulants(skewed)
    assert (fit.law.mean, fit.law.var) == pytest.approx((k1, k2), rel=1e-9)
    flat = 5 + torch.rand(5000, generator=gen)  # uniform: rho = 0 < 3/2
    fit = ib.fit_ncx2(flat)
    k1, k2, _ = ib.sample_cumulants(flat)
    assert fit.clamped and fit.df == 1.0
    assert (fit.law.mean, fit.law.var) == pytest.approx((k1, k2), rel=1e-9)


def test_mle_improves_on_its_moment_start(gen):
    e = ib.scaled_ncx2(10.0, 5.0, 0.1).sample(3000, generator=gen)
    mom, mle = ib.fit_ncx2(e), ib.fit_ncx2(e, method="mle")
    x = e.numpy()

    def loglik(f):
        return stats.ncx2.logpdf(x, f.df, f.nc, scale=f.scale).sum()

    assert mle.method == "mle" and loglik(mle) >= loglik(mom) - 1e-6


def test_bad_samples_name_errors_and_say_why(gen):
    with pytest.raises(ValueError, match="'errors'.*at least 30"):
        ib.fit_ncx2(torch.rand(29, generator=gen) + 1)
    with pytest.raises(ValueError, match="'errors'.*> 0"):
        ib.fit_ncx2(torch.rand(100, generator=gen) - 0.5)
    with pytest.raises(ValueError, match="'errors'.*equal"):
        ib.fit_ncx2(torch.ones(100))
    with pytest.raises(ValueError, match="'errors'"):
        ib.fit_ncx2(torch.ones(10, 10))
    with pytest.raises(ValueError, match="'method'"):
        ib.fit_ncx2(torch.rand(100, generator=gen) + 1, method="lsq")
