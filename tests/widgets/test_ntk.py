"""Explorers of the NTK chapter's initialisation pages build, render every frame, redraw live."""

import torch

import learntheory as lt

X2 = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)
CONFIG = lt.ntk.MLPConfig(depth=1, sigma_b=0.1)


def test_nngp_explorer_frames_and_live_update():
    ex = lt.widgets.explore_nngp(X2, config=CONFIG, widths=[2, 64], depths=[1], n_networks=200)
    frames = ex.frames()
    assert len(frames) == 2 and len(set(frames.values())) == 2
    box = ex.live()
    before = box.children[-1].value
    box.controls["width"].value = 2
    assert box.children[-1].value != before


def test_ntk_concentration_explorer_frames():
    gamma, x = lt.datasets.unit_circle(9, closed=True, dtype=torch.float64)
    ex = lt.widgets.explore_ntk_concentration(x[:1], x, gamma, config=CONFIG, widths=[8, 32],
                                              depths=[1, 2], n_networks=2)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4
