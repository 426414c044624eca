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
