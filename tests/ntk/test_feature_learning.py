"""NTK vs muP: features freeze with width under NTK parameterization, not under muP.

Bands from standard errors, not by eye: the log-log slope of the last hidden layer's
feature change against width is fitted through all (width, seed) points (widths 64..1024,
4 seeds: 10 degrees of freedom, so |t| > 4 has probability 0.25 %). Lazy theory gives
-1/2 for NTK (a rate: the change is Theta(n^-1/2)); muP gives Theta(1). We test that the
NTK slope is -1/2 within 4 SE, and that the muP slope differs from both -1/2 and the NTK
slope by more than 5 SE (it is near 0 but not pinned to 0: at these widths the measured
muP slope is about -0.05, an O(n^-1/2) correction we do not claim to model).
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
    widths, seeds = [64, 256, 1024], 4
    sweep = lt.ntk.feature_change_sweep(X, Y, config=CONFIG,
                                        learning_rates={"ntk": 0.05, "mup": 0.02},
                                        widths=widths, steps=100, n_seeds=seeds,
                                        generator=lt.make_generator(4))
    assert sweep.feature_change.shape == (2, 3, seeds, 2)
    assert bool((sweep.final_loss < 0.1).all())              # every run trained
    fits = {}
    for i, p in enumerate(sweep.parameterizations):
        last = sweep.feature_change[i, :, :, -1]             # (W, S), last hidden layer
        fits[p] = lt.loglog_slope([w for w in widths for _ in range(seeds)], last.flatten())
    ntk, mup = fits["ntk"], fits["mup"]
    assert abs(ntk.slope + 0.5) < 4 * ntk.stderr, ntk
    assert mup.slope + 0.5 > 5 * mup.stderr, mup
    assert mup.slope - ntk.slope > 5 * math.hypot(mup.stderr, ntk.stderr), (mup, ntk)


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
