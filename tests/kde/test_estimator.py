"""The log-space Gaussian KDE (learntheory.kde.estimator) against independent computations.

Tolerances. The library forms squared distances by the Gram trick
|x|^2 + |y|^2 - 2 x.y; the references use explicit differences. A dot product of
length d in floating point is off by at most gamma_d |x||y| with gamma_d ~ d eps, so the
squared distance is off by at most ~ 2 (d + 2) eps (|x|^2 + |y|^2) and the exponent
-|x-y|^2 / 2h^2 by that over 2h^2. Log-sum-exp is 1-Lipschitz in the sup norm of its
arguments, so the same bound holds for log p (``_gram_bound``). The sums of n terms add
at most n eps relative to the sum, i.e. n eps absolute to its log (``_sum_bound``).
"""

import math

import numpy as np
import pytest
import torch
from scipy.stats import gaussian_kde
from sklearn.neighbors import KernelDensity

import learntheory as lt

EPS = torch.finfo(torch.float64).eps


def _gram_bound(x, y, h, eps=EPS):
    d = x.shape[1]
    norms = float((x * x).sum(1).max() + (y * y).sum(1).max())
    return 2 * (d + 2) * eps * norms / (2 * h * h)


def _sum_bound(n, eps=EPS):
    return 4 * n * eps


def _brute_log_density(x, y, h):
    """Explicit differences in float64, torch.logsumexp, and the Gaussian constant."""
    x, y = x.double(), y.double()
    d2 = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    n, d = y.shape
    return (torch.logsumexp(-d2 / (2 * h * h), dim=1) - math.log(n)
            - 0.5 * d * math.log(2 * math.pi * h * h))


def _brute_weights(x, y, h):
    d2 = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    return torch.softmax(-d2 / (2 * h * h), dim=1)


@pytest.mark.parametrize("d,h", [(1, 0.3), (5, 0.8), (20, 1.5)])
def test_log_density_against_float64_brute_force(gen, d, h):
    """To the Gram-trick bound plus the sum bound, which is < 1e-10 relative here."""
    y, x = torch.randn(300, d, generator=gen), torch.randn(40, d, generator=gen)
    ours, ref = lt.kde.log_density(x, y, bandwidth=h), _brute_log_density(x, y, h)
    tol = _gram_bound(x, y, h) + _sum_bound(300)
    assert tol <= 1e-10 * float(ref.abs().min())
    torch.testing.assert_close(ours, ref, rtol=0, atol=tol)
    torch.testing.assert_close(ours, ref, rtol=1e-10, atol=0)


def test_log_density_against_scipy_gaussian_kde(gen):
    """scipy's kernel covariance is factor^2 * (sample covariance of the data): data whitened
    to unit sample covariance and ``bw_method=h`` give h^2 I, checked on kde.covariance.
    Its remaining deviation delta (rounding) moves log p by at most
    (d/2 + max |x-y|^2 / 2h^2) * delta (log-det and quadratic form), times 2 for margin of
    first order, plus the Gram and sum bounds."""
    d, h = 3, 0.6
    raw = torch.randn(400, d, generator=gen)
    c = raw - raw.mean(0)
    L = torch.linalg.cholesky(c.T @ c / (c.shape[0] - 1))
    y = torch.linalg.solve_triangular(L, c.T, upper=False).T
    x = torch.randn(30, d, generator=gen)
    kde = gaussian_kde(y.numpy().T, bw_method=h)
    delta = float(np.abs(kde.covariance / h**2 - np.eye(d)).max())
    assert delta < 1e-13
    ref = torch.from_numpy(kde.logpdf(x.numpy().T))
    d2max = float(((x[:, None] - y[None]) ** 2).sum(-1).max())
    tol = 2 * (d / 2 + d2max / (2 * h * h)) * delta + _gram_bound(x, y, h) + _sum_bound(400)
    torch.testing.assert_close(lt.kde.log_density(x, y, bandwidth=h), ref, rtol=0, atol=tol)


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
def test_log_density_against_sklearn_kernel_density(gen, algorithm):
    """sklearn's exact (rtol = atol = 0) tree sum accumulates in log space, one logaddexp
    per point, each rounding by ~eps times the running log value: n eps (1 + |log p|), twice
    for margin of the constant's own rounding, plus the Gram and sum bounds of ours."""
    d, h = 4, 0.5
    y, x = torch.randn(500, d, generator=gen), torch.randn(25, d, generator=gen)
    sk = KernelDensity(kernel="gaussian", bandwidth=h, algorithm=algorithm).fit(y.numpy())
    ref = torch.from_numpy(sk.score_samples(x.numpy()))
    tol = _gram_bound(x, y, h) + _sum_bound(500) + 2 * 500 * EPS * (1 + float(ref.abs().max()))
    torch.testing.assert_close(lt.kde.log_density(x, y, bandwidth=h), ref, rtol=0, atol=tol)


def test_log_density_is_finite_where_the_density_underflows(gen):
    """d = 200, h = 0.2: exponents ~ -|x-y|^2/2h^2 ~ -5000, so the plain density is 0.0 in
    float64, while the log-density is finite and matches the explicit log-sum-exp."""
    d, h = 200, 0.2
    y, x = torch.randn(100, d, generator=gen), torch.randn(5, d, generator=gen)
    d2 = ((x[:, None] - y[None]) ** 2).sum(-1)
    plain = torch.exp(-d2 / (2 * h * h)).mean(1) * (2 * math.pi * h * h) ** (-d / 2)
    assert bool((plain == 0).all())
    ours = lt.kde.log_density(x, y, bandwidth=h)
    assert bool(torch.isfinite(ours).all()) and float(ours.max()) < -1000
    torch.testing.assert_close(ours, _brute_log_density(x, y, h), rtol=0,
                               atol=_gram_bound(x, y, h) + _sum_bound(100))


def test_gram_trick_error_bound_far_from_the_origin(gen):
    """Translating data and queries together changes nothing mathematically; numerically the
    Gram trick loses ~ eps (|x|^2 + |y|^2) / 2h^2, the bound of the Notes: with an offset of
    100 per coordinate (|x|^2 ~ 1e5) and h = 0.3 the error is visible (> 1e-11) yet inside
    the bound, against explicit differences (which are exact to ~eps |x-y|^2)."""
    d, h = 10, 0.3
    y, x = torch.randn(200, d, generator=gen), torch.randn(20, d, generator=gen)
    ref = _brute_log_density(x, y, h)
    shift = torch.full((d,), 100.0)
    moved = lt.kde.log_density(x + shift, y + shift, bandwidth=h)
    bound = _gram_bound(x + shift, y + shift, h) + _sum_bound(200)
    err = float((moved - ref).abs().max())
    assert err <= bound, (err, bound)
    assert err > 1e-11  # the rounding the Notes describe is real, not hypothetical
    centred = lt.kde.log_density(x, y, bandwidth=h)
    torch.testing.assert_close(centred, ref, rtol=0,
                               atol=_gram_bound(x, y, h) + _sum_bound(200))


def test_log_density_invariant_to_permutation_and_chunking(gen):
    """Permuting the data or changing the chunk size only reorders the sums: sum bound plus
    the Gram bound (a BLAS kernel may round a pair differently at another position)."""
    d, h = 6, 0.7
    y, x = torch.randn(1000, d, generator=gen), torch.randn(50, d, generator=gen)
    ref = lt.kde.log_density(x, y, bandwidth=h)
    tol = 2 * _gram_bound(x, y, h) + _sum_bound(1000)
    perm = torch.randperm(1000, generator=gen)
    torch.testing.assert_close(lt.kde.log_density(x, y[perm], bandwidth=h), ref, rtol=0, atol=tol)
    for chunk in (1, 7, 128, 999, 5000):
        torch.testing.assert_close(lt.kde.log_density(x, y, bandwidth=h, chunk_size=chunk), ref,
                                   rtol=0, atol=tol)
    big_x = torch.randn(2100, d, generator=gen)  # more queries than one query block (1024)
    torch.testing.assert_close(lt.kde.log_density(big_x, y, bandwidth=h),
                               _brute_log_density(big_x, y, h), rtol=0,
                               atol=_gram_bound(big_x, y, h) + _sum_bound(1000))


def test_weight_statistics_every_field_against_explicit_weights(gen):
    """Y2, max weight, 1/Y2 and log p against softmax of explicit differences. An exponent
    error delta (Gram bound) moves each normalised weight by a factor within e^{+-2 delta},
    so Y2 (quadratic) and 1/Y2 by e^{+-4 delta}: rtol 4 delta + sum bound."""
    d, h = 8, 0.6
    y, x = torch.randn(400, d, generator=gen), torch.randn(30, d, generator=gen)
    st = lt.kde.weight_statistics(x, y, bandwidth=h, chunk_size=64)
    w = _brute_weights(x, y, h)
    delta = _gram_bound(x, y, h)
    rtol = 4 * delta + _sum_bound(400)
    torch.testing.assert_close(st.participation_ratio, (w**2).sum(1), rtol=rtol, atol=0)
    torch.testing.assert_close(st.max_weight, w.max(1).values, rtol=rtol, atol=0)
    torch.testing.assert_close(st.effective_number, 1 / (w**2).sum(1), rtol=rtol, atol=0)
    torch.testing.assert_close(st.log_density, _brute_log_density(x, y, h), rtol=0,
                               atol=delta + _sum_bound(400))
    assert st.bandwidth == h
    assert bool((st.participation_ratio >= 1 / 400).all() and (st.max_weight <= 1).all())


def test_weight_statistics_exact_cases():
    """n identical points: every weight is 1/n, so Y2 = max weight = 1/n exactly (to eps);
    two points at distance^2 D: w = (1, e^{-D/2h^2}) / (1 + e^{-D/2h^2})."""
    y = torch.zeros(8, 3)
    st = lt.kde.weight_statistics(torch.ones(2, 3), y, bandwidth=0.5)
    torch.testing.assert_close(st.participation_ratio, torch.full((2,), 1 / 8), rtol=4 * EPS,
                               atol=0)
    torch.testing.assert_close(st.max_weight, torch.full((2,), 1 / 8), rtol=4 * EPS, atol=0)
    y2 = torch.tensor([[0.0], [1.0]])
    st = lt.kde.weight_statistics(torch.zeros(1, 1), y2, bandwidth=0.5)
    q = math.exp(-1 / (2 * 0.25))
    torch.testing.assert_close(st.participation_ratio, torch.tensor([(1 + q * q) / (1 + q) ** 2]),
                               rtol=16 * EPS, atol=0)
    torch.testing.assert_close(st.max_weight, torch.tensor([1 / (1 + q)]), rtol=16 * EPS, atol=0)


def test_bandwidth_rules_match_scipy_factors(gen):
    """scipy.stats.gaussian_kde's scotts_factor and silverman_factor are the same rules for
    unit variance: equal to a few ulps (one power)."""
    for n, d in ((100, 1), (1000, 3), (5000, 16)):
        kde = gaussian_kde(np.random.default_rng(0).standard_normal((d, n)))
        assert lt.kde.scott_bandwidth(n, d) == pytest.approx(kde.scotts_factor(), rel=8 * EPS)
        assert lt.kde.silverman_bandwidth(n, d) == pytest.approx(kde.silverman_factor(),
                                                                 rel=8 * EPS)


def test_gaussian_kde_estimator(gen):
    """fit/score_samples against the brute force (Gram + sum bounds); the rule resolves to
    scott_bandwidth(n, d); sample() has the KDE's law: mean = data mean and covariance =
    (1/n) sum (y - ybar)(y - ybar)^T + h^2 I, within 5 Monte Carlo SEs per entry
    (SE of a mean: sd / sqrt(S); of a covariance entry: sd of the products / sqrt(S))."""
    y, x = torch.randn(50, 2, generator=gen), torch.randn(7, 2, generator=gen)
    kde = lt.kde.GaussianKDE(bandwidth=0.4).fit(y)
    torch.testing.assert_close(kde.score_samples(x), _brute_log_density(x, y, 0.4), rtol=0,
                               atol=_gram_bound(x, y, 0.4) + _sum_bound(50))
    auto = lt.kde.GaussianKDE("silverman").fit(y)
    assert auto.bandwidth_ == lt.kde.silverman_bandwidth(50, 2)
    assert lt.kde.GaussianKDE().fit(y).bandwidth_ == lt.kde.scott_bandwidth(50, 2)
    S = 40000
    z = kde.sample(S, generator=lt.make_generator(1))
    assert z.shape == (S, 2) and z.dtype == y.dtype
    ybar = y.mean(0)
    cov = (y - ybar).T @ (y - ybar) / 50 + 0.16 * torch.eye(2)
    se_mean = z.std(0) / math.sqrt(S)
    assert bool(((z.mean(0) - ybar).abs() <= 5 * se_mean).all())
    zc = z - ybar
    prods = zc[:, :, None] * zc[:, None, :]
    se_cov = prods.reshape(S, 4).std(0).reshape(2, 2) / math.sqrt(S)
    assert bool(((prods.mean(0) - cov).abs() <= 5 * se_cov).all())
    z2 = kde.sample(S, generator=lt.make_generator(1))
    assert torch.equal(z, z2)


def test_float32_follows_the_inputs(gen):
    """float32 in, float32 out; error against float64 brute force within the float32 Gram
    bound and sum bound (eps32 = 1.2e-7)."""
    eps32 = torch.finfo(torch.float32).eps
    y, x = torch.randn(300, 16, generator=gen), torch.randn(20, 16, generator=gen)
    out = lt.kde.log_density(x.float(), y.float(), bandwidth=0.8)
    assert out.dtype == torch.float32
    ref = _brute_log_density(x.float(), y.float(), 0.8)
    tol = (_gram_bound(x, y, 0.8, eps32) + _sum_bound(300, eps32)
           + 4 * eps32 * float(ref.abs().max()))
    torch.testing.assert_close(out.double(), ref, rtol=0, atol=tol)


def test_same_numbers_on_every_device(device, gen):
    """The device fixture: results on the device's inputs, equal to the CPU's within the Gram
    and sum bounds (a different BLAS rounds differently)."""
    y, x = torch.randn(500, 12, generator=gen), torch.randn(40, 12, generator=gen)
    cpu = lt.kde.log_density(x, y, bandwidth=0.9)
    out = lt.kde.log_density(x.to(device), y.to(device), bandwidth=0.9)
    assert out.device.type == device.type
    tol = 2 * _gram_bound(x, y, 0.9) + _sum_bound(500)
    torch.testing.assert_close(out.cpu(), cpu, rtol=0, atol=tol)
    st = lt.kde.weight_statistics(x.to(device), y.to(device), bandwidth=0.9)
    ref = lt.kde.weight_statistics(x, y, bandwidth=0.9)
    torch.testing.assert_close(st.participation_ratio.cpu(), ref.participation_ratio,
                               rtol=8 * _gram_bound(x, y, 0.9) + _sum_bound(500), atol=0)


def test_bad_input_names_the_parameter():
    y, x = torch.randn(10, 3), torch.randn(4, 3)
    with pytest.raises(ValueError,
                       match=r"The 'bandwidth' parameter of log_density must be > 0. Got -1.0"):
        lt.kde.log_density(x, y, bandwidth=-1.0)
    with pytest.raises(ValueError, match="'bandwidth' parameter of weight_statistics"):
        lt.kde.weight_statistics(x, y, bandwidth=0.0)
    with pytest.raises(ValueError, match="'x' parameter of log_density must have feature dim"):
        lt.kde.log_density(torch.randn(4, 2), y, bandwidth=1.0)
    with pytest.raises(ValueError, match="'data' parameter of log_density must hold at least"):
        lt.kde.log_density(x, torch.empty(0, 3), bandwidth=1.0)
    bad = x.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="'x' parameter of log_density must be finite"):
        lt.kde.log_density(bad, y, bandwidth=1.0)
    with pytest.raises(TypeError, match="'data' parameter of log_density must have a floating"):
        lt.kde.log_density(x, torch.ones(10, 3, dtype=torch.int64), bandwidth=1.0)
    with pytest.raises(ValueError, match="'chunk_size' parameter of log_density"):
        lt.kde.log_density(x, y, bandwidth=1.0, chunk_size=0)
    with pytest.raises(ValueError, match="must share one dtype"):
        lt.kde.log_density(x.float(), y, bandwidth=1.0)
    with pytest.raises(ValueError, match="'bandwidth' parameter of GaussianKDE must be one of"):
        lt.kde.GaussianKDE("normal")
    with pytest.raises(ValueError, match="'bandwidth' parameter of GaussianKDE must be > 0"):
        lt.kde.GaussianKDE(-2.0)
    with pytest.raises(ValueError, match="not fitted yet"):
        lt.kde.GaussianKDE(1.0).score_samples(x)
    with pytest.raises(ValueError, match="'n' parameter of scott_bandwidth"):
        lt.kde.scott_bandwidth(0, 3)
    with pytest.raises(TypeError, match="'d' parameter of silverman_bandwidth"):
        lt.kde.silverman_bandwidth(10, 2.5)


def test_the_kernel_never_exceeds_its_peak(gen):
    """The clamp |x - y|^2 >= 0: a query equal to the single data point has log p equal to
    the peak -d/2 ln(2 pi h^2) and never above it, even far from the origin (offset 300,
    where the unclamped Gram trick overshoots by ~ eps |x|^2 / h^2 ~ 1e-9): the clamp makes
    "not above" exact up to the constant, which the library and this test form by the same
    expression (4 eps |peak|); below, the Gram trick may undershoot by its bound."""
    d, h = 8, 0.3
    peak = -0.5 * d * math.log(2 * math.pi * h * h)
    pts = torch.randn(200, d, generator=gen) + 300.0
    out = torch.stack([lt.kde.log_density(p[None], p[None], bandwidth=h)[0] for p in pts])
    assert float(out.max()) <= peak + 4 * EPS * abs(peak)
    torch.testing.assert_close(out, torch.full_like(out, peak), rtol=4 * EPS,
                               atol=_gram_bound(pts, pts, h))
