"""Lazy regime (learntheory.ntk.lazy): every field of LazyRun against an independent computation.

The oracle trains the same network (same configuration, same seed) by hand-written
full-batch gradient descent and iterates kernel gradient descent in function space,
f_{k+1}(X_*) = f_k(X_*) - eta Theta(X_*, X)(f_k(X) - y), step by step; neither uses
``train_mlp`` nor ``gradient_flow_predict``. Both sides do the same float64 arithmetic
in a different order, so they agree to ~steps * n * eps relative: rtol 1e-9 for 20 steps.
"""

import math

import pytest
import torch

import learntheory as lt

DATA = lt.datasets.circle_regression(8, 13, dtype=torch.float64)
CONFIG = lt.ntk.MLPConfig(depth=1, width=64, sigma_w=math.sqrt(2), sigma_b=0.1)


def _lr(config=CONFIG):
    return lt.kernels.max_learning_rate(lt.ntk.mlp_ntk(DATA.x, config=config)) / 2


def _kernel_gd(K_tt, K_st, y, f0_t, f0_s, lr, steps):
    """Function-space gradient descent iterated by brute force; returns the test outputs."""
    f_t, f_s = f0_t.clone(), f0_s.clone()
    for _ in range(steps):
        r = f_t - y
        f_t, f_s = f_t - lr * K_tt @ r, f_s - lr * K_st @ r
    return f_t, f_s


def _train_by_hand(config, lr, steps, seed):
    net = lt.ntk.make_mlp(2, config=config, dtype=torch.float64,
                          generator=lt.make_generator(seed))
    theta0 = torch.cat([p.detach().flatten() for p in net.parameters()]).clone()
    with torch.no_grad():
        start = (net(DATA.x)[:, 0].clone(), net(DATA.x_test)[:, 0].clone())
        emp = lt.ntk.empirical_ntk(net, torch.cat([DATA.x, DATA.x_test]))
    for _ in range(steps):
        loss = 0.5 * ((net(DATA.x)[:, 0] - DATA.y) ** 2).sum()
        grads = torch.autograd.grad(loss, list(net.parameters()))
        with torch.no_grad():
            for p, g in zip(net.parameters(), grads, strict=True):
                p -= lr * g
    with torch.no_grad():
        end = (net(DATA.x)[:, 0], net(DATA.x_test)[:, 0])
        emp_end = lt.ntk.empirical_ntk(net, DATA.x)
    theta1 = torch.cat([p.detach().flatten() for p in net.parameters()])
    return start, end, emp, emp_end, (theta1 - theta0).norm() / theta0.norm()


def test_every_field_of_lazy_run_against_an_independent_computation():
    lr, steps, n = _lr(), 20, 8
    run = lt.ntk.lazy_run(DATA.x, DATA.y, DATA.x_test, config=CONFIG, lr=lr, steps=steps,
                          record_every=5, generator=lt.make_generator(0))
    (f0_t, f0_s), (fT_t, fT_s), emp, emp_end, dtheta = _train_by_hand(CONFIG, lr, steps, 0)
    tol = dict(rtol=1e-9, atol=1e-12)
    assert run.steps.tolist() == [0, 5, 10, 15, 20]
    torch.testing.assert_close(run.net_train[-1], fT_t, **tol)
    torch.testing.assert_close(run.net_test[-1], fT_s, **tol)
    torch.testing.assert_close(run.net_test[0], f0_s, **tol)
    # analytic-NTK prediction from the network's own f0, with *this* configuration's kernel
    both = torch.cat([DATA.x, DATA.x_test])
    theta = lt.ntk.mlp_ntk(both, config=CONFIG)
    for r, k in enumerate(run.steps.tolist()):
        lin_t, lin_s = _kernel_gd(theta[:n, :n], theta[n:, :n], DATA.y, f0_t, f0_s, lr, k)
        torch.testing.assert_close(run.flow_train[r], lin_t, **tol)
        torch.testing.assert_close(run.flow_test[r], lin_s, **tol)
    mismatch = float((fT_s - lin_s).norm() / lin_s.norm())
    assert run.mismatch == pytest.approx(mismatch, rel=1e-7)
    # the prediction with the network's own NTK at initialisation, at the end of training
    _, emp_s = _kernel_gd(emp[:n, :n], emp[n:, :n], DATA.y, f0_t, f0_s, lr, steps)
    assert run.mismatch_empirical == pytest.approx(float((fT_s - emp_s).norm() / emp_s.norm()),
                                                   rel=1e-7)
    assert run.kernel_change == pytest.approx(
        float((emp_end - emp[:n, :n]).norm() / emp[:n, :n].norm()), rel=1e-7)
    assert run.weight_change == pytest.approx(float(dtheta), rel=1e-7)
    # the quantities are not degenerate: training moved the outputs and the kernel
    assert run.mismatch > 0 and run.kernel_change > 0
    assert float((fT_s - f0_s).norm()) > 10 * float((fT_s - lin_s).norm())


def test_sweep_rows_are_lazy_runs():
    """lazy_training_sweep(widths, seeds) is lazy_run per (width, seed), drawn in that order."""
    lr = _lr()
    sweep = lt.ntk.lazy_training_sweep(DATA.x, DATA.y, DATA.x_test, config=CONFIG,
                                       widths=[16, 32], n_seeds=2, lr=lr, steps=5,
                                       generator=lt.make_generator(3))
    gen = lt.make_generator(3)
    for i, w in enumerate([16, 32]):
        for s in range(2):
            run = lt.ntk.lazy_run(DATA.x, DATA.y, DATA.x_test, config=CONFIG.with_width(w),
                                  lr=lr, steps=5, generator=gen)
            assert float(sweep.mismatch[i, s]) == run.mismatch
            assert float(sweep.mismatch_empirical[i, s]) == run.mismatch_empirical
            assert float(sweep.kernel_change[i, s]) == run.kernel_change
            assert float(sweep.weight_change[i, s]) == run.weight_change


@pytest.mark.slow
def test_wider_networks_are_lazier():
    """Each end-of-training quantity falls with width: the fitted log-log slope over widths
    32..2048 (mean of 3 seeds) is below 0 by more than 3 of its standard errors."""
    widths = [32, 128, 512, 2048]
    sweep = lt.ntk.lazy_training_sweep(DATA.x, DATA.y, DATA.x_test, config=CONFIG,
                                       widths=widths, n_seeds=3, lr=_lr(), steps=100,
                                       generator=lt.make_generator(1))
    for name in ("kernel_change", "weight_change", "mismatch", "mismatch_empirical"):
        fit = lt.loglog_slope(widths, getattr(sweep, name).mean(1))
        assert fit.slope + 3 * fit.stderr < 0, (name, fit)


def test_bad_inputs():
    with pytest.raises(ValueError, match="'x_test' parameter of lazy_run must have feature"):
        lt.ntk.lazy_run(DATA.x, DATA.y, DATA.x_test[:, :1], config=CONFIG, lr=0.1, steps=2)
    with pytest.raises(ValueError, match="'lr' parameter of lazy_run must be > 0"):
        lt.ntk.lazy_run(DATA.x, DATA.y, DATA.x_test, config=CONFIG, lr=0.0, steps=2)
    with pytest.raises(ValueError, match="'config' parameter of lazy_run must have a finite"):
        lt.ntk.lazy_run(DATA.x, DATA.y, DATA.x_test, config=CONFIG.replace(width=None), lr=0.1,
                        steps=2)
    with pytest.raises(TypeError, match="'config' parameter of lazy_training_sweep must be a "
                                        "learntheory.ntk.config.MLPConfig"):
        lt.ntk.lazy_training_sweep(DATA.x, DATA.y, DATA.x_test, config={"depth": 1},
                                   widths=[4], n_seeds=1, lr=0.1, steps=2)
