"""Explorers of the inductive-bias chapter build, render every frame, and redraw live."""

import learntheory as lt


def test_toy_bits_explorer_frames_and_live_update():
    ex = lt.widgets.explore_toy_bits([0.05, 0.2], [4, 8], dim=12, n_hypotheses=300,
                                     n_boot=4, n_grid=8)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4
    box = ex.live()
    before = box.children[-1].value
    box.controls["n_train"].value = 4 if ex.defaults["n_train"] != 4 else 8
    assert box.children[-1].value != before


def test_bandwidth_bits_explorer_frames():
    task = lt.inductive_bias.sphere_task(4, 40, 16, ambient_dim=8,
                                         generator=lt.make_generator(0))
    ex = lt.widgets.explore_bandwidth_bits(task, [1.0, 2.0], [0.5], n_hypotheses=200,
                                           n_boot=4, n_grid=6)
    frames = ex.frames()
    assert len(frames) == 2 and len(set(frames.values())) == 2
