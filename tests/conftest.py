"""Shared fixtures: strict numerics, and a device parametrisation with a `gpu` marker.

* Every test runs with float64 as the default dtype and deterministic
  algorithms (the PyTorch analogue of a strict mode); tests that want float32
  ask for it explicitly.
* The ``device`` fixture runs a test on the CPU always and on CUDA when one is
  present; the CUDA case carries the ``gpu`` marker and is skipped cleanly
  without a GPU (select it with ``-m gpu``).
"""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _strict_numerics():
    old_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True, warn_only=True)
    yield
    torch.set_default_dtype(old_dtype)
    torch.use_deterministic_algorithms(False)


@pytest.fixture(
    params=[
        pytest.param("cpu", id="cpu"),
        pytest.param(
            "cuda",
            id="cuda",
            marks=[
                pytest.mark.gpu,
                pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
            ],
        ),
    ]
)
def device(request) -> torch.device:
    """The device under test: always ``cpu``, plus ``cuda`` when present (marker ``gpu``)."""
    return torch.device(request.param)


@pytest.fixture
def gen() -> torch.Generator:
    """A freshly seeded CPU generator, so no test draws unseeded randomness."""
    return torch.Generator().manual_seed(20261125)
