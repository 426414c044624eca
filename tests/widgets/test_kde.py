"""Explorers of the KDE chapter build, render every frame, and redraw live."""

import learntheory as lt


def test_nearest_weights_explorer_frames_and_live_update():
    ex = lt.widgets.explore_nearest_weights([0.3, 0.5], [0.5, 2.0], d=8, k=5)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4
    box = ex.live()
    before = box.children[-1].value
    box.controls["h"].value = 0.5 if ex.defaults["h"] != 0.5 else 2.0
    assert box.children[-1].value != before


def test_participation_explorer_frames():
    ex = lt.widgets.explore_participation([10, 20], [0.6, 1.5], alpha=0.3, n_test=8)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4


def test_regime_names_follow_the_thresholds():
    from learntheory.widgets.kde import _regime

    hg = float(lt.kde.glass_bandwidth(0.3))
    assert _regime(0.9 * hg, 0.3).startswith("condensed")
    assert _regime(1.2 * hg, 0.3).startswith("heavy")
    assert _regime(1.5 * hg, 0.3).startswith("CLT")
