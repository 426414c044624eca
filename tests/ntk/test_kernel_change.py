"""The split of the NTK change into readout, hidden and cross parts.

Checks: the readout part of a one-hidden-layer network equals its closed form
(book: eq-ntk-one-layer) to rounding; a change of the readout alone has no hidden or cross
part; and, for erf, the readout part falls like 1/n: the log-log slope over widths 256 to
4096 on 8 seeds (200 steps, as on the page) is within 5 standard errors (the spread of
the per-seed slopes over sqrt(8)) of -1, the first-order result of DyerGurAri2020 /
HuangYau2020 (measured: -1.017 +- 0.011).
"""

from __future__ import annotations

import copy
import math

import pytest
import torch

import learntheory as lt

X = lt.datasets.circle_regression(12, 4, dtype=torch.float64)


def _trained(width: int, activation: str, seed: int, steps: int = 100):
    cfg = lt.ntk.MLPConfig(depth=1, width=width, activation=activation,
                           sigma_w=math.sqrt(2), sigma_b=0.1)
    model0 = lt.ntk.make_mlp(2, config=cfg, dtype=torch.float64,
                             generator=lt.make_generator(seed))
    lr = 1.0 / float(torch.linalg.eigvalsh(lt.ntk.mlp_ntk(X.x, config=cfg))[-1])
    model = copy.deepcopy(model0)
    lt.ntk.train_mlp(model, X.x, X.y, lr=lr, steps=steps)
    return model0, model


def test_readout_part_is_the_closed_form():
    model0, model = _trained(64, "erf", 0)
    parts = lt.ntk.kernel_change_parts(model0, model, X.x)
    sw, sb, n, d = math.sqrt(2), 0.1, 64, 2
    w, b = model0.weights[0].detach(), model0.biases[0].detach()
    h = sw * (X.x @ w.T) / math.sqrt(d) + sb * b
    dphi = 2 / math.sqrt(math.pi) * torch.exp(-h * h)
    v0, v1 = model0.weights[1].detach()[0], model.weights[1].detach()[0]
    k0 = sw**2 * (X.x @ X.x.T) / d + sb**2
    readout = sw**2 / n * ((dphi * (v1**2 - v0**2)) @ dphi.T) * k0
    t0 = lt.ntk.empirical_ntk(model0, X.x)
    assert parts.readout == pytest.approx(float(readout.norm() / t0.norm()), rel=1e-9)
    assert parts.total > 0 and parts.hidden > 0


def test_a_readout_change_has_no_hidden_or_cross_part():
    model0, _ = _trained(32, "relu", 1, steps=0)
    model = copy.deepcopy(model0)
    with torch.no_grad():
        model.weights[1].mul_(1.5)
    parts = lt.ntk.kernel_change_parts(model0, model, X.x)
    assert parts.hidden == 0.0 and parts.cross < 1e-12
    assert parts.total == pytest.approx(parts.readout, rel=1e-12) and parts.total > 0.1


def test_bad_models_are_named():
    model0, _ = _trained(16, "erf", 2, steps=0)
    other, _ = _trained(32, "erf", 2, steps=0)
    with pytest.raises(ValueError, match="'model'.*architecture"):
        lt.ntk.kernel_change_parts(model0, other, X.x)
    with pytest.raises(TypeError, match="'model0'"):
        lt.ntk.kernel_change_parts(torch.nn.Linear(2, 1), model0, X.x)


@pytest.mark.slow
def test_erf_readout_part_falls_like_one_over_width():
    widths = [256, 1024, 4096]
    seeds = 8
    slopes = []
    for s in range(seeds):
        vals = [lt.ntk.kernel_change_parts(*_trained(n, "erf", 10 + s, steps=200),
                                           X.x).readout for n in widths]
        slopes.append(lt.loglog_slope(torch.tensor(widths, dtype=torch.float64),
                                      torch.tensor(vals)).slope)
    s = torch.tensor(slopes)
    se = float(s.std()) / math.sqrt(seeds)
    assert abs(float(s.mean()) + 1.0) < 5 * se, (s.mean(), se)
