"""Tests for learntheory.ntk.dynamics: closed-form kernel gradient flow and descent (Lee2019)."""

from __future__ import annotations

import math

import pytest
import torch
from torch.func import functional_call, jacrev

import learntheory as lt


def _data(n=8, d=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen)
    return x, torch.sin(2 * x[:, 0])


def _jacobian(net, x):
    """Flat Jacobian (n, P) of a scalar-output net at its current parameters."""
    params = {k: v.detach() for k, v in net.named_parameters()}
    jac = jacrev(lambda p: functional_call(net, p, (x,))[:, 0])(params)
    return torch.cat([j.reshape(x.shape[0], -1) for j in jac.values()], dim=1)


def test_linearised_gd_is_the_discrete_closed_form_lee2019():
    """GD on f_lin = f0 + J (theta - theta0) gives r_k = (I - eta Theta)^k r_0 exactly
    (Lee2019 Sec. 2), train and test: rtol 1e-9 covers k = 300 steps of float64 rounding
    (each step is a contraction, so errors add: ~300 * 1e-15 relative)."""
    x, y = _data()
    xs = _data(5, seed=1)[0]
    net = lt.ntk.make_mlp(3, 32, 2, sigma_w=math.sqrt(2), sigma_b=0.2,
                          generator=torch.Generator().manual_seed(0))
    J, Js = _jacobian(net, x), _jacobian(net, xs)
    with torch.no_grad():
        f0, f0s = net(x)[:, 0], net(xs)[:, 0]
    K, Ks = J @ J.T, Js @ J.T
    eta, k = 0.45 / float(torch.linalg.eigvalsh(K).max()), 300
    dtheta = torch.zeros(J.shape[1])
    for _ in range(k):
        dtheta -= eta * J.T @ (f0 + J @ dtheta - y)
    pred = lt.ntk.gradient_flow_predict(K, Ks, y, f0, f0s, lr=eta, t=float(k), discrete=True)
    torch.testing.assert_close(f0 + J @ dtheta, pred.train, rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(f0s + Js @ dtheta, pred.test, rtol=1e-9, atol=1e-12)

    # Discretisation: per eigen-direction, with x = eta*lambda in [0, 1/2],
    # 0 <= e^{-kx} - (1-x)^k <= k x^2 e^{-kx}  (since log(1-x) >= -x - x^2 there).
    # Train error <= max_j k x_j^2 e^{-k x_j} |r0|; test error <= |Ks U| max_j k eta x_j
    # e^{-k x_j} |r0| (the test filter divides by lambda).
    flow = lt.ntk.gradient_flow_predict(K, Ks, y, f0, f0s, lr=eta, t=float(k))
    lam, U = torch.linalg.eigh(K)
    xj = eta * lam.clamp_min(0)
    assert float(xj.max()) <= 0.5
    r0 = (y - f0).norm()
    bound_train = float((k * xj**2 * torch.exp(-k * xj)).max() * r0)
    bound_test = float(torch.linalg.matrix_norm(Ks @ U, ord=2)
                       * (k * eta * xj * torch.exp(-k * xj)).max() * r0)
    assert float((flow.train - pred.train).norm()) <= bound_train
    assert float((flow.test - pred.test).norm()) <= bound_test
    assert bound_train < 0.05 * float(r0)  # the comparison is not vacuous


def test_flow_limits_and_loss_conventions():
    """t = 0 gives f0; t -> inf on a PD kernel interpolates; the mean loss at rate N * eta is
    the sum loss at rate eta (eq-gradient-flow); a vector of times stacks (float64 floor)."""
    x, y = _data()
    K = lt.ntk.mlp_ntk(x, depth=2)
    f0 = 0.1 * torch.ones(8)
    p0 = lt.ntk.gradient_flow_predict(K, K[:3], y, f0, lr=1.0, t=0.0)
    torch.testing.assert_close(p0.train, f0, rtol=0, atol=0)
    torch.testing.assert_close(p0.test, torch.zeros(3), rtol=0, atol=0)
    lam_min = float(torch.linalg.eigvalsh(K).min())
    t_big = 40.0 / lam_min  # residual factor e^{-40}
    big = lt.ntk.gradient_flow_predict(K, K[:3], y, f0, lr=1.0, t=t_big)
    torch.testing.assert_close(big.train, y, rtol=0, atol=1e-10)
    # K[:3] K^-1 = I[:3], and f0_test defaults to 0: f_inf(x_i) = 0 + (y - f0)_i.
    torch.testing.assert_close(big.test, (y - f0)[:3], rtol=0, atol=1e-8)
    s = lt.ntk.gradient_flow_predict(K, None, y, lr=0.3, t=2.0, loss="sum")
    m = lt.ntk.gradient_flow_predict(K, None, y, lr=0.3 * 8, t=2.0, loss="mean")
    torch.testing.assert_close(s.train, m.train, rtol=1e-12, atol=1e-14)
    assert s.test is None
    ts = torch.tensor([0.0, 1.0, 2.0])
    many = lt.ntk.gradient_flow_predict(K, K[:3], torch.stack([y, -y], 1), lr=0.3, t=ts)
    assert many.train.shape == (3, 8, 2) and many.test.shape == (3, 3, 2)
    torch.testing.assert_close(many.train[2, :, 0], s.train, rtol=1e-12, atol=1e-14)


def test_same_numbers_on_every_device(device):
    """gradient_flow_predict and a short training run give the CPU numbers on CUDA (float64)."""
    x, y = _data()
    K = lt.ntk.mlp_ntk(x, depth=2)
    cpu = lt.ntk.gradient_flow_predict(K, K[:2], y, lr=0.5, t=3.0)
    dev = lt.ntk.gradient_flow_predict(K.to(device), K[:2].to(device), y.to(device), lr=0.5,
                                       t=3.0)
    torch.testing.assert_close(dev.train.cpu(), cpu.train, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(dev.test.cpu(), cpu.test, rtol=1e-10, atol=1e-12)


def test_bad_inputs_raise_with_the_parameter_name():
    x, y = _data()
    K = lt.ntk.mlp_ntk(x, depth=1)
    with pytest.raises(ValueError, match="'k_train_train'.*square"):
        lt.ntk.gradient_flow_predict(K[:, :3], None, y, lr=1.0, t=1.0)
    with pytest.raises(ValueError, match="'y_train'.*one row per point"):
        lt.ntk.gradient_flow_predict(K, None, y[:5], lr=1.0, t=1.0)
    with pytest.raises(ValueError, match="'k_test_train'.*feature dimension 8"):
        lt.ntk.gradient_flow_predict(K, K[:2, :5], y, lr=1.0, t=1.0)
    with pytest.raises(ValueError, match="'lr'.*> 0"):
        lt.ntk.gradient_flow_predict(K, None, y, lr=0.0, t=1.0)
    with pytest.raises(ValueError, match="'t'.*>= 0"):
        lt.ntk.gradient_flow_predict(K, None, y, lr=1.0, t=-1.0)
    with pytest.raises(ValueError, match="'loss'.*median"):
        lt.ntk.gradient_flow_predict(K, None, y, lr=1.0, t=1.0, loss="median")
    with pytest.raises(ValueError, match="'f0_train'.*shape"):
        lt.ntk.gradient_flow_predict(K, None, y, torch.zeros(8, 2), lr=1.0, t=1.0)
    with pytest.raises(ValueError, match="'t'.*whole numbers of steps"):
        lt.ntk.gradient_flow_predict(K, None, y, lr=1.0, t=1.5, discrete=True)


def test_small_eigenvalue_branch_against_brute_force_descent():
    """A singular train kernel and a test kernel outside its range: the test filter g/lambda
    must take its limit eta * t on the null space. Oracle: iterate f_s <- f_s - eta K_st r
    by brute force (float64, 10 steps: agreement to 1e-12)."""
    K = torch.diag(torch.tensor([2.0, 1.0, 0.0], dtype=torch.float64))
    K_st = torch.tensor([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]], dtype=torch.float64)
    y = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    eta, steps = 0.25, 10
    f, fs = torch.zeros(3, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    for _ in range(steps):
        r = f - y
        f, fs = f - eta * K @ r, fs - eta * K_st @ r
    pred = lt.ntk.gradient_flow_predict(K, K_st, y, lr=eta, t=float(steps), discrete=True)
    torch.testing.assert_close(pred.train, f, rtol=0, atol=1e-12)
    torch.testing.assert_close(pred.test, fs, rtol=0, atol=1e-12)
    # the null direction alone contributes eta * t * K_st[:, 2] * y[2] to the test outputs
    assert float(fs.abs().min()) > 0.1


def test_uses_the_kernel_layer_filters():
    """The closed form is the kernels layer's filters in the eigenbasis (one home per equation):
    f_t(X) = U diag(filter) U^T y for both the flow and the descent filter."""
    x, y = _data()
    K = lt.ntk.mlp_ntk(x, depth=2)
    vals, vecs = lt.kernels.gram_eigh(K)
    eta = 0.5 * lt.kernels.max_learning_rate(vals)
    for discrete, filt in ((False, lt.kernels.gradient_flow_filter(vals, lr=eta, t=7.0)),
                           (True, lt.kernels.gradient_descent_filter(vals, lr=eta, steps=7))):
        pred = lt.ntk.gradient_flow_predict(K, None, y, lr=eta, t=7.0, discrete=discrete)
        torch.testing.assert_close(pred.train, lt.kernels.spectral_fit(vals, vecs, y, filt),
                                   rtol=1e-12, atol=1e-12)
