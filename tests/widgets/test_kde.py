"""The KDE-regimes explorer builds, renders every frame, redraws live."""

import learntheory as lt


def test_participation_explorer_frames_and_live_update():
    ex = lt.widgets.explore_participation([0.3, 0.5], [12], ratios=[0.5, 1.0, 1.5], n_test=8)
    frames = ex.frames()
    assert len(frames) == 2 and len(set(frames.values())) == 2
    box = ex.live()
    before = box.children[-1].value
    box.controls["alpha"].value = 0.3  # the default is the middle value, 0.5
    assert box.children[-1].value != before
