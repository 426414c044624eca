"""Gaussian, Laplace and polynomial kernels against scikit-learn / SciPy, to float64 precision.

Tolerances (float64, eps = 2.2e-16):
* Gaussian: both sides build d^2 = |x|^2 + |y|^2 - 2 x.y, whose rounding error is at most
  ~ (d + 2) eps (|x|^2 + |y|^2); exp(-d^2 / 2h^2) has slope <= 1/(2h^2), so
  |dk| <= (d + 2) eps (|x|^2 + |y|^2) / (2 h^2). We allow 8 times that for the two sides.
* Laplace: explicit differences on both sides, relative error of |x - y| <= (d + 1) eps,
  so |dk| <= k |x - y| (d + 1) eps / h; allow 8 times that.
* Polynomial: x.y + c has absolute error <= (d + 1) eps (|x||y| + c); raising to p
  multiplies by p (|x.y| + c)^(p-1); allow 8 times that.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel

import learntheory as lt

EPS = torch.finfo(torch.float64).eps


@pytest.fixture
def points(gen):
    return torch.randn(40, 5, generator=gen), torch.randn(30, 5, generator=gen)


@pytest.mark.parametrize("h", [0.3, 1.0, 4.0])
def test_gaussian_matches_sklearn_rbf(points, h):
    """Squared-exponential kernel, [Rasmussen2006] Sec. 4.2.1 (book: eq-gaussian-kernel)."""
    x, y = points
    ours = lt.kernels.gaussian(x, y, bandwidth=h).numpy()
    ref = rbf_kernel(x.numpy(), y.numpy(), gamma=1.0 / (2 * h * h))
    sq = (x**2).sum(1).max() + (y**2).sum(1).max()
    tol = 8 * (x.shape[1] + 2) * EPS * float(sq) / (2 * h * h)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=tol)


@pytest.mark.parametrize("h", [0.3, 1.0, 4.0])
def test_laplace_matches_scipy_euclidean(points, h):
    """Exponential kernel with the Euclidean norm, [Rasmussen2006] Sec. 4.2.1."""
    x, y = points
    ours = lt.kernels.laplace(x, y, bandwidth=h).numpy()
    dist = cdist(x.numpy(), y.numpy())
    ref = np.exp(-dist / h)
    tol = 8 * (x.shape[1] + 1) * EPS * (ref * dist / h).max()
    np.testing.assert_allclose(ours, ref, rtol=0, atol=tol)


def test_laplace_is_exact_on_the_diagonal(points):
    """Explicit differences: k(x, x) is exactly 1 (the Gram trick would give 1 - O(1e-8))."""
    x, _ = points
    assert torch.equal(lt.kernels.laplace(x).diag(), torch.ones(x.shape[0]))


def test_laplace_in_one_dimension_matches_sklearn_laplacian(gen):
    from sklearn.metrics.pairwise import laplacian_kernel

    x = torch.randn(25, 1, generator=gen)
    np.testing.assert_allclose(lt.kernels.laplace(x, bandwidth=0.5).numpy(),
                               laplacian_kernel(x.numpy(), gamma=2.0), rtol=0, atol=16 * EPS)


@pytest.mark.parametrize(("p", "c"), [(1, 0.0), (2, 1.0), (3, 0.5)])
def test_polynomial_matches_sklearn(points, p, c):
    """Polynomial kernel (x.y + c)^p, [Rasmussen2006] Sec. 4.2.2."""
    x, y = points
    ours = lt.kernels.polynomial(x, y, degree=p, c=c).numpy()
    ref = polynomial_kernel(x.numpy(), y.numpy(), degree=p, gamma=1.0, coef0=c)
    base = float(x.norm(dim=1).max() * y.norm(dim=1).max()) + c
    tol = 8 * p * (x.shape[1] + 1) * EPS * base**p
    np.testing.assert_allclose(ours, ref, rtol=0, atol=tol)


def test_closed_form_values():
    x = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    assert lt.kernels.gaussian(x, bandwidth=5.0)[0, 1].item() == pytest.approx(math.exp(-0.5),
                                                                              rel=1e-15)
    assert lt.kernels.laplace(x, bandwidth=5.0)[0, 1].item() == pytest.approx(math.exp(-1.0),
                                                                             rel=1e-15)
    assert lt.kernels.polynomial(x, degree=2, c=1.0)[1, 1].item() == 26.0**2


@pytest.mark.parametrize("kernel", [lt.kernels.gaussian, lt.kernels.laplace,
                                    lt.kernels.polynomial])
def test_chunked_gram_equals_unchunked(points, kernel):
    """Blocks of rows give the same matrix (up to BLAS blocking: a few ulps)."""
    x, y = points
    full = kernel(x, y)
    for chunk in (1, 7, 40, 1000):
        torch.testing.assert_close(kernel(x, y, chunk_size=chunk), full, rtol=64 * EPS,
                                   atol=64 * EPS)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), d=st.integers(1, 6), h=st.floats(0.05, 10.0),
       seed=st.integers(0, 2**31 - 1), which=st.sampled_from(["gaussian", "laplace", "poly"]))
def test_gram_is_symmetric_and_psd(n, d, h, seed, which):
    """Symmetry and PSD: min eigenvalue >= -tol with tol = 10 n eps ||K||_2 (eigvalsh's
    backward error is O(n eps ||K||))."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    if which == "poly":
        K = lt.kernels.polynomial(x, degree=3, c=1.0)
    else:
        K = lt.kernels.KERNELS[which](x, bandwidth=h)
    assert torch.equal(K, K.mT)  # exactly: the symmetric case is averaged with its transpose
    ev = torch.linalg.eigvalsh(0.5 * (K + K.mT))
    assert ev.min() >= -10 * n * EPS * ev.abs().max()


def test_output_follows_input_device_and_dtype(device):
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    for dtype in (torch.float32, torch.float64):
        K = lt.kernels.gaussian(x.to(device, dtype), bandwidth=1.0)
        assert K.device.type == device.type and K.dtype == dtype
    torch.testing.assert_close(lt.kernels.laplace(x.to(device)).cpu(), lt.kernels.laplace(x),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel", [lt.kernels.gaussian, lt.kernels.laplace,
                                    lt.kernels.polynomial])
@pytest.mark.parametrize(
    ("x1", "x2", "exc", "match"),
    [
        (torch.zeros(3), None, ValueError, r"'x1' parameter of \w+ must be \(n, d\)"),
        (torch.zeros(3, 2), torch.zeros(4, 3), ValueError, "'x2'.*feature dimension 2"),
        (torch.tensor([[math.nan]]), None, ValueError, "'x1'.*must be finite"),
        (torch.zeros(2, 2), torch.tensor([[math.inf, 0.0]]), ValueError, "'x2'.*finite"),
        (torch.zeros(3, 2, dtype=torch.int64), None, TypeError, "'x1'.*floating dtype"),
        (torch.zeros(3, 2, dtype=torch.float64), torch.zeros(3, 2, dtype=torch.float32),
         ValueError, "one dtype"),
        ([[0.0]], None, TypeError, "'x1'.*torch.Tensor"),
    ],
)
def test_bad_inputs_are_named(kernel, x1, x2, exc, match):
    with pytest.raises(exc, match=match):
        kernel(x1, x2)


@pytest.mark.gpu
@pytest.mark.parametrize("kernel", [lt.kernels.gaussian, lt.kernels.laplace,
                                    lt.kernels.polynomial])
def test_tensors_on_two_devices_are_rejected(kernel):
    """A kernel called on a CPU and a CUDA tensor names both (the check itself is unit-tested
    with the meta device in tests/_core/test_validation.py, which needs no GPU)."""
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    with pytest.raises(ValueError, match="'x1' on cpu, 'x2' on cuda"):
        kernel(torch.zeros(2, 2), torch.zeros(2, 2, device="cuda"))


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan])
def test_non_positive_bandwidth(bad):
    with pytest.raises(ValueError, match=r"'bandwidth' parameter of gaussian must be > 0"):
        lt.kernels.gaussian(torch.zeros(2, 1), bandwidth=bad)
    with pytest.raises(ValueError, match=r"'bandwidth' parameter of laplace must be > 0"):
        lt.kernels.laplace(torch.zeros(2, 1), bandwidth=bad)


def test_bad_degree_and_chunk():
    with pytest.raises(ValueError, match="'degree' parameter of polynomial"):
        lt.kernels.polynomial(torch.zeros(2, 1), degree=0)
    with pytest.raises(ValueError, match="'chunk_size' parameter of gaussian"):
        lt.kernels.gaussian(torch.zeros(2, 1), chunk_size=0)
