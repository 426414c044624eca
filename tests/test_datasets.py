"""Synthetic data: reproducible from a generator, on the generator's device."""

import pytest
import torch

import learntheory as lt


def test_regression_1d_is_reproducible_and_shaped(device):
    a = lt.datasets.regression_1d(10, generator=lt.make_generator(0, device))
    b = lt.datasets.regression_1d(10, generator=lt.make_generator(0, device))
    assert torch.equal(a.y_train, b.y_train)
    assert a.x_train.shape == (10, 1) and a.x_test.shape == (200, 1)
    assert a.x_train.device.type == device.type
    torch.testing.assert_close(a.f_train, lt.datasets.smooth_target(a.x_train[:, 0]))


def test_regression_1d_errors():
    with pytest.raises(ValueError, match="'n' parameter of regression_1d"):
        lt.datasets.regression_1d(0)
    with pytest.raises(ValueError, match="'noise' parameter of regression_1d must be >= 0"):
        lt.datasets.regression_1d(5, noise=-1.0)


def test_unit_circle_is_a_regular_polygon_and_a_closed_grid():
    """Open: n distinct points 2 pi / n apart (consecutive chords 2 sin(pi / n)); closed:
    the first and last points coincide. Unit norm to the float64 floor."""
    import math

    gamma, x = lt.datasets.unit_circle(12, dtype=torch.float64)
    assert gamma.shape == (12,) and x.shape == (12, 2) and float(gamma[0]) == -math.pi
    torch.testing.assert_close(x.norm(dim=1), torch.ones(12, dtype=torch.float64))
    chords = (x - x.roll(-1, 0)).norm(dim=1)
    torch.testing.assert_close(chords, torch.full((12,), 2 * math.sin(math.pi / 12),
                                                  dtype=torch.float64))
    g2, x2 = lt.datasets.unit_circle(5, closed=True, dtype=torch.float64)
    assert float(g2[-1]) == math.pi
    torch.testing.assert_close(x2[0], x2[-1], rtol=0, atol=1e-15)


def test_circle_regression_targets():
    data = lt.datasets.circle_regression(8, 20, dtype=torch.float64)
    torch.testing.assert_close(data.y, torch.sin(2 * data.gamma) + 0.5 * torch.cos(data.gamma))
    torch.testing.assert_close(data.f_test, lt.datasets.circle_target(data.gamma_test))
    assert data.x_test.shape == (20, 2)
    with pytest.raises(ValueError, match="'n' parameter of unit_circle"):
        lt.datasets.circle_regression(0, 3)
