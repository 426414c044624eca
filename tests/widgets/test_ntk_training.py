"""Training explorers of the NTK chapter build, render distinct static frames, and redraw live."""

import pytest
import torch

import learntheory as lt

DATA = lt.datasets.circle_regression(6, 10, dtype=torch.float64)
CONFIG = lt.ntk.MLPConfig(depth=1, sigma_b=0.1)


def test_training_explorers_render_distinct_frames():
    lazy = lt.widgets.explore_lazy_training(DATA, config=CONFIG, widths=[16], lr=0.05,
                                            steps=10, n_records=2)
    spectral = lt.widgets.explore_spectral_dynamics(DATA, config=CONFIG, lr_factors=[0.5],
                                                    times=[1, 50])
    features = lt.widgets.explore_feature_learning(DATA, config=CONFIG, widths=[16],
                                                   learning_rates={"ntk": 0.05, "mup": 0.02},
                                                   steps=5)
    for ex, n in ((lazy, 3), (spectral, 2), (features, 2)):
        frames = ex.frames()
        assert len(frames) == n and len(set(frames.values())) == n
    box = spectral.live()
    before = box.children[-1].value
    box.controls["t"].value = 1
    assert box.children[-1].value != before


def test_explorers_want_typed_data_and_a_configuration():
    with pytest.raises(TypeError, match="'data' parameter of explore_lazy_training must be a "
                                        "learntheory.datasets.CircleRegression"):
        lt.widgets.explore_lazy_training((DATA.x, DATA.y), config=CONFIG, widths=[4], lr=0.1,
                                         steps=2, n_records=1)
    with pytest.raises(TypeError, match="'config' parameter of explore_feature_learning"):
        lt.widgets.explore_feature_learning(DATA, config=None, widths=[4],
                                            learning_rates={"ntk": 0.1}, steps=2)


def test_every_explorer_labels_every_parameter_for_the_reader():
    """Slider labels are the reader's words with symbols, never the variable names."""
    krr = lt.widgets.explore_krr(lt.datasets.regression_1d(10, dtype=torch.float64),
                                 bandwidths=[0.1, 0.2], ridges=[1e-3])
    x2 = DATA.x[:2]
    explorers = [
        krr,
        lt.widgets.explore_nngp(x2, config=CONFIG, widths=[2], depths=[1], n_networks=10),
        lt.widgets.explore_ntk_concentration(x2[:1], x2, DATA.gamma[:2], config=CONFIG,
                                             widths=[2], depths=[1], n_networks=1),
        lt.widgets.explore_lazy_training(DATA, config=CONFIG, widths=[4], lr=0.05, steps=10,
                                         n_records=2),
        lt.widgets.explore_spectral_dynamics(DATA, config=CONFIG, lr_factors=[0.5], times=[1]),
        lt.widgets.explore_feature_learning(DATA, config=CONFIG, widths=[4],
                                            learning_rates={"ntk": 0.05}, steps=2),
    ]
    for ex in explorers:
        for name in ex.grid:
            assert ex.labels[name] != name or name == "parameterization", (ex.title, name)
            assert ex.labels[name] in ex.static_html()
    lazy = explorers[3]
    assert lazy.grid["step"] == [0, 5, 10]          # the recorded training steps themselves
