"""NTK explorers build, render every static frame, and redraw live."""

import math

import torch

import learntheory as lt

X2 = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)


def test_nngp_explorer_frames_and_live_update():
    ex = lt.widgets.explore_nngp(X2, widths=[2, 64], depths=[1], n_networks=200)
    assert len(ex.frames()) == 2
    box = ex.live()
    before = box.children[-1].value
    box.controls["width"].value = 2
    assert box.children[-1].value != before


def test_ntk_concentration_explorer_frames():
    gamma = torch.linspace(0, math.pi, 9, dtype=torch.float64)
    x = torch.stack([gamma.cos(), gamma.sin()], dim=1)
    ex = lt.widgets.explore_ntk_concentration(x[:1], x, gamma, widths=[8, 32], depths=[1, 2],
                                              n_seeds=2)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4


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
