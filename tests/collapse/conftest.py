"""The self-distillation tests' problem: a 1-D regression sample and its Gram matrices."""

import pytest
import torch
from distill_common import H, N

import learntheory as lt


@pytest.fixture
def problem():
    data = lt.datasets.regression_1d(N, noise=0.3, dtype=torch.float64,
                                     generator=lt.make_generator(2021))
    K = lt.kernels.gaussian(data.x_train, bandwidth=H)
    K_test = lt.kernels.gaussian(data.x_test, data.x_train, bandwidth=H)
    return data, K, K_test
