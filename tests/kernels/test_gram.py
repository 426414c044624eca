"""Gram matrices and distances (learntheory.kernels.gram) against brute force."""

import pytest
import torch

import learntheory as lt

EPS = torch.finfo(torch.float64).eps


def test_squared_distances_against_explicit_differences(gen):
    """|x_i - y_j|^2 by the Gram trick vs explicit differences: the trick loses up to
    ~ 8 d eps (|x|^2 + |y|^2) to cancellation, and is clamped at 0."""
    x, y = torch.randn(9, 4, generator=gen), torch.randn(7, 4, generator=gen)
    ref = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    tol = 8 * 4 * EPS * float((x**2).sum(1).max() + (y**2).sum(1).max())
    torch.testing.assert_close(lt.kernels.squared_distances(x, y), ref, rtol=0, atol=tol)
    assert float(lt.kernels.squared_distances(x, x).min()) >= 0
    torch.testing.assert_close(lt.kernels.euclidean_distances(x, y), ref.sqrt(), rtol=0,
                               atol=tol**0.5)


def test_gram_applies_a_pair_function_blockwise(gen):
    x, y = torch.randn(11, 3, generator=gen), torch.randn(5, 3, generator=gen)

    def dot(a, b):
        return a @ b.T

    full = x @ y.T
    for chunk in (None, 1, 4, 100):
        torch.testing.assert_close(lt.kernels.gram(dot, x, y, chunk_size=chunk), full,
                                   rtol=0, atol=0)
    sym = lt.kernels.gram(dot, x)
    assert torch.equal(sym, sym.T)
    with pytest.raises(ValueError, match="'x2' parameter of gram must have feature dimension 3"):
        lt.kernels.gram(dot, x, torch.zeros(2, 4))
