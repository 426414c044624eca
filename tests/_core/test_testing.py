"""The Monte Carlo assertion helper fails when it should (a test that cannot fail is a defect)."""

import pytest
import torch

from learntheory._core.testing import assert_close_mc, float_floor


def test_assert_close_mc_passes_within_and_fails_outside_z_se():
    std, n = torch.tensor([2.0]), 400  # se = 0.1
    assert_close_mc(torch.tensor([1.49]), torch.tensor([1.0]), std, n, z=5.0)
    with pytest.raises(AssertionError, match="more than 5.0 standard errors"):
        assert_close_mc(torch.tensor([1.51]), torch.tensor([1.0]), std, n, z=5.0)


def test_float_floor():
    assert float_floor(torch.float64) < float_floor(torch.float32)
    with pytest.raises(ValueError, match="'dtype' parameter"):
        float_floor(torch.int32)
