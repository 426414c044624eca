"""Eigen-decomposition of linear GD: exact for r_{t+1} = (I - eta K) r_t (float64 floor 1e-10)."""

import pytest
import torch

import learntheory as lt


def _circle_kernel(n=12):
    _, x = lt.datasets.unit_circle(n, dtype=torch.float64)
    return lt.ntk.mlp_ntk(x, config=lt.ntk.MLPConfig(depth=2, sigma_b=0.1))


def test_eigenspaces_groups_equal_eigenvalues():
    vals = torch.tensor([3.0, 2.0, 2.0 - 1e-12, 1.0], dtype=torch.float64)
    assert lt.ntk.eigenspaces(vals) == [[0], [1, 2], [3]]
    ev, _ = lt.kernels.gram_eigh(_circle_kernel())
    sizes = [len(g) for g in lt.ntk.eigenspaces(ev)]
    assert sum(sizes) == 12 and max(sizes) == 2          # cos/sin pairs on the circle


def test_prediction_is_exact_for_linear_gd():
    K = _circle_kernel()
    ev, U = lt.kernels.gram_eigh(K)
    groups = lt.ntk.eigenspaces(ev)
    lr = 0.45 * lt.kernels.max_learning_rate(ev)             # 0.9 / lambda_max
    r = [torch.sin(torch.arange(12, dtype=torch.float64))]
    for _ in range(30):
        r.append(r[-1] - lr * K @ r[-1])
    r = torch.stack(r)
    steps = torch.arange(31)
    measured = lt.ntk.mode_residuals(r, U, groups)
    predicted = lt.ntk.predicted_mode_residuals(r[0], ev, U, groups, lr=lr, steps=steps)
    torch.testing.assert_close(measured, predicted, rtol=1e-8, atol=1e-12)
    # on an eigenspace: |1 - eta lambda|^t * ||U_g^T r_0||
    g = groups[1]
    expect = (1 - lr * ev[g[0]]).abs() ** steps.double() * (r[0] @ U[:, g]).norm()
    torch.testing.assert_close(predicted[:, 1], expect, rtol=1e-8, atol=1e-14)


def test_bad_inputs():
    with pytest.raises(ValueError, match="'eigvals' parameter of eigenspaces must be sorted"):
        lt.ntk.eigenspaces(torch.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="'eigvecs' parameter of mode_residuals"):
        lt.ntk.mode_residuals(torch.zeros(3, 4), torch.eye(3), [[0]])
    with pytest.raises(ValueError, match="'lr' parameter of predicted_mode_residuals"):
        lt.ntk.predicted_mode_residuals(torch.zeros(3), torch.ones(3), torch.eye(3), [[0]],
                                        lr=0.0, steps=torch.arange(2))
