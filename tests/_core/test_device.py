"""Device/dtype/generator resolution: no global RNG, no hard-coded device."""

import pytest
import torch

import learntheory as lt
from learntheory._core import resolve_factory


@pytest.mark.parametrize(("available", "expected"), [(True, "cuda"), (False, "cpu")])
def test_default_device_is_cuda_only_when_present(monkeypatch, available, expected):
    """Both branches, whatever this machine has: CUDA availability is simulated."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    assert lt.default_device() == torch.device(expected)


def test_make_generator_is_reproducible(device):
    a = torch.randn(5, generator=lt.make_generator(3, device), device=device)
    b = torch.randn(5, generator=lt.make_generator(3, device), device=device)
    assert torch.equal(a, b)


def test_resolve_factory_follows_the_generator(device):
    dev, dtype = resolve_factory(None, None, lt.make_generator(0, device))
    assert dev.type == device.type
    assert dtype == torch.get_default_dtype()


def test_resolve_factory_errors_name_the_parameter():
    with pytest.raises(TypeError, match="'generator' parameter"):
        resolve_factory(None, None, 42)
    with pytest.raises(TypeError, match="'dtype' parameter"):
        resolve_factory(None, torch.int64, None)
    with pytest.raises(ValueError, match="'seed' parameter"):
        lt.make_generator(-1)
