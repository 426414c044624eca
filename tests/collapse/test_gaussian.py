"""The Gaussian refit loop (learntheory.collapse.gaussian) against its exact laws.

* A replay of the generator into explicit NumPy fits (replace and accumulate, both
  estimators): the loop is the literal procedure, to float64 rounding (mean and variance
  of <= 2000 values of size O(1): errors below 1e-12 relative, the library's float floor).
* Monte Carlo against gaussian_refit_moments: every comparison is a mean over independent
  chains, tested with learntheory._core.testing.assert_close_mc at 5 standard errors
  (two-sided failure probability 6e-7 per entry). The standard deviation is the exact one
  where the module gives it (var_std, log_var_std), else the sample one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

CHAINS = 20_000


def _run(cfg, n, seed=0, device="cpu"):
    return lt.collapse.simulate(cfg, n, n_chains=CHAINS, dtype=torch.float64,
                                generator=lt.make_generator(seed, device), device=device)


@pytest.mark.parametrize("mode", ["replace", "accumulate"])
@pytest.mark.parametrize("estimator", ["unbiased", "mle"])
def test_the_loop_is_the_literal_refit(mode, estimator):
    """Replay the generator's normals and refit with NumPy on the draw (replace) or on every
    draw so far (accumulate)."""
    m, chains, n = 7, 5, 6
    cfg = lt.collapse.GaussianLoop(m, estimator=estimator, mode=mode, mean=1.5, std=2.0)
    hist = lt.collapse.simulate(cfg, n, n_chains=chains, dtype=torch.float64,
                                generator=lt.make_generator(3))
    g = lt.make_generator(3)
    ddof = 1 if estimator == "unbiased" else 0
    mu, var = np.full(chains, 1.5), np.full(chains, 4.0)
    pool = [[] for _ in range(chains)]
    for gen_i in range(1, n + 1):
        z = torch.randn(chains, m, generator=g, dtype=torch.float64).numpy()
        x = mu[:, None] + np.sqrt(var)[:, None] * z
        for c in range(chains):
            pool[c].extend(x[c])
        data = x if mode == "replace" else [np.array(p) for p in pool]
        mu = np.array([np.mean(d) for d in data])
        var = np.array([np.var(d, ddof=ddof) for d in data])
        np.testing.assert_allclose(hist["mean"][gen_i].numpy(), mu, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(hist["var"][gen_i].numpy(), var, rtol=1e-12)
    w2 = np.sqrt((mu - 1.5) ** 2 + (np.sqrt(var) - 2.0) ** 2)
    np.testing.assert_allclose(hist["w2"][-1].numpy(), w2, rtol=1e-12)


@pytest.mark.parametrize("estimator", ["unbiased", "mle"])
def test_variance_mean_and_log_variance_against_the_exact_laws(estimator):
    """E sigma_g^2 (a martingale for the unbiased estimator, (1 - 1/M)^g for the MLE) with
    its exact standard deviation, at g <= 10 where sigma_g^2 has light enough tails for the
    CLT at 2e4 chains (var_std / mean <= 0.8); E ln sigma_g^2 = g E ln S with its exact
    standard deviation sqrt(g psi'(k/2)), at every generation up to 40."""
    cfg = lt.collapse.GaussianLoop(20, estimator=estimator)
    hist, mom = _run(cfg, 40), lt.collapse.gaussian_refit_moments(cfg, 40)
    g = slice(1, 11)
    assert_close_mc(hist["var"][g].mean(1), mom.var_mean[g], mom.var_std[g], CHAINS)
    g = slice(1, None)
    assert_close_mc(hist["var"][g].log().mean(1), mom.log_var_mean[g], mom.log_var_std[g],
                    CHAINS)
    if estimator == "unbiased":
        assert torch.allclose(mom.var_mean, torch.ones(41, dtype=torch.float64))
        assert mom.log_drift < 0  # Jensen: E ln S < ln E S = 0


def test_mean_drift_and_wasserstein_against_the_exact_laws():
    """E (mu_g - mu_0)^2 = g sigma_0^2 / M and E W2^2, at generations 1..20 (sample std)."""
    cfg = lt.collapse.GaussianLoop(10, mean=0.5, std=1.5)
    hist, mom = _run(cfg, 20, seed=1), lt.collapse.gaussian_refit_moments(cfg, 20)
    drift = (hist["mean"] - 0.5) ** 2
    g = slice(1, None)
    assert_close_mc(drift[g].mean(1), mom.mean_sq_drift[g], drift[g].std(1), CHAINS)
    assert torch.allclose(mom.mean_sq_drift, mom.generations * 1.5**2 / 10)
    w2 = hist["w2"] ** 2
    assert_close_mc(w2[g].mean(1), mom.w2_sq[g], w2[g].std(1), CHAINS)


def test_closed_forms_in_limits():
    """M -> infinity: no drift; the MLE's mean factor is (1 - 1/M); W2 at g = 0 is 0."""
    mom = lt.collapse.gaussian_refit_moments(lt.collapse.GaussianLoop(10**6), 5)
    assert abs(mom.log_drift) < 2e-6  # E ln S = -1/(M-1) + O(M^-2)
    assert float(mom.w2_sq[0]) == 0.0
    mle = lt.collapse.gaussian_refit_moments(lt.collapse.GaussianLoop(8, estimator="mle"), 3)
    assert torch.allclose(mle.var_mean, (7 / 8) ** torch.arange(4.0, dtype=torch.float64))
    m = 30
    drift = lt.collapse.gaussian_refit_moments(lt.collapse.GaussianLoop(m), 1).log_drift
    assert drift == pytest.approx(-1 / (m - 1), rel=0.05)  # the notes' approximation


def test_same_statistics_on_every_device(device):
    cfg = lt.collapse.GaussianLoop(20)
    hist, mom = _run(cfg, 10, device=device), lt.collapse.gaussian_refit_moments(cfg, 10)
    assert hist["var"].device.type == torch.device(device).type
    assert_close_mc(hist["var"][1:].log().mean(1).cpu(), mom.log_var_mean[1:],
                    mom.log_var_std[1:], CHAINS)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="n_samples"):
        lt.collapse.GaussianLoop(1)
    with pytest.raises(ValueError, match="std"):
        lt.collapse.GaussianLoop(5, std=-1.0)
    with pytest.raises(ValueError, match="estimator"):
        lt.collapse.GaussianLoop(5, estimator="biased")
    with pytest.raises(ValueError, match="mode"):
        lt.collapse.GaussianLoop(5, mode="mix")
    with pytest.raises(ValueError, match="mean"):
        lt.collapse.GaussianLoop(5, mean=math.nan)
    with pytest.raises(ValueError, match="draw"):
        lt.collapse.GaussianLoop(5, draw="moments")
    with pytest.raises(ValueError, match="'k'"):
        lt.collapse.chi_square(1, (3,))
    with pytest.raises(ValueError, match="replace"):
        lt.collapse.gaussian_refit_moments(lt.collapse.GaussianLoop(5, mode="accumulate"), 3)
    with pytest.raises(TypeError, match="config"):
        lt.collapse.gaussian_refit_moments("loop", 3)


@pytest.mark.parametrize("k", [2, 9, 99])
def test_chi_square_sampler_against_scipy(k):
    """Marsaglia-Tsang draws against scipy's chi2_k: Kolmogorov-Smirnov at level 1e-4, and
    the mean k within 5 standard errors (std sqrt(2k))."""
    from scipy.stats import chi2, kstest

    n = 50_000
    x = lt.collapse.chi_square(k, (n,), generator=lt.make_generator(k))
    assert x.dtype == torch.float64 and bool((x > 0).all())
    assert kstest(x.numpy(), chi2(k).cdf).pvalue > 1e-4
    assert_close_mc(x.mean(), torch.tensor(float(k), dtype=torch.float64),
                    torch.tensor(math.sqrt(2 * k), dtype=torch.float64), n)


@pytest.mark.parametrize("mode", ["replace", "accumulate"])
def test_drawing_the_statistics_has_the_law_of_drawing_the_samples(mode):
    """Two-sample Kolmogorov-Smirnov on sigma_g^2 and mu_g at generation 5 (level 1e-4),
    and the statistics draw against the exact log-variance law (replace)."""
    from scipy.stats import ks_2samp

    runs = {draw: _run(lt.collapse.GaussianLoop(12, mode=mode, draw=draw), 5,
                       seed=7 if draw == "samples" else 8)
            for draw in ("samples", "statistics")}
    for name in ("var", "mean"):
        a, b = (runs[d][name][-1].numpy() for d in ("samples", "statistics"))
        assert ks_2samp(a, b).pvalue > 1e-4, name
    if mode == "replace":
        mom = lt.collapse.gaussian_refit_moments(runs["statistics"].config, 5)
        assert_close_mc(runs["statistics"]["var"][1:].log().mean(1), mom.log_var_mean[1:],
                        mom.log_var_std[1:], CHAINS)


def test_the_median_of_the_variance_against_its_law():
    """The sample median of ln sigma_g^2 over 2e4 chains against ln median_var: within 5
    standard errors of a sample median (sqrt(pi/2) sd / sqrt(N) for a near-normal law)
    plus the law's own error, which is O(1/g) and largest at g = 1, where it is computed
    exactly from scipy's chi2 median (4e-4 for M = 20)."""
    from scipy.stats import chi2

    m = 20
    cfg = lt.collapse.GaussianLoop(m)
    hist, mom = _run(cfg, 30, seed=4), lt.collapse.gaussian_refit_moments(cfg, 30)
    exact_1 = math.log(chi2(m - 1).median() / (m - 1))
    allowance = abs(exact_1 - float(mom.median_var[1].log()))
    assert allowance < 1e-3
    logs = hist["var"][1:].log()
    se = math.sqrt(math.pi / 2) * mom.log_var_std[1:] / math.sqrt(CHAINS)
    err = (logs.median(1).values - mom.median_var[1:].log()).abs()
    assert bool((err <= 5 * se + allowance).all()), float((err - 5 * se).max())
    assert float(mom.median_var[0]) == 1.0
