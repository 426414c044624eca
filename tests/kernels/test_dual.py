"""Tests for learntheory.kernels.dual: the ReLU and erf dual activations.

Oracles: Monte Carlo (CLT tolerance), Price's identity by finite differences
(Taylor tolerance), special values of the arc-cosine kernel. The quadrature
check of the layer recursion lives in tests/ntk/test_analytic.py.
"""

from __future__ import annotations

import math

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

# (q1, q2, c): positive, negative and near-degenerate correlations.
COVS = [(1.3, 0.7, 0.5), (2.0, 0.5, -0.8), (0.4, 0.9, 0.59)]
M = 1_000_000


def _pairs(q1, q2, c, gen):
    z = torch.randn(2, M, generator=gen)
    u = math.sqrt(q1) * z[0]
    rho = c / math.sqrt(q1 * q2)
    v = math.sqrt(q2) * (rho * z[0] + math.sqrt(1.0 - rho * rho) * z[1])
    return u, v


@pytest.mark.parametrize("q1,q2,c", COVS)
def test_dual_activations_match_monte_carlo_chosaul2009_williams1997(q1, q2, c, gen):
    """E[s(u)s(v)] and E[s'(u)s'(v)] (ChoSaul2009 Sec. 2, Williams1997 Sec. 3) vs MC.

    Tolerance: CLT, |mean - formula| <= 5 * sample std / sqrt(M) (false-failure
    probability < 6e-7 per check).
    """
    u, v = _pairs(q1, q2, c, gen)
    erf_prime = (2.0 / math.sqrt(math.pi)) ** 2 * torch.exp(-u * u - v * v)
    samples = {
        lt.kernels.relu_dual: torch.relu(u) * torch.relu(v),
        lt.kernels.relu_dual_derivative: ((u > 0) & (v > 0)).double(),
        lt.kernels.erf_dual: torch.erf(u) * torch.erf(v),
        lt.kernels.erf_dual_derivative: erf_prime,
    }
    for fn, s in samples.items():
        assert_close_mc(s.mean(), fn(q1, q2, c), s.std(), M)


@pytest.mark.parametrize("q1,q2,c", COVS)
@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_price_identity_by_finite_difference(q1, q2, c, activation):
    """Price's theorem: d/dc E[s(u)s(v)] = E[s'(u)s'(v)].

    Central difference with step h: error <= h^2/6 * max|F'''| (Taylor) plus
    rounding ~ eps * |F| / h. F''' is bounded in closed form below (it is
    nearly constant on [c-h, c+h]; we take twice its value at c).
    """
    value, derivative = lt.kernels.DUAL_ACTIVATIONS[activation]
    h = 1e-4
    fd = (value(q1, q2, c + h) - value(q1, q2, c - h)) / (2 * h)
    if activation == "relu":
        det = q1 * q2 - c * c  # F'' = 1/(2 pi sqrt(det)), F''' = c / (2 pi det^1.5)
        f3 = abs(c) / (2 * math.pi * det**1.5)
    else:
        det = (1 + 2 * q1) * (1 + 2 * q2) - 4 * c * c  # F' = (4/pi) det^-1/2
        f3 = (4 / math.pi) * (4 * det**-1.5 + 48 * c * c * det**-2.5)
    eps = torch.finfo(torch.float64).eps
    tol = h * h / 6 * 2 * f3 + 10 * eps * float(value(q1, q2, c).abs().clamp_min(1)) / h
    assert abs(float(fd - derivative(q1, q2, c))) <= tol


def test_relu_special_values_chosaul2009():
    """Arc-cosine kernel at theta = 0 (E relu(u)^2 = q/2), pi/2 and pi (ChoSaul2009 Sec. 2)."""
    q = torch.tensor([0.3, 1.0, 4.0])
    torch.testing.assert_close(lt.kernels.relu_dual(q, q, q), q / 2, rtol=1e-15, atol=0)
    torch.testing.assert_close(lt.kernels.relu_dual(q, q, -q), torch.zeros(3), rtol=0, atol=1e-15)
    torch.testing.assert_close(lt.kernels.relu_dual(q, 2 * q, 0 * q),
                               math.sqrt(2) * q / (2 * math.pi), rtol=1e-15, atol=0)
    torch.testing.assert_close(lt.kernels.relu_dual_derivative(q, q, q), torch.full((3,), 0.5))
    torch.testing.assert_close(lt.kernels.relu_dual_derivative(q, q, -q), torch.zeros(3))
    torch.testing.assert_close(lt.kernels.relu_dual_derivative(q, q, 0 * q), torch.full((3,), 0.25))


def test_erf_special_values_williams1997():
    """erf kernel vanishes at c = 0 and its derivative kernel is 4/pi at q = 0."""
    assert float(lt.kernels.erf_dual(1.0, 2.0, 0.0)) == 0.0
    assert float(lt.kernels.erf_dual_derivative(0.0, 0.0, 0.0)) == pytest.approx(4 / math.pi,
                                                                                 rel=1e-15)


def test_cosine_is_clipped_on_the_diagonal():
    """Round-off can push c above sqrt(q1 q2); clipping keeps the result finite and exact."""
    q = torch.tensor(0.7)
    c = q * (1 + 1e-15)
    for fn in (lt.kernels.relu_dual, lt.kernels.relu_dual_derivative,
               lt.kernels.erf_dual, lt.kernels.erf_dual_derivative):
        assert bool(torch.isfinite(fn(q, q, c)))
    assert float(lt.kernels.relu_dual(q, q, c)) == pytest.approx(0.35, rel=1e-14)
    assert float(lt.kernels.relu_dual(0.0, 1.0, 0.0)) == 0.0  # zero variance: no NaN


def test_broadcasting_device_and_dtype(device):
    """Outputs broadcast and follow the inputs' device and dtype (float32 stays float32)."""
    q1 = torch.rand(4, 1, device=device, dtype=torch.float32) + 0.5
    q2 = torch.rand(1, 3, device=device, dtype=torch.float32) + 0.5
    c = 0.1 * torch.ones(4, 3, device=device, dtype=torch.float32)
    v, d = lt.kernels.dual_activation(q1, q2, c, activation="erf")
    assert v.shape == d.shape == (4, 3)
    assert v.device.type == device.type and v.dtype == torch.float32


def test_same_numbers_on_every_device(device):
    """float64 on CUDA gives the CPU numbers to the float64 floor."""
    q = torch.tensor([0.5, 1.0, 2.0])
    c = torch.tensor([0.1, -0.9, 1.9])
    for act in ("relu", "erf"):
        cpu = lt.kernels.dual_activation(q, q.flip(0), c, activation=act)
        dev = lt.kernels.dual_activation(q.to(device), q.flip(0).to(device), c.to(device),
                                         activation=act)
        for a, b in zip(cpu, dev, strict=True):
            torch.testing.assert_close(b.cpu(), a, rtol=1e-12, atol=1e-15)


def test_bad_inputs_raise_with_the_parameter_name():
    with pytest.raises(ValueError, match="'q1'.*>= 0"):
        lt.kernels.relu_dual(-1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="'c'.*finite"):
        lt.kernels.erf_dual(1.0, 1.0, float("nan"))
    with pytest.raises(TypeError, match="'q2'.*floating"):
        lt.kernels.relu_dual(torch.tensor(1.0), torch.tensor(1), 0.0)
    with pytest.raises(ValueError, match="'activation'.*tanh"):
        lt.kernels.dual_activation(1.0, 1.0, 0.0, activation="tanh")
