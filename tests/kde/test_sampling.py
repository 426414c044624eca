"""Batched KDE sampling (learntheory.kde.sampling): replay of the generator, the mixture's
moments, and errors."""

import pytest
import torch

import learntheory as lt


def test_sample_kde_is_a_chosen_point_plus_h_noise():
    """Replay of the generator (index, then normals), and the moments of the mixture: a draw
    has mean = the data's mean and variance = the divide-by-m variance + h^2, tested at 5
    Monte Carlo standard errors (the squared deviation's std is estimated from the draws)."""
    from learntheory._core.testing import assert_close_mc

    data = torch.randn(3, 7, 2, generator=lt.make_generator(0), dtype=torch.float64)
    h = torch.tensor([0.0, 0.5, 2.0], dtype=torch.float64)
    draws, idx = lt.kde.sample_kde(data, 5, bandwidth=h, generator=lt.make_generator(1),
                                   return_index=True)
    g = lt.make_generator(1)
    idx2 = torch.randint(7, (3, 5), generator=g)
    z = torch.randn(3, 5, 2, generator=g, dtype=torch.float64)
    picked = torch.gather(data, 1, idx2[..., None].expand(3, 5, 2))
    assert torch.equal(idx, idx2)
    assert torch.allclose(draws, picked + h[:, None, None] * z, rtol=0, atol=1e-15)
    assert torch.equal(draws[0], picked[0])  # h = 0: the bootstrap
    n = 200_000
    many = lt.kde.sample_kde(data, n, bandwidth=h, generator=lt.make_generator(2))
    mean, var = data.mean(1), data.var(1, correction=0) + h[:, None] ** 2
    assert_close_mc(many.mean(1), mean, var.sqrt(), n)
    dev2 = (many - mean[:, None]) ** 2
    assert_close_mc(dev2.mean(1), var, dev2.std(1), n)
    one = lt.kde.sample_kde(data[0], 4, bandwidth=0.1, generator=lt.make_generator(3))
    assert one.shape == (4, 2)


def test_sample_kde_bad_input_names_the_parameter():
    data = torch.zeros(4, 1, dtype=torch.float64)
    with pytest.raises(ValueError, match="data"):
        lt.kde.sample_kde(torch.zeros(4), 2, bandwidth=1.0)
    with pytest.raises(ValueError, match="bandwidth"):
        lt.kde.sample_kde(data, 2, bandwidth=-1.0)
    with pytest.raises(ValueError, match="bandwidth"):
        lt.kde.sample_kde(data, 2, bandwidth=torch.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="'n'"):
        lt.kde.sample_kde(data, 0, bandwidth=1.0)
