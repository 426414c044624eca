"""Kernel ridge regression: closed form vs scikit-learn and a dense solve; Cholesky errors.

Tolerance for two backward-stable solvers of A alpha = y (Cholesky here, scipy's
Cholesky-based solve in scikit-learn): each has relative forward error <= c n eps
cond(A), so predictions k(x, X) alpha differ by at most
2 c n eps cond(A) ||k(x, X)||_1 max|alpha|; we take c = 4.
"""

import math

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.kernel_ridge import KernelRidge as SkKernelRidge

import learntheory as lt

EPS = torch.finfo(torch.float64).eps


@pytest.fixture
def data(gen):
    x = torch.rand(50, 2, generator=gen)
    y = torch.sin(3 * x[:, 0]) + 0.1 * torch.randn(50, generator=gen)
    x_test = torch.rand(20, 2, generator=gen)
    return x, y, x_test


@pytest.mark.parametrize(("kernel", "skkernel"), [("gaussian", "rbf"), ("polynomial", "poly")])
@pytest.mark.parametrize("ridge", [1e-4, 1e-2])
def test_krr_matches_sklearn(data, kernel, skkernel, ridge):
    """Eq. (2.27) of [Rasmussen2006] with sklearn's alpha = n * ridge (book: eq-krr-closed-form)."""
    x, y, x_test = data
    n, h = x.shape[0], 0.7
    ours = lt.kernels.KernelRidge(kernel, ridge=ridge, bandwidth=h, degree=3, c=1.0).fit(x, y)
    params = {"gamma": 1 / (2 * h * h)} if skkernel == "rbf" else {"gamma": 1.0, "degree": 3,
                                                                    "coef0": 1.0}
    sk = SkKernelRidge(alpha=n * ridge, kernel=skkernel, **params).fit(x.numpy(), y.numpy())
    K = ours._gram(x, x)
    ev = torch.linalg.eigvalsh(K + n * ridge * torch.eye(n))
    cond = float(ev.max() / ev.min())
    Kt = ours._gram(x_test, x)
    tol = 8 * n * EPS * cond * float(Kt.abs().sum(1).max()) * float(ours.dual_coef_.abs().max())
    np.testing.assert_allclose(ours.predict(x_test).numpy(), sk.predict(x_test.numpy()),
                               rtol=0, atol=tol)
    np.testing.assert_allclose(ours.dual_coef_.numpy(), sk.dual_coef_,
                               rtol=0, atol=8 * n * EPS * cond * float(ours.dual_coef_.abs().max()))


def test_fit_equals_dense_solve_and_handles_multioutput(data):
    x, y, _ = data
    K = lt.kernels.gaussian(x, bandwidth=0.5)
    Y = torch.stack([y, -2 * y], dim=1)
    alpha = lt.kernels.kernel_ridge_fit(K, Y, ridge=1e-3)
    ref = torch.linalg.solve(K + 50 * 1e-3 * torch.eye(50), Y)
    ev = torch.linalg.eigvalsh(K + 0.05 * torch.eye(50))
    torch.testing.assert_close(alpha, ref, rtol=0,
                               atol=8 * 50 * EPS * float(ev.max() / ev.min()) * ref.abs().max())
    torch.testing.assert_close(alpha[:, 1], -2 * alpha[:, 0], rtol=1e-12, atol=0)


def test_clone_follows_the_estimator_contract(data):
    """Hyperparameters stored unchanged; sklearn's clone works; fit returns self."""
    x, y, _ = data
    model = lt.kernels.KernelRidge("laplace", ridge=0.1, bandwidth=2.0)
    assert clone(model).get_params() == model.get_params()
    assert model.fit(x, y) is model
    assert model.set_params(ridge=0.5).ridge == 0.5
    assert "KernelRidge(kernel='laplace'" in repr(model)
    with pytest.raises(ValueError, match="Invalid parameter 'gamma' for KernelRidge"):
        model.set_params(gamma=1.0)


def test_callable_kernel(data):
    x, y, x_test = data
    k = lambda a, b: lt.kernels.gaussian(a, b, bandwidth=0.3)  # noqa: E731
    a = lt.kernels.KernelRidge(k, ridge=1e-3).fit(x, y).predict(x_test)
    b = lt.kernels.KernelRidge("gaussian", ridge=1e-3, bandwidth=0.3).fit(x, y).predict(x_test)
    torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_indefinite_system_raises_with_advice():
    K = -torch.eye(4)
    with pytest.raises(ValueError, match="not positive definite.*smallest eigenvalue of K is "
                                         "-1.000e\\+00.*increase 'ridge'"):
        lt.kernels.kernel_ridge_fit(K, torch.ones(4), ridge=1e-3)


def test_errors_name_the_parameter(data):
    x, y, _ = data
    K = lt.kernels.gaussian(x)
    with pytest.raises(ValueError, match="'ridge' parameter of kernel_ridge_fit must be > 0"):
        lt.kernels.kernel_ridge_fit(K, y, ridge=0.0)
    with pytest.raises(ValueError, match="'ridge' parameter of kernel_ridge_fit must be > 0"):
        lt.kernels.kernel_ridge_fit(K, y, ridge=-1.0)
    with pytest.raises(ValueError, match=r"'K' parameter of kernel_ridge_fit must be square"):
        lt.kernels.kernel_ridge_fit(K[:, :10], y, ridge=1.0)
    with pytest.raises(ValueError, match=r"'y' parameter of kernel_ridge_fit must have one row "
                                         r"per point \(n = 50\). Got shape \(49,\)"):
        lt.kernels.kernel_ridge_fit(K, y[:49], ridge=1.0)
    with pytest.raises(ValueError, match="'y'.*finite"):
        lt.kernels.kernel_ridge_fit(K, torch.full((50,), math.nan), ridge=1.0)
    with pytest.raises(ValueError, match="not fitted yet"):
        lt.kernels.KernelRidge().predict(x)
    with pytest.raises(ValueError, match="'kernel' parameter of KernelRidge must be one of"):
        lt.kernels.KernelRidge("rbf").fit(x, y)
    model = lt.kernels.KernelRidge().fit(x, y)
    with pytest.raises(ValueError, match="'X' parameter of KernelRidge.predict must have "
                                         "feature dimension 2"):
        model.predict(torch.zeros(3, 5))


def test_krr_on_device_matches_cpu(device, data):
    x, y, x_test = data
    cpu = lt.kernels.KernelRidge(ridge=1e-3).fit(x, y).predict(x_test)
    dev = lt.kernels.KernelRidge(ridge=1e-3).fit(x.to(device), y.to(device)).predict(
        x_test.to(device))
    assert dev.device.type == device.type
    torch.testing.assert_close(dev.cpu(), cpu, rtol=1e-10, atol=1e-10)
