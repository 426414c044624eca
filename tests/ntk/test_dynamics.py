"""Tests for learntheory.ntk.dynamics: kernel gradient flow (Lee2019 Sec. 2) and training."""

from __future__ import annotations

import math

import numpy as np
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


def test_wide_network_follows_its_linearisation_lee2019():
    """Real GD vs the linearised closed form with the kernel at init (Lee2019 Sec. 2).

    Derived a-posteriori bound: with e_k = f_k - f_k^lin and r_k = f_k - y,
    e_{k+1} = (I - eta Theta_0) e_k - eta (Jbar_k J_k^T - Theta_0) r_k exactly (Jbar_k: the
    Jacobian averaged over the step), and |I - eta Theta_0| <= 1 for eta lambda_max <= 2, so
    |e_K| <= eta sum_k |Jbar_k J_k^T - Theta_0|_2 |r_k|. We bound |Jbar_k J_k^T - Theta_0| by
    the larger kernel change at the step's two ends, recorded every step.
    Also the error shrinks with width (slope < -0.25 between n = 256 and 1024; the notes'
    band, since the -1/2 asymptote is approached slowly).
    """
    x, y = _data()
    errs = []
    for width in (256, 1024):
        net = lt.ntk.make_mlp(3, width, 2, sigma_w=math.sqrt(2),
                              generator=torch.Generator().manual_seed(1))
        eta = 0.5 / float(torch.linalg.eigvalsh(lt.ntk.empirical_ntk(net, x)).max())
        steps = 60
        h = lt.ntk.train_mlp(net, x, y, lr=eta, steps=steps)
        assert h.ntk.shape == (steps + 1, 8, 8) and float(h.loss[-1]) < float(h.loss[0])
        lin = lt.ntk.gradient_flow_predict(h.ntk[0], None, y, h.train_pred[0, :, 0], lr=eta,
                                           t=float(steps), discrete=True).train
        err = float((h.train_pred[-1, :, 0] - lin).norm())
        dk = [float(torch.linalg.matrix_norm(k - h.ntk[0], ord=2)) for k in h.ntk]
        res = (h.train_pred[:, :, 0] - y).norm(dim=1)
        bound = eta * sum(max(dk[k], dk[k + 1]) * float(res[k]) for k in range(steps))
        assert err <= bound, (width, err, bound)
        errs.append(err)
    assert math.log(errs[1] / errs[0]) / math.log(4) < -0.25


def test_train_history_records_everything():
    x, y = _data()
    xs = _data(4, seed=2)[0]
    net = lt.ntk.make_mlp(3, 16, 2, out_dim=2, generator=torch.Generator().manual_seed(0))
    seen = []
    h = lt.ntk.train_mlp(net, x, torch.stack([y, y], 1), lr=0.01, steps=7, record_every=3,
                         x_test=xs, loss="mean", callback=lambda s, v: seen.append(s))
    assert h.steps.tolist() == [0, 3, 6, 7] == seen
    assert h.train_pred.shape == (4, 8, 2) and h.test_pred.shape == (4, 4, 2)
    assert h.ntk.shape == (4, 8, 8) and h.kernel_change.shape == (4,)
    assert h.feature_change.shape == (4, 2)
    assert float(h.kernel_change[0]) == 0 and float(h.weight_change[0]) == 0
    assert float(h.weight_change[-1]) > 0 and float(h.feature_change[-1].min()) > 0
    with torch.no_grad():
        torch.testing.assert_close(h.test_pred[-1], net(xs), rtol=0, atol=0)
    h0 = lt.ntk.train_mlp(net, x, y[:, None].repeat(1, 2), lr=0.01, steps=0, record_ntk=False)
    assert h0.steps.tolist() == [0] and h0.ntk is None and h0.kernel_change is None


def _feature_slopes(par, widths, seeds, x, y):
    """Log-log slope of the mean (over seeds) relative feature change, per hidden layer."""
    out = []
    for w in widths:
        vals = []
        for s in range(seeds):
            net = lt.ntk.make_mlp(16, w, 2, parameterization=par, sigma_w=math.sqrt(2),
                                  generator=torch.Generator().manual_seed(100 + s))
            h = lt.ntk.train_mlp(net, x, y, lr=1.0, steps=1, loss="mean", record_ntk=False)
            vals.append(h.feature_change[-1])
        out.append(torch.stack(vals).mean(0).numpy())
    out = np.log(np.array(out))
    return [float(np.polyfit(np.log(widths), out[:, l], 1)[0]) for l in range(out.shape[1])]


@pytest.mark.slow
def test_features_move_in_mup_but_freeze_in_ntk_yanghu2021():
    """One GD step, eta = 1, mean loss (YangHu2021 Sec. 3 dichotomy): hidden features move by
    O(n^{-1/2}) in NTK parameterization and Theta(1) in muP. Data from its own RNG, fixed
    across widths. Bands from the notes: NTK slope < -0.25 (the -1/2 asymptote is approached
    slowly), muP |slope| < 0.15 (finite-width corrections O(n^{-1/2}) at n >= 256 move the
    slope by ~0.1)."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 16, generator=gen)
    y = torch.sin(3 * x[:, 0])
    widths = [256, 512, 1024, 2048]
    ntk = _feature_slopes("ntk", widths, 4, x, y)
    mup = _feature_slopes("mup", widths, 4, x, y)
    assert max(ntk) < -0.25, ntk
    assert max(abs(s) for s in mup) < 0.15, mup


def test_relative_feature_change():
    x = _data()[0]
    a = lt.ntk.make_mlp(3, 16, 2, generator=torch.Generator().manual_seed(0))
    b = lt.ntk.make_mlp(3, 16, 2, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(lt.ntk.relative_feature_change(a, b, x), torch.zeros(2))
    with pytest.raises(TypeError, match="'model'.*MLP"):
        lt.ntk.relative_feature_change(a, torch.nn.Linear(3, 1), x)
    with pytest.raises(ValueError, match="'model'.*widths"):
        lt.ntk.relative_feature_change(a, lt.ntk.make_mlp(3, 8, 2), x)


def test_same_numbers_on_every_device(device):
    """gradient_flow_predict and a short training run give the CPU numbers on CUDA (float64)."""
    x, y = _data()
    K = lt.ntk.mlp_ntk(x, depth=2)
    cpu = lt.ntk.gradient_flow_predict(K, K[:2], y, lr=0.5, t=3.0)
    dev = lt.ntk.gradient_flow_predict(K.to(device), K[:2].to(device), y.to(device), lr=0.5,
                                       t=3.0)
    torch.testing.assert_close(dev.train.cpu(), cpu.train, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(dev.test.cpu(), cpu.test, rtol=1e-10, atol=1e-12)
    net = lt.ntk.make_mlp(3, 16, 2, generator=torch.Generator().manual_seed(0))
    h_cpu = lt.ntk.train_mlp(net, x, y, lr=0.01, steps=3)
    net = lt.ntk.make_mlp(3, 16, 2, generator=torch.Generator().manual_seed(0)).to(device)
    h_dev = lt.ntk.train_mlp(net, x.to(device), y.to(device), lr=0.01, steps=3)
    torch.testing.assert_close(h_dev.train_pred.cpu(), h_cpu.train_pred, rtol=1e-10, atol=1e-12)


def test_bad_inputs_raise_with_the_parameter_name():
    x, y = _data()
    K = lt.ntk.mlp_ntk(x, depth=1)
    with pytest.raises(ValueError, match="'k_train_train'.*square"):
        lt.ntk.gradient_flow_predict(K[:, :3], None, y, lr=1.0, t=1.0)
    with pytest.raises(ValueError, match="'y_train'.*8 rows"):
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
    net = lt.ntk.make_mlp(3, 8, 1)
    with pytest.raises(ValueError, match="'y'.*8 rows"):
        lt.ntk.train_mlp(net, x, y[:3], lr=0.1, steps=1)
    with pytest.raises(ValueError, match="'lr'"):
        lt.ntk.train_mlp(net, x, y, lr=-0.1, steps=1)
    with pytest.raises(ValueError, match="'steps'.*>= 0"):
        lt.ntk.train_mlp(net, x, y, lr=0.1, steps=-1)
    with pytest.raises(ValueError, match="'ntk_method'"):
        lt.ntk.train_mlp(net, x, y, lr=0.1, steps=1, ntk_method="exact")
    with pytest.raises(ValueError, match="'x'.*finite"):
        lt.ntk.train_mlp(net, torch.full((8, 3), float("nan")), y, lr=0.1, steps=1)
    with pytest.raises(TypeError, match="'model'"):
        lt.ntk.train_mlp("net", x, y, lr=0.1, steps=1)
