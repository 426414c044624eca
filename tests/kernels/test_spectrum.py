"""Spectral view of kernel regression: filters reproduce KRR and gradient flow exactly.

Tolerances: eigh-based and solve-based answers are both backward stable, so they agree
to c n eps cond(A) max|y| with A = K + n lambda I (for ridge) or to c n eps ||K|| t eta
for the matrix exponential; c = 8.
"""

import pytest
import torch

import learntheory as lt

EPS = torch.finfo(torch.float64).eps


@pytest.fixture
def sample(gen):
    x = torch.rand(40, 1, generator=gen)
    y = torch.sin(6 * x[:, 0]) + 0.2 * torch.randn(40, generator=gen)
    return x, y, lt.kernels.gaussian(x, bandwidth=0.2)


def test_gram_eigh_is_descending_and_reconstructs(sample):
    _, _, K = sample
    vals, vecs = lt.kernels.gram_eigh(K)
    assert bool((vals[:-1] >= vals[1:]).all())
    torch.testing.assert_close(vecs @ torch.diag(vals) @ vecs.mT, K, rtol=0,
                               atol=8 * 40 * EPS * float(vals.abs().max()))


def test_ridge_filter_reproduces_in_sample_krr(sample):
    """Eq. (2.27) of [Rasmussen2006] in the eigenbasis (book: eq-spectral-filter)."""
    x, y, K = sample
    n, ridge = 40, 1e-3
    vals, vecs = lt.kernels.gram_eigh(K)
    fit = lt.kernels.spectral_fit(vals, vecs, y, lt.kernels.ridge_filter(vals, ridge=ridge, n=n))
    krr = K @ lt.kernels.kernel_ridge_fit(K, y, ridge=ridge)
    cond = float((vals.max() + n * ridge) / (vals.min().clamp_min(0) + n * ridge))
    torch.testing.assert_close(fit, krr, rtol=0, atol=8 * n * EPS * cond * float(y.abs().max()))


def test_gradient_flow_filter_matches_matrix_exponential(sample):
    """f_t = (I - exp(-eta K t)) y solves df/dt = -eta K (f - y), f_0 = 0 ([Jacot2018] Sec. 5)."""
    _, y, K = sample
    vals, vecs = lt.kernels.gram_eigh(K)
    for t in (0.0, 0.5, 10.0, 1000.0):
        filt = lt.kernels.gradient_flow_filter(vals, lr=0.1, t=t)
        fit = lt.kernels.spectral_fit(vals, vecs, y, filt)
        ref = y - torch.linalg.matrix_exp(-0.1 * t * K) @ y
        scale = 1 + 0.1 * t * float(vals.max())
        torch.testing.assert_close(fit, ref, rtol=0, atol=8 * 40 * EPS * scale * y.abs().max())
    assert torch.equal(lt.kernels.gradient_flow_filter(vals, lr=1.0, t=0.0), torch.zeros(40))


def test_discrete_gradient_descent_follows_the_filter(sample):
    """Function-space GD f <- f - eta K (f - y), iterated by brute force, is the filter
    1 - (1 - eta lambda_i)^k (one rounding per entry per step: 8 n k eps |y|)."""
    _, y, K = sample
    vals, vecs = lt.kernels.gram_eigh(K)
    eta = 0.5 * lt.kernels.max_learning_rate(K)
    f, record = torch.zeros_like(y), {}
    for step in range(1, 201):
        f = f - eta * K @ (f - y)
        if step in (1, 7, 200):
            record[step] = f
    batch = lt.kernels.gradient_descent_filter(vals, lr=eta, steps=torch.tensor([1, 7, 200]))
    for row, (steps, ref) in zip(batch, record.items(), strict=True):
        filt = lt.kernels.gradient_descent_filter(vals, lr=eta, steps=steps)
        torch.testing.assert_close(row, filt, rtol=0, atol=0)
        torch.testing.assert_close(lt.kernels.spectral_fit(vals, vecs, y, filt), ref, rtol=0,
                                   atol=8 * 40 * steps * EPS * y.abs().max())


def test_descent_filter_tends_to_flow_filter(sample):
    """(1 - eta lam)^(t/eta) -> exp(-lam t) as eta -> 0; the gap is ~ eta lam^2 t e^{-lam t} / 2
    <= eta lam_max^2 t / 2 (first term of log(1 - x) = -x - x^2/2 - ...)."""
    _, _, K = sample
    vals, _ = lt.kernels.gram_eigh(K)
    t, top = 3.0, float(vals.max())
    for eta in (1e-2 / top, 1e-4 / top):
        gd = lt.kernels.gradient_descent_filter(vals, lr=eta, steps=round(t / eta))
        flow = lt.kernels.gradient_flow_filter(vals, lr=1.0, t=round(t / eta) * eta)
        assert float((gd - flow).abs().max()) <= eta * top**2 * t / 2 + 1e-12


def test_max_learning_rate_is_the_stability_edge(sample):
    """Below 2 / lam_max every component of the GD filter converges to 1; just above, the top
    component's residual (1 - eta lam_max)^t grows in absolute value."""
    _, _, K = sample
    vals, _ = lt.kernels.gram_eigh(K)
    eta = lt.kernels.max_learning_rate(K)
    assert eta == pytest.approx(2 / float(vals[0]), rel=1e-12)
    assert lt.kernels.max_learning_rate(vals) == pytest.approx(eta, rel=1e-12)
    assert lt.kernels.max_learning_rate(K, loss="mean") == pytest.approx(40 * eta, rel=1e-12)
    stable = lt.kernels.gradient_descent_filter(vals[:1], lr=0.99 * eta, steps=2000)
    unstable = lt.kernels.gradient_descent_filter(vals[:1], lr=1.01 * eta, steps=2000)
    assert abs(float(stable[0]) - 1) < 1e-6 and abs(float(unstable[0]) - 1) > 1e6
    with pytest.raises(ValueError, match="'kernel' parameter of max_learning_rate must have a "
                                         "largest eigenvalue > 0"):
        lt.kernels.max_learning_rate(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="'steps' parameter of gradient_descent_filter must "
                                         "hold finite integers >= 0"):
        lt.kernels.gradient_descent_filter(vals, lr=0.1, steps=torch.tensor([0.5]))


def test_nystrom_eigenfunctions_at_the_sample_are_scaled_eigenvectors(sample):
    """Nystrom extension, Eq. (3) of [Williams2001]: phi_i(x_j) = sqrt(n) u_ij."""
    x, _, K = sample
    vals, vecs = lt.kernels.gram_eigh(K)
    phi = lt.kernels.nystrom_eigenfunctions(K, vals, vecs, 5)
    torch.testing.assert_close(phi, 40**0.5 * vecs[:, :5], rtol=0,
                               atol=8 * 40 * EPS * float(vals[0] / vals[4]) * 40**0.5)
    grid = torch.linspace(0, 1, 11)[:, None]
    assert lt.kernels.nystrom_eigenfunctions(lt.kernels.gaussian(grid, x, bandwidth=0.2), vals,
                                             vecs, 3).shape == (11, 3)


def test_spectral_errors(sample):
    _, _, K = sample
    vals, vecs = lt.kernels.gram_eigh(K)
    with pytest.raises(ValueError, match="'K' parameter of gram_eigh must be square"):
        lt.kernels.gram_eigh(K[:3])
    with pytest.raises(ValueError, match="'k' parameter of nystrom_eigenfunctions"):
        lt.kernels.nystrom_eigenfunctions(K, vals, vecs, 0)
    with pytest.raises(ValueError, match="'kernel_at'.*one column per sample point"):
        lt.kernels.nystrom_eigenfunctions(K[:, :5], vals, vecs, 2)
    with pytest.raises(ValueError, match="'lr' parameter of gradient_flow_filter must be > 0"):
        lt.kernels.gradient_flow_filter(vals, lr=0.0, t=1.0)
    with pytest.raises(ValueError, match="'t' parameter of gradient_flow_filter must be >= 0"):
        lt.kernels.gradient_flow_filter(vals, lr=1.0, t=-1.0)
