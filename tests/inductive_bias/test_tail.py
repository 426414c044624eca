"""The exact lower tail (Bromwich inversion) and the Chernoff bound.

Three independent references: SciPy's ``ncx2.logcdf`` for one component (agreement to
1e-9 relative in F, i.e. 1e-9 absolute in log F); a convolution integral by quadrature
for two central components, far in the tail; and sampling, at the 1 % quantile, within
5 binomial standard errors sqrt(p(1-p)/S).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

import learntheory as lt

ib = lt.inductive_bias

CASES = [(1.0, 0.5, 1.0), (2.0, 3.0, 0.1), (10.0, 5.0, 0.3), (7.3, 0.0, 2.0), (500.0, 20.0, 1.0)]


@pytest.mark.parametrize("df,nc,scale", CASES)
@pytest.mark.parametrize("q", [0.5, 1e-3, 1e-30])
def test_log_cdf_is_scipys_for_one_component(df, nc, scale, q):
    law = ib.scaled_ncx2(df, nc, scale)
    eps = float(stats.ncx2.ppf(q, df, nc, scale=scale))
    want = float(stats.ncx2.logcdf(eps, df, nc, scale=scale))
    assert ib.log_cdf(law, eps) == pytest.approx(want, abs=1e-9, rel=1e-9)


def test_log_cdf_matches_a_convolution_deep_in_the_tail():
    # X = 0.05 chi2_6 + 0.5 chi2_3: F(t) = int_0^t f_1(x) F_2(t - x) dx by quadrature,
    # scaled by the integrand's maximum so that a 1e-40 probability keeps its digits
    law = ib.GeneralizedChi2(torch.tensor([0.05, 0.5]), torch.tensor([6.0, 3.0]),
                             torch.zeros(2))
    for t in (0.5, 0.02, 1e-4):
        def log_f(x, t=t):
            return (stats.chi2.logpdf(x / 0.05, 6) - math.log(0.05)
                    + stats.chi2.logcdf((t - x) / 0.5, 3))
        xs = np.linspace(0, t, 2001)[1:-1]
        peak = max(log_f(x) for x in xs)
        val, _ = integrate.quad(lambda x, peak=peak: math.exp(log_f(x) - peak), 0, t, epsabs=0,
                                epsrel=1e-12, limit=200)
        want = peak + math.log(val)
        assert ib.log_cdf(law, t) == pytest.approx(want, rel=1e-8), t
        assert want < -5 or t == 0.5


def test_log_cdf_matches_sampling_at_the_one_percent_quantile(gen):
    law = ib.GeneralizedChi2(torch.tensor([0.5, 0.1, 0.02]), torch.tensor([1.0, 3.0, 10.0]),
                             torch.tensor([2.0, 0.0, 7.5]), offset=0.3)
    S = 100_000
    e = law.sample(S, generator=gen)
    eps = float(torch.quantile(e, 0.01))
    p = float((e <= eps).double().mean())
    got = math.exp(ib.log_cdf(law, eps))
    assert abs(got - p) < 5 * math.sqrt(p * (1 - p) / S)


@pytest.mark.parametrize("df,nc,scale", CASES)
def test_chernoff_is_an_upper_bound_on_log_f(df, nc, scale):
    law = ib.scaled_ncx2(df, nc, scale)
    for frac in (0.9, 0.5, 0.1, 0.01):
        eps = frac * law.mean
        exact, bound = ib.log_cdf(law, eps), ib.chernoff_log_cdf(law, eps)
        assert bound >= exact - 1e-9
        # Chernoff is tight at leading order: the gap is the log of a prefactor,
        # O(log) of the exponent, never a constant fraction of it far in the tail
        if exact < -50:
            assert bound - exact < 0.1 * -exact
    assert ib.chernoff_log_cdf(law, 2 * law.mean) == 0.0


def test_above_the_mean_log_f_is_near_zero():
    law = ib.scaled_ncx2(50.0, 10.0, 0.01)
    eps = law.mean + 6 * math.sqrt(law.var)
    want = float(stats.ncx2.logcdf(eps, 50.0, 10.0, scale=0.01))
    assert ib.log_cdf(law, eps) == pytest.approx(want, abs=1e-12)
    assert ib.log_cdf(law, 100 * law.mean) == 0.0


def test_unattainable_or_bad_epsilon_is_a_clear_error():
    law = ib.GeneralizedChi2(torch.ones(1), torch.ones(1), torch.zeros(1), offset=0.2)
    with pytest.raises(ValueError, match="'epsilon'.*smallest attainable error 0.2"):
        ib.log_cdf(law, 0.1)
    with pytest.raises(ValueError, match="'epsilon'"):
        ib.chernoff_log_cdf(law, 0.2)
    with pytest.raises(TypeError, match="'epsilon'"):
        ib.log_cdf(law, "small")
    with pytest.raises(TypeError, match="'epsilon'"):
        ib.log_cdf(law, math.nan)
    with pytest.raises(TypeError, match="'law'"):
        ib.log_cdf(0.5, 0.1)


def test_the_laplace_fallback_errs_by_the_next_saddle_point_term(monkeypatch):
    """Forced fallback (no panel allowed): log F by the Gaussian approximation of the
    inversion integral. Its error is the next term of the saddle-point expansion,
    rho_4 / 8 - 5 rho_3^2 / 24 with rho_r = psi^(r) / psi''^(r/2) at the saddle point, so
    the difference to the exact value must be within twice that."""
    import learntheory.inductive_bias.tail as tail

    law = ib.scaled_ncx2(400.0, 30.0, 0.01)
    for eps in (0.5 * law.mean, 0.2 * law.mean):
        exact = ib.log_cdf(law, eps)
        t = eps
        c = tail._root(lambda s, t=t: t + tail._dlog_phi(law, s, 1) - 1.0 / s, 1 / t, 1 / t)
        s = torch.tensor(c, dtype=torch.float64, requires_grad=True)
        psi = law.log_mgf_neg(s) + s * t - torch.log(s)
        d = [psi]
        for _ in range(4):
            d.append(torch.autograd.grad(d[-1], s, create_graph=True)[0])
        p2, p3, p4 = (float(v.detach()) for v in d[2:])
        correction = abs(p4 / p2**2 / 8 - 5 * p3**2 / p2**3 / 24)
        monkeypatch.setattr(tail, "_MAX_PANELS", 0)
        approx = ib.log_cdf(law, eps)
        monkeypatch.undo()
        assert exact < -20 and abs(approx - exact) <= 2 * correction
