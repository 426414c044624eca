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
