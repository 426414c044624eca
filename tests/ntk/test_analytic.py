"""Tests for learntheory.ntk.analytic: the NNGP/NTK recursions (Jacot2018 Prop. 1, Thm. 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss
from scipy.special import erf

import learntheory as lt
from learntheory._core.testing import assert_close_mc

SIGMA_W, SIGMA_B = 1.3, 0.4


def _points(gen, n=5, d=3):
    return torch.randn(n, d, generator=gen)


# ---------------------------------------------------------------------------
# quadrature oracles for one step of the recursion (independent of the closed forms)


def _gh_once(q1, q2, c, fn, nodes):
    z, w = hermegauss(nodes)
    l11 = math.sqrt(q1)
    l21, l22 = c / l11, math.sqrt(max(q2 - c * c / q1, 0.0))
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    vals = fn(l11 * z1) * fn(l21 * z1 + l22 * z2)
    return float(np.einsum("i,j,ij->", w, w, vals) / (2 * math.pi))


def _gh_expect(q1, q2, c, fn, nodes=150):
    """E[fn(u) fn(v)] by tensor-product Gauss-Hermite (weight exp(-z^2/2)) after Cholesky.

    erf(sqrt(q) z) grows like exp(q y^2) off the real axis, so convergence is fast only
    once the nodes resolve it (80 nodes: 1e-7 at q = 4; 160: 1e-14). A-posteriori error
    estimate: the result must not move by more than 1e-11 (relative) from N to 2N nodes
    (the floor is the rounding of a 300^2-term sum, ~1e-12).
    """
    coarse, fine = _gh_once(q1, q2, c, fn, nodes), _gh_once(q1, q2, c, fn, 2 * nodes)
    assert abs(fine - coarse) <= 1e-11 * max(abs(fine), 1e-300) + 1e-300, (coarse, fine)
    return fine


def _polar_relu(q1, q2, c, nodes=40):
    """E[relu(u)relu(v)], E[1(u>0)1(v>0)] in polar coordinates: E r^2 = 2, then Gauss-Legendre
    on the arc where both are positive (a smooth trigonometric integrand)."""
    l11 = math.sqrt(q1)
    b = np.array([c / l11, math.sqrt(max(q2 - c * c / q1, 0.0))])
    phib = math.atan2(b[1], b[0])  # a = (l11, 0) has angle 0
    lo, hi = phib - math.pi / 2, math.pi / 2
    x, w = leggauss(nodes)
    phi = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    integrand = (l11 * np.cos(phi)) * (b[0] * np.cos(phi) + b[1] * np.sin(phi))
    return float(0.5 * (hi - lo) * (w @ integrand)) / math.pi, (hi - lo) / (2 * math.pi)


def _erf_prime(z):
    return 2 / math.sqrt(math.pi) * np.exp(-z * z)


def _oracle_recursion(x, depth, activation):
    """Jacot2018's recursion with every expectation done by quadrature."""
    x = x.numpy()
    n = len(x)
    sig = SIGMA_W**2 * x @ x.T / x.shape[1] + SIGMA_B**2
    theta = sig.copy()
    for _ in range(depth):
        new, dot = np.empty_like(sig), np.empty_like(sig)
        for i in range(n):
            for j in range(n):
                q1, q2, c = sig[i, i], sig[j, j], sig[i, j]
                if activation == "relu":
                    e, ed = _polar_relu(q1, q2, c)
                else:
                    e = _gh_expect(q1, q2, c, erf)
                    ed = _gh_expect(q1, q2, c, _erf_prime)
                new[i, j] = SIGMA_W**2 * e + SIGMA_B**2
                dot[i, j] = SIGMA_W**2 * ed
        sig, theta = new, theta * dot + new
    return torch.from_numpy(sig), torch.from_numpy(theta)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_recursion_matches_quadrature(activation, gen):
    """mlp_kernels equals the recursion of Jacot2018 (Prop. 1, Thm. 1) with quadrature
    expectations (Gauss-Hermite for erf, polar Gauss-Legendre for ReLU).

    Tolerance: the quadratures are converged to 1e-11 (checked a posteriori for GH; the
    ReLU arc integrand is a trigonometric polynomial, integrated exactly by 40 Legendre
    nodes), and three layers of the recursion amplify relative errors by at most a few
    (each step is Lipschitz with constant ~ sigma_w^2 * max E[s's'] < 3 here), so 1e-10.
    """
    x = _points(gen, n=4)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(3)  # |x|^2/d = 1, so q <= 2 at every layer
    k = lt.ntk.mlp_kernels(x, depth=3, activation=activation, sigma_w=SIGMA_W, sigma_b=SIGMA_B)
    nngp, ntk = _oracle_recursion(x, 3, activation)
    torch.testing.assert_close(k.nngp, nngp, rtol=1e-10, atol=0)
    torch.testing.assert_close(k.ntk, ntk, rtol=1e-10, atol=0)


def test_depth_one_relu_hand_formula_jacot2018():
    """One hidden ReLU layer, written out by hand (float64 floor):
    Theta = Sigma1 sw^2 (pi - t)/2pi + sw^2 |.||.| (sin t + (pi - t) cos t)/2pi + sb^2."""
    x = torch.tensor([[1.0, 2.0], [-0.5, 1.5]])
    s = SIGMA_W**2 * x @ x.T / 2 + SIGMA_B**2
    nrm = torch.outer(s.diagonal(), s.diagonal()).sqrt()  # sqrt(q*q) == q exactly in IEEE
    t = torch.arccos((s / nrm).clamp(-1, 1))
    nngp = SIGMA_W**2 * nrm * (t.sin() + (math.pi - t) * t.cos()) / (
        2 * math.pi) + SIGMA_B**2
    ntk = s * SIGMA_W**2 * (math.pi - t) / (2 * math.pi) + nngp
    k = lt.ntk.mlp_kernels(x, depth=1, sigma_w=SIGMA_W, sigma_b=SIGMA_B)
    torch.testing.assert_close(k.nngp, nngp, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(k.ntk, ntk, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_symmetric_psd_permutation_and_blocks(activation, gen):
    """Kernels are symmetric, PSD (min eig >= -1e-12 ||K||), permutation-equivariant, and the
    (x1, x2) call is the off-diagonal block of the joint Gram (float64 floor 1e-12)."""
    x = _points(gen, n=7)
    k = lt.ntk.mlp_kernels(x, depth=2, activation=activation, sigma_w=SIGMA_W, sigma_b=SIGMA_B)
    for K in (k.nngp, k.ntk):
        torch.testing.assert_close(K, K.T, rtol=0, atol=0)
        ev = torch.linalg.eigvalsh(K)
        assert float(ev.min()) >= -1e-12 * float(ev.max())
    perm = torch.randperm(7, generator=gen)
    kp = lt.ntk.mlp_ntk(x[perm], depth=2, activation=activation, sigma_w=SIGMA_W, sigma_b=SIGMA_B)
    torch.testing.assert_close(kp, k.ntk[perm][:, perm], rtol=1e-12, atol=0)
    block = lt.ntk.mlp_kernels(x[:3], x[3:], depth=2, activation=activation,
                               sigma_w=SIGMA_W, sigma_b=SIGMA_B)
    torch.testing.assert_close(block.ntk, k.ntk[:3, 3:], rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(block.nngp, k.nngp[:3, 3:], rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(
        lt.ntk.mlp_nngp(x, depth=2, activation=activation, sigma_w=SIGMA_W, sigma_b=SIGMA_B),
        k.nngp, rtol=0, atol=0)


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_one_hidden_layer_empirical_mean_is_unbiased_jacot2018(activation, gen):
    """Depth 1: E_init of the empirical NTK equals Theta exactly (an average of i.i.d. neuron
    terms; Jacot2018 Thm. 1 at finite width), so the mean over S seeds must lie within
    5 standard errors (CLT; s estimated from the same draws), with no bias allowance."""
    x = _points(gen, n=4)
    S, width = 400, 64
    draws = torch.stack([
        lt.ntk.empirical_ntk(lt.ntk.make_mlp(3, width, 1, activation=activation,
                                             sigma_w=SIGMA_W, sigma_b=SIGMA_B, generator=gen), x)
        for _ in range(S)
    ])
    target = lt.ntk.mlp_ntk(x, depth=1, activation=activation, sigma_w=SIGMA_W, sigma_b=SIGMA_B)
    assert_close_mc(draws.mean(0), target, draws.std(0), S)


@pytest.mark.slow
def test_ntk_fluctuations_decay_as_width_to_minus_half_jacot2018():
    """RMS |Theta_hat - Theta| vs width has log-log slope -1/2 (Var = O(1/n), Jacot2018 Thm. 1;
    Lee2019 Sec. 2).

    Band: each log-RMS from S seeds has standard error sd(e^2) / (2 sqrt(S) mean(e^2))
    (delta method), estimated from the draws; the least-squares slope's SE follows by
    propagation, and we allow 5 SE plus 0.05 for the O(L/n) bias of the mean (depth 2,
    n >= 128: bias^2 / variance = O(L^2/n) <= 0.03 in relative MSE, i.e. <= 0.03 in slope).
    """
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(3, 4, generator=gen)
    target = lt.ntk.mlp_ntk(x, depth=2, sigma_w=math.sqrt(2))
    widths, S = [128, 256, 512, 1024, 2048], 60
    logs, ses = [], []
    for w in widths:
        e2 = torch.stack([
            ((lt.ntk.empirical_ntk(lt.ntk.make_mlp(4, w, 2, sigma_w=math.sqrt(2), generator=gen),
                                   x) - target) ** 2).mean()
            for _ in range(S)
        ])
        logs.append(0.5 * math.log(float(e2.mean())))
        ses.append(float(e2.std() / (2 * math.sqrt(S) * e2.mean())))
    lx = np.log(widths)
    xc = lx - lx.mean()
    slope = float(xc @ np.array(logs) / (xc @ xc))
    se = math.sqrt(float((xc**2) @ np.array(ses) ** 2)) / float(xc @ xc)
    assert abs(slope + 0.5) <= 5 * se + 0.05, (slope, se)


def test_follows_input_device_and_dtype(device):
    """Output on the input's device, in its dtype; CUDA float64 equals CPU to the float64 floor."""
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    cpu = lt.ntk.mlp_kernels(x, depth=2, activation="erf", sigma_b=0.1)
    dev = lt.ntk.mlp_kernels(x.to(device), depth=2, activation="erf", sigma_b=0.1)
    assert dev.ntk.device.type == device.type and dev.ntk.dtype == torch.float64
    torch.testing.assert_close(dev.ntk.cpu(), cpu.ntk, rtol=1e-12, atol=0)
    k32 = lt.ntk.mlp_kernels(x.float().to(device), depth=2)
    assert k32.nngp.dtype == torch.float32


def test_bad_inputs_raise_with_the_parameter_name():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="'x2'.*feature dimension 3"):
        lt.ntk.mlp_kernels(x, torch.randn(2, 4), depth=1)
    with pytest.raises(ValueError, match="'x1'.*finite"):
        lt.ntk.mlp_kernels(torch.full((2, 3), float("nan")), depth=1)
    with pytest.raises(ValueError, match="'depth'.*>= 1"):
        lt.ntk.mlp_kernels(x, depth=0)
    with pytest.raises(ValueError, match="'activation'"):
        lt.ntk.mlp_kernels(x, depth=1, activation="tanh")
    with pytest.raises(ValueError, match="'sigma_w'.*> 0"):
        lt.ntk.mlp_kernels(x, depth=1, sigma_w=0.0)
    with pytest.raises(ValueError, match="'sigma_b'.*>= 0"):
        lt.ntk.mlp_kernels(x, depth=1, sigma_b=-1.0)
    with pytest.raises(TypeError, match="'x1'.*torch.Tensor"):
        lt.ntk.mlp_kernels(np.ones((2, 3)), depth=1)


# ---------------------------------------------------------------------------
# float32 against float64 (issue 12, 3b): the diagonal and parallel rows

U32 = 2.0**-24  # unit roundoff of float32


def _float32_bound(d: int, depth: int, activation: str) -> float:
    """First-order worst-case relative error of the float32 recursion, in units of U32.

    Every Theta^l and Sigma^l entry on the diagonal (and every ReLU entry) is a sum of
    non-negative terms, so relative errors add along Theta^{l+1} = Theta^l Sigma_dot + Sigma
    (2 roundings) and never cancel. Input: x.x/n0 is a d-term sum, gamma_d <= d u, plus the
    scalings and sigma_w^2, sigma_b^2 rounded to float32 (3 u). Per layer:
    * ReLU at theta = 0 (the diagonal, parallel rows; the fixed code): sigma_w^2 (pi - 0)/2pi
      is exact up to 1 rounding; Sigma' = sigma_w^2 sqrt(q q) pi / 2pi + sigma_b^2 is 4
      roundings (sqrt(fl(q^2)) = q exactly); Theta adds 2: <= 8 u per layer.
    * erf: arg = 2q/sqrt((1+2q)^2) (4 roundings) through arcsin (condition <= 1.5 for
      q <= 2, the fixed point at sigma_w^2 = 2; 1 u for the library arcsin) and 3 scalings:
      Sigma carries <= 10 u of its own, and q's own error contracts (relative condition of
      q -> E erf erf is < 0.3 here). Sigma_dot: det = (1+2q)^2 - 4q^2 = 1 + 4q loses a
      factor (1+2q)^2/(1+4q) <= 25/9 on its 3 roundings and q's error (d det/dq = 4,
      condition 8/9), sqrt halves it, 3 more roundings: <= 12 u; Theta adds 2, plus the
      Sigma term: <= 16 u per layer.
    The float64 reference is exact at this scale (errors ~1e-15).
    """
    per_layer = {"relu": 8, "erf": 16}[activation]
    return (d + 3 + per_layer * depth) * U32


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("depth", range(1, 9))
def test_float32_diagonal_matches_float64(activation, depth):
    """Issue 12, 3b: the float32 diagonal of a same-set NTK/NNGP is within 1e-5 of float64.

    Before the fix the ReLU diagonal was off by 5.4e-4 at depth 5 (cos theta = 1 - 1 ulp
    from a matrix product against a row sum; arccos turned it into theta ~ 5e-4).
    Tolerance: :func:`_float32_bound` with d = 16, which is <= 1e-5 for every case here
    (asserted), so the test holds the issue's 1e-5.
    """
    d = 16
    x = torch.randn(8, d, generator=torch.Generator().manual_seed(depth)) * torch.linspace(
        0.3, 3.0, 8)[:, None]  # rows of different norms
    tol = _float32_bound(d, depth, activation)
    assert tol <= 1e-5
    for sigma_b in (0.0, 0.3):
        k32 = lt.ntk.mlp_kernels(x.float(), depth=depth, activation=activation, sigma_b=sigma_b)
        k64 = lt.ntk.mlp_kernels(x, depth=depth, activation=activation, sigma_b=sigma_b)
        for a, b in ((k32.ntk, k64.ntk), (k32.nngp, k64.nngp)):
            rel = ((a.double() - b) / b).diagonal().abs().max()
            assert rel <= tol, (sigma_b, float(rel), tol)


def test_float32_issue_reproduction_relu_depth5():
    """The issue's own input (d = 64): diagonal within _float32_bound(64, 5) = 107 u = 6.4e-6."""
    x = torch.randn(8, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float32)
    k32, k64 = lt.ntk.mlp_ntk(x, depth=5), lt.ntk.mlp_ntk(x.double(), depth=5)
    rel = ((k32.double() - k64) / k64).diagonal().abs().max()
    assert rel <= _float32_bound(64, 5, "relu"), float(rel)


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("depth", [1, 3, 8])
def test_float32_off_diagonal_and_parallel_rows_with_x2(activation, depth):
    """With x2 given: rows of x2 parallel to rows of x1 (x2 = s x1, different norms, and a
    copy), plus unrelated rows; every entry within the bound, measured against the scale
    sqrt(Theta(x,x) Theta(x',x')) of its row and column.

    Scale: erf kernels of near-orthogonal inputs are near 0, so a relative error per entry
    has no bound; an absolute error e_in sqrt(q q') at the input (|x.x'| <= |x||x'|) stays
    below the same first-order count relative to sqrt(Theta_ii Theta_jj) (each layer's map is
    Lipschitz in c with constant Sigma_dot, and |Theta_ij| <= sqrt(Theta_ii Theta_jj) by
    Cauchy-Schwarz). ReLU's angle: pairs with gap g < sqrt(q q')/16 take the explicit gap
    (below); the others have theta >= 2 asin(1/sqrt 32) = 0.355, where theta from g has
    condition 1/sin(theta) <= 2.9 (random rows in d = 16 are far from antiparallel), so
    the input term is taken 3 times for ReLU.
    Parallel pairs (theta = 0) take the explicit-difference gap and are exact like the
    diagonal; before the fix they were off by 3.9e-4 (ReLU, depth 5, x2 = 3 x1).
    """
    d = 16
    gen = torch.Generator().manual_seed(100 + depth)
    x1 = torch.randn(6, d, generator=gen)
    x2 = torch.cat([3.0 * x1[:2], 0.25 * x1[2:4], x1[4:5].clone(),
                    torch.randn(3, d, generator=gen)])
    input_factor = 3 if activation == "relu" else 1
    tol = (input_factor * (d + 3) + {"relu": 8, "erf": 16}[activation] * depth) * U32
    for sigma_b in (0.0, 0.3):
        kw = dict(depth=depth, activation=activation, sigma_b=sigma_b)
        k32 = lt.ntk.mlp_ntk(x1.float(), x2.float(), **kw).double()
        k64 = lt.ntk.mlp_ntk(x1, x2, **kw)
        d1 = lt.ntk.mlp_ntk(x1, **kw).diagonal()
        d2 = lt.ntk.mlp_ntk(x2, **kw).diagonal()
        err = ((k32 - k64).abs() / torch.sqrt(d1[:, None] * d2[None, :])).max()
        assert err <= tol, (sigma_b, float(err), tol)
        # the parallel pairs themselves, relative per entry, at the diagonal's bound
        pairs = torch.arange(5)
        rel = ((k32 - k64) / k64)[pairs, pairs].abs().max()
        assert rel <= _float32_bound(d, depth, activation), (sigma_b, float(rel))
