"""Exact bias-variance decomposition of KRR vs Monte Carlo over the label noise.

The MC mean of R i.i.d. test errors has standard error s / sqrt(R); a correct
closed form lies within 5 standard errors (two-sided failure probability 6e-7).
"""

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc


def test_bias_variance_matches_monte_carlo():
    """[Hastie2009] Eq. (7.9) for the linear smoother S (book: eq-bias-variance)."""
    gen = lt.make_generator(7)
    data = lt.datasets.regression_1d(30, noise=0.4, n_test=50, generator=gen, dtype=torch.float64)
    h, ridge, R = 0.1, 1e-3, 4000
    bv = lt.kernels.krr_bias_variance(data, bandwidth=h, ridge=ridge)
    K = lt.kernels.gaussian(data.x_train, bandwidth=h)
    Kt = lt.kernels.gaussian(data.x_test, data.x_train, bandwidth=h)
    ys = data.f_train[:, None] + 0.4 * torch.randn(30, R, generator=gen, dtype=torch.float64)
    preds = Kt @ lt.kernels.kernel_ridge_fit(K, ys, ridge=ridge)
    errs = ((preds - data.f_test[:, None]) ** 2).mean(0)
    assert_close_mc(errs.mean().reshape(1), torch.tensor([bv.risk]), errs.std().reshape(1), R)
    assert bv.bias2 > 0 and bv.variance > 0


def test_noiseless_risk_is_the_bias_and_equals_the_fit_error():
    data = lt.datasets.regression_1d(25, noise=0.0, generator=lt.make_generator(1),
                                     dtype=torch.float64)
    bv = lt.kernels.krr_bias_variance(data, bandwidth=0.2, ridge=1e-2)
    fit = lt.kernels.krr_fit_1d(data, bandwidth=0.2, ridge=1e-2)
    assert bv.variance == 0.0
    assert abs(bv.bias2 - fit.test_mse) <= 1e-12 * max(1.0, fit.test_mse)


def test_error_curves_are_u_shaped_in_bandwidth():
    """Tiny bandwidths overfit (variance), huge ones underfit (bias): the classic trade-off."""
    data = lt.datasets.regression_1d(80, noise=0.3, generator=lt.make_generator(3),
                                     dtype=torch.float64)
    hs = torch.logspace(-3, 0.5, 12, dtype=torch.float64)
    c = lt.kernels.krr_error_curves(data, bandwidths=hs, ridge=1e-4)
    best = int(torch.argmin(c.bias2 + c.variance))
    assert 0 < best < len(hs) - 1
    assert c.variance[0] > c.variance[-1] and c.bias2[-1] > c.bias2[best]
    assert c.train_mse[0] < c.train_mse[-1]


def test_fit_errors_against_a_direct_solve():
    """krr_fit_1d's train MSE is against the *noisy* labels it was fitted to, its test MSE
    against the noiseless target; oracle: torch.linalg.solve on (K + n lambda I) (float64,
    condition number < 1e6 here: agreement to 1e-8 relative)."""
    data = lt.datasets.regression_1d(40, noise=0.5, generator=lt.make_generator(11),
                                     dtype=torch.float64)
    h, ridge, n = 0.05, 1e-3, 40
    fit = lt.kernels.krr_fit_1d(data, bandwidth=h, ridge=ridge)
    K = torch.exp(-((data.x_train - data.x_train.T) ** 2) / (2 * h * h))
    Kt = torch.exp(-((data.x_test - data.x_train.T) ** 2) / (2 * h * h))
    alpha = torch.linalg.solve(K + n * ridge * torch.eye(n, dtype=torch.float64), data.y_train)
    train = float(((K @ alpha - data.y_train) ** 2).mean())
    test = float(((Kt @ alpha - data.f_test) ** 2).mean())
    assert fit.train_mse == pytest.approx(train, rel=1e-8)
    assert fit.test_mse == pytest.approx(test, rel=1e-8)
    torch.testing.assert_close(fit.prediction, Kt @ alpha, rtol=1e-8, atol=1e-10)
    assert (fit.bandwidth, fit.ridge) == (h, ridge)
    # labels and target differ by the noise, so the two conventions are far apart here
    assert abs(train - float(((K @ alpha - data.f_train) ** 2).mean())) > 0.01


def test_bad_inputs_name_the_parameter():
    data = lt.datasets.regression_1d(10, generator=lt.make_generator(0), dtype=torch.float64)
    with pytest.raises(ValueError, match="'kernel' parameter of krr_fit_1d must be one of "
                                         r"\['gaussian', 'laplace'\]. Got 'rbf'"):
        lt.kernels.krr_fit_1d(data, bandwidth=0.1, ridge=1e-3, kernel="rbf")
    with pytest.raises(ValueError, match="'kernel' parameter of krr_bias_variance .* Got "
                                         "'polynomial', which has a degree"):
        lt.kernels.krr_bias_variance(data, bandwidth=0.1, ridge=1e-3, kernel="polynomial")
    with pytest.raises(TypeError, match="'data' parameter of krr_error_curves must be a "
                                        "learntheory.datasets.Regression1D. Got tuple"):
        lt.kernels.krr_error_curves((data.x_train, data.y_train), bandwidths=[0.1], ridge=1e-3)
