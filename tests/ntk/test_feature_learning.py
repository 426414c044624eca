"""NTK vs muP: features freeze with width under NTK parameterization, not under muP.

Between widths 32 and 1024 the lazy theory predicts the NTK feature change to drop by
sqrt(32) = 5.7; we demand a factor 2.5 (two seeds, ~30 % seed scatter measured). muP
predicts no width dependence; we demand the ratio to stay within [0.5, 2].
"""

import math

import pytest
import torch

import learntheory as lt

_, X = lt.datasets.unit_circle(8, dtype=torch.float64)
Y = torch.sin(2 * torch.atan2(X[:, 1], X[:, 0]))
CONFIG = lt.ntk.MLPConfig(depth=2, sigma_w=math.sqrt(2), sigma_b=0.1)


@pytest.mark.slow
def test_ntk_features_freeze_mup_features_move():
    sweep = lt.ntk.feature_change_sweep(X, Y, config=CONFIG,
                                        learning_rates={"ntk": 0.05, "mup": 0.02},
                                        widths=[32, 1024], steps=100, n_seeds=2,
                                        generator=lt.make_generator(4))
    assert sweep.feature_change.shape == (2, 2, 2, 2)
    last = sweep.feature_change[..., -1].mean(-1)          # (P, W), last hidden layer
    assert last[0, 0] > 2.5 * last[0, 1]                     # NTK: freezes
    assert 0.5 < float(last[1, 0] / last[1, 1]) < 2.0        # muP: width-independent
    assert float(last[1, 1]) > 10 * float(last[0, 1])        # muP moves far more at width 1024
    assert bool((sweep.final_loss < 0.1).all())              # every run trained


def test_sweep_cells_are_train_mlp_runs():
    """Each (parameterization, width, seed) cell is the train_mlp run of the network that
    make_mlp draws next from the same generator: feature change and final loss agree."""
    rates = {"ntk": 0.05, "mup": 0.02}
    sweep = lt.ntk.feature_change_sweep(X, Y, config=CONFIG, learning_rates=rates,
                                        widths=[8, 16], steps=5, n_seeds=2,
                                        generator=lt.make_generator(9))
    assert sweep.parameterizations == ["ntk", "mup"] and sweep.widths == [8, 16]
    gen = lt.make_generator(9)
    for i, p in enumerate(rates):
        for j, w in enumerate([8, 16]):
            for s in range(2):
                net = lt.ntk.make_mlp(2, config=CONFIG.replace(width=w, parameterization=p),
                                      generator=gen)
                h = lt.ntk.train_mlp(net, X, Y, lr=rates[p], steps=5)
                torch.testing.assert_close(sweep.feature_change[i, j, s], h.feature_change[-1],
                                           rtol=0, atol=0)
                assert float(sweep.final_loss[i, j, s]) == float(h.loss[-1])


def test_bad_inputs():
    with pytest.raises(ValueError, match="'learning_rates' parameter of feature_change_sweep"):
        lt.ntk.feature_change_sweep(X, Y, config=CONFIG, learning_rates={"sgd": 0.1},
                                    widths=[4], steps=2, n_seeds=1)
    with pytest.raises(ValueError, match="'learning_rates' parameter .* must be > 0"):
        lt.ntk.feature_change_sweep(X, Y, config=CONFIG, learning_rates={"ntk": -0.1},
                                    widths=[4], steps=2, n_seeds=1)
