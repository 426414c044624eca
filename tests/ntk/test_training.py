"""Tests for learntheory.ntk.training: full-batch gradient descent on the real network."""

from __future__ import annotations

import math

import pytest
import torch
from torch.func import functional_call, grad

import learntheory as lt


def _data(n=8, d=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    return x, torch.sin(2 * x[:, 0])


def _gd_by_hand(net, x, y, *, lr, steps, mean):
    """Plain GD with torch.func on the loss (1/2) sum (or mean) of squares; returns the
    parameters after ``steps`` steps and the loss before each step."""
    params = {k: v.detach().clone() for k, v in net.named_parameters()}
    denom = x.shape[0] if mean else 1

    def loss_fn(p):
        return 0.5 * ((functional_call(net, p, (x,))[:, 0] - y) ** 2).sum() / denom

    losses = []
    for _ in range(steps):
        losses.append(float(loss_fn(params)))
        g = grad(loss_fn)(params)
        params = {k: v - lr * g[k] for k, v in params.items()}
    losses.append(float(loss_fn(params)))
    return params, losses


@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_train_mlp_is_plain_gradient_descent(loss):
    """train_mlp = GD on (1/2) sum of squares ("sum") or the same divided by N ("mean"),
    checked against torch.func by hand (float64, 12 steps: same operations in another
    order, agreement to 1e-10 relative). With N = 8 the two conventions differ 8-fold in
    step size, so mixing them up cannot pass."""
    x, y = _data()
    cfg = lt.ntk.MLPConfig(depth=2, width=16, sigma_b=0.1)
    net = lt.ntk.make_mlp(3, config=cfg, dtype=torch.float64,
                          generator=torch.Generator().manual_seed(0))
    ref_params, ref_losses = _gd_by_hand(net, x, y, lr=0.05, steps=12, mean=loss == "mean")
    h = lt.ntk.train_mlp(net, x, y, lr=0.05, steps=12, loss=loss)
    for name, p in net.named_parameters():
        torch.testing.assert_close(p.detach(), ref_params[name], rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(h.loss, torch.tensor(ref_losses, dtype=torch.float64),
                               rtol=1e-10, atol=0)


def test_every_recorded_field_against_a_direct_computation():
    """weight_change, feature_change, kernel_change and the predictions of a TrainHistory,
    recomputed from a copy of the network at init and the trained network."""
    import copy

    x, y = _data()
    xs = _data(4, seed=2)[0]
    net = lt.ntk.make_mlp(3, config=lt.ntk.MLPConfig(depth=2, width=32, sigma_b=0.1),
                          dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    init = copy.deepcopy(net)
    h = lt.ntk.train_mlp(net, x, y, lr=0.05, steps=9, record_every=3, x_test=xs,
                         record_ntk=True)
    flat = [torch.cat([p.detach().flatten() for p in m.parameters()]) for m in (init, net)]
    assert float(h.weight_change[-1]) == pytest.approx(
        float((flat[1] - flat[0]).norm() / flat[0].norm()), rel=1e-12)
    with torch.no_grad():
        feats = [(b - a).norm() / a.norm() for a, b in zip(init.features(x), net.features(x),
                                                           strict=True)]
        torch.testing.assert_close(h.feature_change[-1], torch.stack(feats), rtol=1e-12,
                                   atol=0)
        k0, k1 = lt.ntk.empirical_ntk(init, x), lt.ntk.empirical_ntk(net, x)
        torch.testing.assert_close(h.ntk[-1], k1, rtol=1e-12, atol=0)
        assert float(h.kernel_change[-1]) == pytest.approx(float((k1 - k0).norm() / k0.norm()),
                                                           rel=1e-10)
        torch.testing.assert_close(h.train_pred[0], init(x), rtol=0, atol=0)
        torch.testing.assert_close(h.train_pred[-1], net(x), rtol=0, atol=0)
        torch.testing.assert_close(h.test_pred[-1], net(xs), rtol=0, atol=0)
    assert float(h.kernel_change[-1]) > 0 and float(h.feature_change[-1].min()) > 0


def test_wide_network_follows_its_linearisation_lee2019():
    """Real GD vs the linearised closed form with the kernel at init (Lee2019 Sec. 2).

    Derived a-posteriori bound: with e_k = f_k - f_k^lin and r_k = f_k - y,
    e_{k+1} = (I - eta Theta_0) e_k - eta (Jbar_k J_k^T - Theta_0) r_k exactly (Jbar_k: the
    Jacobian averaged over the step), and |I - eta Theta_0| <= 1 for eta lambda_max <= 2, so
    |e_K| <= eta sum_k |Jbar_k J_k^T - Theta_0|_2 |r_k|. We bound |Jbar_k J_k^T - Theta_0| by
    the larger kernel change at the step's two ends, recorded every step.
    The error also shrinks with width: per seed, the log-log slope between widths 128 and
    1024; over 4 seeds its mean is below 0 by more than 3 standard errors.
    """
    x, y = _data()
    widths, steps, slopes = (128, 1024), 30, []
    for seed in range(4):
        errs = []
        for width in widths:
            net = lt.ntk.make_mlp(3, width, 2, sigma_w=math.sqrt(2),
                                  generator=torch.Generator().manual_seed(seed))
            eta = 0.5 * lt.kernels.max_learning_rate(lt.ntk.empirical_ntk(net, x)) / 2
            h = lt.ntk.train_mlp(net, x, y, lr=eta, steps=steps, record_ntk=True)
            assert h.ntk.shape == (steps + 1, 8, 8) and float(h.loss[-1]) < float(h.loss[0])
            lin = lt.ntk.gradient_flow_predict(h.ntk[0], None, y, h.train_pred[0, :, 0],
                                               lr=eta, t=float(steps), discrete=True).train
            err = float((h.train_pred[-1, :, 0] - lin).norm())
            dk = [float(torch.linalg.matrix_norm(k - h.ntk[0], ord=2)) for k in h.ntk]
            res = (h.train_pred[:, :, 0] - y).norm(dim=1)
            bound = eta * sum(max(dk[k], dk[k + 1]) * float(res[k]) for k in range(steps))
            assert err <= bound, (width, err, bound)
            errs.append(err)
        slopes.append(math.log(errs[1] / errs[0]) / math.log(widths[1] / widths[0]))
    s = torch.tensor(slopes)
    assert float(s.mean() + 3 * s.std() / math.sqrt(len(slopes))) < 0, slopes


def test_train_history_records_everything():
    x, y = _data()
    xs = _data(4, seed=2)[0]
    net = lt.ntk.make_mlp(3, 16, 2, out_dim=2, generator=torch.Generator().manual_seed(0))
    seen = []
    h = lt.ntk.train_mlp(net, x, torch.stack([y, y], 1), lr=0.01, steps=7, record_every=3,
                         x_test=xs, loss="mean", record_ntk=True,
                         callback=lambda s, v: seen.append(s))
    assert h.steps.tolist() == [0, 3, 6, 7] == seen
    assert h.train_pred.shape == (4, 8, 2) and h.test_pred.shape == (4, 4, 2)
    assert h.ntk.shape == (4, 8, 8) and h.kernel_change.shape == (4,)
    assert h.feature_change.shape == (4, 2)
    assert float(h.kernel_change[0]) == 0 and float(h.weight_change[0]) == 0
    assert float(h.weight_change[-1]) > 0 and float(h.feature_change[-1].min()) > 0
    with torch.no_grad():
        torch.testing.assert_close(h.test_pred[-1], net(xs), rtol=0, atol=0)
    h0 = lt.ntk.train_mlp(net, x, y[:, None].repeat(1, 2), lr=0.01, steps=0)
    assert h0.steps.tolist() == [0] and h0.ntk is None and h0.kernel_change is None  # default


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
    """A short training run gives the CPU numbers on CUDA (float64)."""
    x, y = _data()
    net = lt.ntk.make_mlp(3, 16, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    h_cpu = lt.ntk.train_mlp(net, x, y, lr=0.01, steps=3)
    net = lt.ntk.make_mlp(3, 16, 2, dtype=torch.float64,
                          generator=torch.Generator().manual_seed(0)).to(device)
    h_dev = lt.ntk.train_mlp(net, x.to(device), y.to(device), lr=0.01, steps=3)
    torch.testing.assert_close(h_dev.train_pred.cpu(), h_cpu.train_pred, rtol=1e-10, atol=1e-12)


def test_bad_inputs_raise_with_the_parameter_name():
    x, y = _data()
    net = lt.ntk.make_mlp(3, 8, 1, dtype=torch.float64)
    with pytest.raises(ValueError, match="'y'.*one row per point"):
        lt.ntk.train_mlp(net, x, y[:3], lr=0.1, steps=1)
    with pytest.raises(ValueError, match="'lr'"):
        lt.ntk.train_mlp(net, x, y, lr=-0.1, steps=1)
    with pytest.raises(ValueError, match="'steps'.*>= 0"):
        lt.ntk.train_mlp(net, x, y, lr=0.1, steps=-1)
    with pytest.raises(ValueError, match="'ntk_method'"):
        lt.ntk.train_mlp(net, x, y, lr=0.1, steps=1, ntk_method="exact")
    with pytest.raises(ValueError, match="'x'.*finite"):
        lt.ntk.train_mlp(net, torch.full((8, 3), float("nan"), dtype=torch.float64), y, lr=0.1,
                         steps=1)
    with pytest.raises(TypeError, match="'model'"):
        lt.ntk.train_mlp("net", x, y, lr=0.1, steps=1)
