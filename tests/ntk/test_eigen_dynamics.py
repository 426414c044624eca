"""Eigen-decomposition of linear GD: exact for r_{t+1} = (I - eta K) r_t (float64 floor 1e-10)."""

import math

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


def test_eigenspace_norms_do_not_depend_on_the_basis_inside_a_pair():
    """Rotating the eigenvectors of each degenerate pair by an arbitrary angle (another valid
    eigensolver output) leaves mode_residuals unchanged: ||R^T U_g^T r|| = ||U_g^T r|| for
    orthogonal R, so only float64 rounding (1e-12 relative) separates them. The single
    eigenvector projections do change (by far more), which is why eigenspaces are used."""
    K = _circle_kernel()
    ev, U = lt.kernels.gram_eigh(K)
    groups = lt.ntk.eigenspaces(ev)
    pairs = [g for g in groups if len(g) == 2]
    assert pairs
    V = U.clone()
    for k, g in enumerate(pairs):
        a = 0.3 + k
        R = torch.tensor([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]],
                         dtype=torch.float64)
        V[:, g] = U[:, g] @ R
    torch.testing.assert_close(V.T @ K @ V, torch.diag(ev), rtol=0, atol=1e-12 * float(ev[0]))
    r = torch.randn(5, 12, generator=lt.make_generator(3), dtype=torch.float64)
    torch.testing.assert_close(lt.ntk.mode_residuals(r, V, groups),
                               lt.ntk.mode_residuals(r, U, groups), rtol=1e-12, atol=0)
    g = pairs[0]
    assert float(((r @ V[:, g]) - (r @ U[:, g])).abs().max()) > 1e-2


def test_mode_deviation_by_hand():
    """Per eigenspace: max over steps with predicted > floor * m_0 of |m - p| / m_0."""
    m = torch.tensor([[1.0, 2.0], [0.5, 1.0], [0.2, 0.1]], dtype=torch.float64)
    p = torch.tensor([[1.0, 2.0], [0.4, 1.1], [1e-4, 0.3]], dtype=torch.float64)
    dev = lt.ntk.mode_deviation(m, p, floor=1e-3)
    # column 0: step 2 dropped (1e-4 < 1e-3 * 1); max(|0.5 - 0.4|) / 1 = 0.1
    # column 1: all kept; max(0.1, 0.2) / 2 = 0.1
    torch.testing.assert_close(dev, torch.tensor([0.1, 0.1], dtype=torch.float64),
                               rtol=1e-14, atol=1e-15)
    torch.testing.assert_close(lt.ntk.mode_deviation(m, p, floor=0.0),
                               torch.tensor([0.1999, 0.1], dtype=torch.float64),
                               rtol=1e-14, atol=1e-15)


def test_bad_inputs():
    with pytest.raises(ValueError, match="'eigvals' parameter of eigenspaces must be sorted"):
        lt.ntk.eigenspaces(torch.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="'eigvecs' parameter of mode_residuals"):
        lt.ntk.mode_residuals(torch.zeros(3, 4), torch.eye(3), [[0]])
    with pytest.raises(ValueError, match="'lr' parameter of predicted_mode_residuals"):
        lt.ntk.predicted_mode_residuals(torch.zeros(3), torch.ones(3), torch.eye(3), [[0]],
                                        lr=0.0, steps=torch.arange(2))
    with pytest.raises(ValueError, match="'predicted' parameter of mode_deviation"):
        lt.ntk.mode_deviation(torch.ones(3, 2), torch.ones(2, 2))
