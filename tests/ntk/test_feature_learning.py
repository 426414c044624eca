"""NTK vs muP: features freeze with width under NTK parameterization, not under muP.

Between widths 32 and 1024 the lazy theory predicts the NTK feature change to drop by
sqrt(32) = 5.7; we demand a factor 2.5 (two seeds, ~30 % seed scatter measured). muP
predicts no width dependence; we demand the ratio to stay within [0.5, 2].
"""

import math

import pytest
import torch

import learntheory as lt

GAMMA = torch.linspace(-math.pi, math.pi, 9, dtype=torch.float64)[:-1]
X = torch.stack([GAMMA.cos(), GAMMA.sin()], dim=1)
Y = torch.sin(2 * GAMMA)


@pytest.mark.slow
def test_ntk_features_freeze_mup_features_move():
    sweep = lt.ntk.feature_change_sweep(X, Y, learning_rates={"ntk": 0.05, "mup": 0.02},
                                        widths=[32, 1024], depth=2, steps=100, n_seeds=2,
                                        generator=lt.make_generator(4))
    assert sweep.feature_change.shape == (2, 2, 2, 2)
    last = sweep.feature_change[..., -1].mean(-1)          # (P, W), last hidden layer
    assert last[0, 0] > 2.5 * last[0, 1]                     # NTK: freezes
    assert 0.5 < float(last[1, 0] / last[1, 1]) < 2.0        # muP: width-independent
    assert float(last[1, 1]) > 10 * float(last[0, 1])        # muP moves far more at width 1024
    assert bool((sweep.final_loss < 0.1).all())              # every run trained


def test_bad_inputs():
    with pytest.raises(ValueError, match="'learning_rates' parameter of feature_change_sweep"):
        lt.ntk.feature_change_sweep(X, Y, learning_rates={"sgd": 0.1}, widths=[4], depth=1,
                                    steps=2, n_seeds=1)
    with pytest.raises(ValueError, match="'learning_rates' parameter .* must be > 0"):
        lt.ntk.feature_change_sweep(X, Y, learning_rates={"ntk": -0.1}, widths=[4], depth=1,
                                    steps=2, n_seeds=1)
