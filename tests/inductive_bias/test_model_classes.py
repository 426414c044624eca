"""The compared spaces: the median heuristic and random features against the NNGP."""

from __future__ import annotations

import math

import pytest
import torch
from scipy.spatial.distance import pdist

import learntheory as lt

ib = lt.inductive_bias


def test_median_bandwidth_is_the_median_pairwise_distance(gen):
    x = torch.randn(31, 4, generator=gen)
    assert ib.median_bandwidth(x) == pytest.approx(float(torch.tensor(pdist(x.numpy())).median()),
                                                   rel=1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        ib.median_bandwidth(x[:1])


def test_random_features_average_to_the_one_layer_nngp(gen):
    x = torch.nn.functional.normalize(torch.randn(5, 3, generator=gen), dim=1)
    F = 200_000
    rf = ib.RandomFeatureKernel(F, 3, generator=gen)
    phi = rf.features(x) * math.sqrt(F)  # per-feature terms: k_F is their mean product
    terms = phi[:, None, :] * phi[None, :, :]
    want = lt.ntk.mlp_nngp(x, x, depth=1)
    assert torch.allclose(rf(x, x), terms.mean(-1))
    se = terms.std(-1) / math.sqrt(F)
    assert bool(((rf(x, x) - want).abs() <= 5 * se + 1e-12).all())


def test_the_named_kernels(gen):
    x = torch.randn(10, 3, generator=gen)
    ks = ib.model_class_kernels(x, depths=(1, 2), n_features=(64,), generator=gen)
    assert list(ks) == ["Gaussian", "NNGP L=1", "NTK L=1", "NNGP L=2", "NTK L=2", "RF F=64"]
    for k in ks.values():
        K = k(x, x)
        assert K.shape == (10, 10) and torch.allclose(K, K.T, atol=1e-12)
    with pytest.raises(ValueError, match="'x'.*feature dimension 3"):
        ks["RF F=64"](torch.randn(2, 4), torch.randn(2, 4))


def test_prior_scaled_kernels_share_one_prior_variance(gen):
    x = torch.nn.functional.normalize(torch.randn(12, 4, generator=gen), dim=1)
    ks = ib.model_class_kernels(x, depths=(1, 3), n_features=(64,), generator=gen,
                                prior_variance=0.5)
    for name, k in ks.items():
        assert float(k(x, x).diagonal().mean()) == pytest.approx(0.5, rel=1e-12), name
    raw = ib.model_class_kernels(x, depths=(3,))["NTK L=3"]
    scaled = ib.prior_scaled(raw, x, 2.0)
    ratio = scaled(x, x[:3]) / raw(x, x[:3])
    assert torch.allclose(ratio, ratio[0, 0].expand_as(ratio))  # one constant factor
    with pytest.raises(TypeError, match="'kernel'"):
        ib.prior_scaled(3.0, x)
    with pytest.raises(ValueError, match="'variance'"):
        ib.prior_scaled(raw, x, 0.0)
