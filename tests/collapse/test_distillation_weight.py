"""The best label weight from two trainings, and the 1-D run (collapse.distillation_weight).

Checked against literal retraining with :func:`learntheory.kernels.kernel_ridge_fit` and a
fine grid of weights; tolerances are the float64 bound derived in test_distillation.py.
"""

import pytest
import torch
from distill_common import EPS, RIDGE, H, N, _krr, _tol, make_problem  # noqa: F401

import learntheory as lt


@pytest.fixture
def problem():
    return make_problem()


def _grid_students(K, y, teacher, K_eval, alphas):
    """Literal students of one step for every alpha of a grid (one KRR per column)."""
    targets = alphas[None, :] * y[:, None] + (1 - alphas[None, :]) * teacher[:, None]
    return _krr(K, targets, K_out=K_eval)                          # (m, G)


def test_optimal_alpha_from_two_trainings_is_the_grid_minimiser(problem):
    """eq-optimal-alpha: the student is affine in alpha, so alpha* from the alpha = 0 and
    alpha = 1 students is the minimiser of the loss against any targets z; a grid of spacing
    delta must find it within delta/2 (the loss is an exact parabola; round-off in the loss,
    ~1e-15 relative, moves its argmin by far less than delta). Teacher: plain KRR (step 2).
    Three targets: the noiseless function at 100 held-out inputs (alpha* inside [0, 1]);
    noisy labels there (for this seed alpha* < 0, clipped to 0); the training labels
    (alpha* >= 1, clipped to 1). Clipped values are compared with a grid on [0, 1]."""
    data, K, K_test = problem
    y = data.y_train
    held_out = lt.datasets.regression_1d(100, dtype=torch.float64,
                                         generator=lt.make_generator(7))
    K_val = lt.kernels.gaussian(held_out.x_train, data.x_train, bandwidth=H)
    teacher = _krr(K, y)
    found = {}
    for name, K_e, z in [("inside", K_val, held_out.f_train),
                         ("below", K_val, held_out.y_train),
                         ("above", K, y)]:
        g0, g1 = _krr(K, teacher, K_out=K_e), _krr(K, y, K_out=K_e)
        for clip, lo, hi in [(False, -2.0, 8.0), (True, 0.0, 1.0)]:
            alpha_star = float(lt.collapse.optimal_alpha(g0, g1, z, clip=clip))
            grid = torch.linspace(lo, hi, 4001)
            delta = float(grid[1] - grid[0])
            loss = ((_grid_students(K, y, teacher, K_e, grid) - z[:, None]) ** 2).sum(dim=0)
            best = float(grid[loss.argmin()])
            assert abs(best - alpha_star) <= delta / 2 + 1e-12, (name, clip, best, alpha_star)
            found[name, clip] = alpha_star
    assert 0 < found["inside", False] < 1
    assert found["inside", True] == found["inside", False]
    assert found["below", False] < 0 and found["below", True] == 0.0
    assert found["above", False] > 1 and found["above", True] == 1.0


def test_optimal_alpha_path_against_literal_students(problem):
    """Every field of OptimalAlphaPath: step 1 is KRR with alpha NaN; at step t >= 2 alpha*_t
    is the grid minimiser's closed form from two literal students of the previous chosen
    student, and the chosen student is the literal one at alpha*_t."""
    data, K, K_test = problem
    y, T = data.y_train, 4
    K_eval = lt.kernels.gaussian(data.x_test[::4], data.x_train, bandwidth=H)
    z = data.f_test[::4]
    path = lt.collapse.optimal_alpha_path(K, y, ridge=RIDGE, steps=T, K_eval=K_eval,
                                          z_eval=z, K_test=K_test)
    assert path.ridge == RIDGE and torch.isnan(path.alphas[0])
    teacher = _krr(K, y)
    tol = _tol(K, y, T, test=True)
    torch.testing.assert_close(path.train[0], teacher, rtol=0, atol=tol)
    for t in range(1, T):
        a = lt.collapse.optimal_alpha(_krr(K, teacher, K_out=K_eval), _krr(K, y, K_out=K_eval), z)
        torch.testing.assert_close(path.alphas[t], a, rtol=0, atol=1e-9)
        targets = a * y + (1 - a) * teacher
        torch.testing.assert_close(path.eval[t], _krr(K, targets, K_out=K_eval), rtol=0,
                                   atol=tol)
        torch.testing.assert_close(path.test[t], _krr(K, targets, K_out=K_test), rtol=0,
                                   atol=tol)
        teacher = _krr(K, targets)
        torch.testing.assert_close(path.train[t], teacher, rtol=0, atol=tol)
    assert bool(((path.alphas[1:] >= 0) & (path.alphas[1:] <= 1)).all())


def test_every_field_of_a_distillation_run(problem):
    """distill_krr_1d against literal retraining, eigvalsh and the Cholesky limit."""
    data, K, K_test = problem
    alpha, T = 0.25, 5
    run = lt.collapse.distill_krr_1d(data, alpha=alpha, ridge=RIDGE, bandwidth=H, steps=T)
    assert (run.alpha, run.ridge, run.bandwidth, run.steps) == (alpha, RIDGE, H, T)
    torch.testing.assert_close(run.eigvals, torch.linalg.eigvalsh(K).flip(0).clamp_min(0),
                               rtol=0, atol=8 * N * EPS)
    literal = lt.collapse.self_distill(K, data.y_train, alpha=alpha, ridge=RIDGE, steps=T,
                                       K_test=K_test)
    y = data.y_train
    torch.testing.assert_close(run.train, literal.train, rtol=0, atol=_tol(K, y, T))
    torch.testing.assert_close(run.test, literal.test, rtol=0, atol=_tol(K, y, T, test=True))
    mse = ((literal.test - data.f_test) ** 2).mean(dim=1)
    torch.testing.assert_close(run.test_mse, mse, rtol=1e-9, atol=0)
    hats = lt.collapse.self_distill(K, torch.eye(N), alpha=alpha, ridge=RIDGE, steps=T).train
    _, V = lt.kernels.gram_eigh(K)
    measured = torch.diagonal(V.mT @ hats @ V, dim1=1, dim2=2)
    torch.testing.assert_close(run.diagonal, measured, rtol=0, atol=N * _tol(K, torch.ones(1), T))
    limit = _krr(K, y, RIDGE / alpha, K_out=K_test)
    torch.testing.assert_close(run.limit_test, limit, rtol=0, atol=0)
    assert run.limit_test_mse == pytest.approx(float(((limit - data.f_test) ** 2).mean()),
                                               rel=1e-12)
    far = lt.collapse.distillation_diagonal(run.eigvals, alpha=alpha, ridge=RIDGE, n=N,
                                            steps=400)[-1]
    torch.testing.assert_close(run.limit_diagonal, far, rtol=0, atol=8 * 400 * EPS)
