"""Training explorers of the NTK chapter build, render distinct static frames, and redraw live."""

import math

import torch

import learntheory as lt


def _circle(n):
    g = torch.linspace(-math.pi, math.pi, n + 1, dtype=torch.float64)[:-1]
    return g, torch.stack([g.cos(), g.sin()], dim=1)


def test_training_explorers_render_distinct_frames():
    g, x = _circle(6)
    y = torch.sin(2 * g)
    gt, xt = _circle(10)
    lazy = lt.widgets.explore_lazy_training(x, y, xt, gt, g, widths=[16], depth=1, lr=0.05,
                                            steps=10, n_records=2)
    spectral = lt.widgets.explore_spectral_dynamics(x, y, xt, gt, g, depth=1,
                                                    lr_factors=[0.5], times=[1, 50])
    features = lt.widgets.explore_feature_learning(x, y, widths=[16],
                                                   learning_rates={"ntk": 0.05, "mup": 0.02},
                                                   depth=1, steps=5)
    for ex, n in ((lazy, 3), (spectral, 2), (features, 2)):
        frames = ex.frames()
        assert len(frames) == n and len(set(frames.values())) == n
    box = spectral.live()
    before = box.children[-1].value
    box.controls["t"].value = 1
    assert box.children[-1].value != before
