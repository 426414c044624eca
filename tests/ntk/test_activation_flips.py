"""The ReLU's activation flips, split into the part even and the part odd in the readout.

Checks, exact (to rounding):
- the flip part is the hidden-only NTK change (hidden weights trained, readout at its
  initial value, through the library's empirical NTK and `train_mlp`) minus its smooth
  readout-gradient term m_out^2 (a_T a_T^T - a_0 a_0^T) (book: eq-ntk-one-layer);
- replaying a unit against the recorded residuals with its own readout weight reproduces
  training bit for bit, and after one step the mirror (readout -v) has moved its hidden
  weights by exactly minus the network's step;
- bad input names its parameter.
The rates (slow) are in the second half of this file, with their tolerances.
"""

from __future__ import annotations

import copy
import math

import pytest
import torch

import learntheory as lt
from learntheory.ntk.activation_flips import _replay, _train

DATA = lt.datasets.circle_regression(12, 4, dtype=torch.float64)
SW, SB = math.sqrt(2), 0.1
LR = 1.0 / float(torch.linalg.eigvalsh(lt.ntk.mlp_ntk(
    DATA.x, config=lt.ntk.MLPConfig(depth=1, sigma_w=SW, sigma_b=SB)))[-1])


def _net(width: int, seed: int, activation: str = "relu", depth: int = 1):
    cfg = lt.ntk.MLPConfig(depth=depth, width=width, activation=activation,
                           sigma_w=SW, sigma_b=SB)
    return lt.ntk.make_mlp(2, config=cfg, dtype=torch.float64,
                           generator=lt.make_generator(seed))


def test_flip_part_is_the_hidden_change_minus_its_smooth_term():
    model0 = _net(256, 3)
    (parts,) = lt.ntk.activation_flip_parts(model0, DATA.x, DATA.y, lr=LR, steps=100)
    model = copy.deepcopy(model0)
    lt.ntk.train_mlp(model, DATA.x, DATA.y, lr=LR, steps=100)
    hybrid = copy.deepcopy(model)  # hidden layer trained, readout as at init
    with torch.no_grad():
        hybrid.weights[1].copy_(model0.weights[1])
        hybrid.biases[1].copy_(model0.biases[1])
        a0, a1 = model0.features(DATA.x)[0], model.features(DATA.x)[0]
        t0 = lt.ntk.empirical_ntk(model0, DATA.x)
        hidden = lt.ntk.empirical_ntk(hybrid, DATA.x) - t0
    m_out = model0.weight_multipliers[1]
    flip = hidden - m_out**2 * (a1 @ a1.T - a0 @ a0.T)
    assert parts.flip == pytest.approx(float(flip.norm() / t0.norm()), rel=1e-9)
    assert parts.flips == float(((a0 > 0) != (a1 > 0)).sum()) / len(DATA.x) > 0
    assert parts.even > 0 and parts.odd > 0
    assert parts.random > 0 and parts.coherent == math.sqrt(max(parts.excess, 0.0))


def test_replay_reproduces_training_and_the_mirror_steps_the_other_way():
    model0 = _net(128, 4)
    trained = copy.deepcopy(model0).requires_grad_(True)
    residuals = _train(trained, DATA.x, DATA.y, LR, 30)
    again = copy.deepcopy(model0).requires_grad_(True)
    _replay(again, DATA.x, residuals, LR)
    for p, q in zip(trained.parameters(), again.parameters(), strict=True):
        assert torch.equal(p, q)
    one = copy.deepcopy(model0).requires_grad_(True)
    mirror = copy.deepcopy(model0).requires_grad_(True)
    with torch.no_grad():
        mirror.weights[1].neg_()
    _replay(one, DATA.x, residuals[:1], LR)
    _replay(mirror, DATA.x, residuals[:1], LR)
    with torch.no_grad():
        step = one.weights[0] - model0.weights[0]
        back = mirror.weights[0] - model0.weights[0]
    assert torch.allclose(back, -step, rtol=0, atol=1e-15)
    assert float(step.abs().max()) > 1e-4


def test_a_test_input_set_gets_its_own_parts():
    model0 = _net(256, 5)
    on_x, on_test = lt.ntk.activation_flip_parts(model0, DATA.x, DATA.y, lr=LR, steps=50,
                                                 probes=(DATA.x, DATA.x_test))
    (alone,) = lt.ntk.activation_flip_parts(model0, DATA.x, DATA.y, lr=LR, steps=50)
    assert on_x == alone and on_test != alone


def test_bad_input_is_named():
    net = _net(16, 0)
    call = lt.ntk.activation_flip_parts
    with pytest.raises(TypeError, match="'model0'"):
        call(torch.nn.Linear(2, 1), DATA.x, DATA.y, lr=LR, steps=1)
    for bad in (_net(16, 0, depth=2), _net(16, 0, activation="erf")):
        with pytest.raises(ValueError, match="'model0'.*one hidden layer"):
            call(bad, DATA.x, DATA.y, lr=LR, steps=1)
    with pytest.raises(ValueError, match="'lr'"):
        call(net, DATA.x, DATA.y, lr=0.0, steps=1)
    with pytest.raises(ValueError, match="'steps'"):
        call(net, DATA.x, DATA.y, lr=LR, steps=0)
    with pytest.raises(ValueError, match="'y'"):
        call(net, DATA.x, DATA.y[:5], lr=LR, steps=1)
    with pytest.raises(ValueError, match="'probes'"):
        call(net, DATA.x, DATA.y, lr=LR, steps=1, probes=())
    with pytest.raises(ValueError, match="'probes'"):
        call(net, DATA.x, DATA.y, lr=LR, steps=1, probes=(torch.zeros(3, 5,
                                                                      dtype=torch.float64),))


# --- the rates (book: ntk-flip-parts) -------------------------------------------------
# One-hidden-layer ReLU networks as on the page (sigma_w = sqrt 2, sigma_b = 0.1, the 12
# training points, 200 steps at 1/lambda_max), widths 1024 to 16384, 16 networks each;
# probed on the training inputs and half-way between them. Every tolerance is 4 standard
# errors of the quantity's mean over the 16 networks, computed from their spread (a
# two-sided 4-sigma band is missed by chance with probability 6e-5). Reported run (32
# networks, widths 1024 to 65536): half-way flip part slope -0.757 +- 0.012, excess /
# random^2 within 1 SE of 0; training inputs excess / random^2 = 0.18, 0.28, 0.42, 0.60
# (each > 4 SE), odd part slope -0.725 +- 0.012. (The training inputs' flip part falls
# more slowly, -0.672 +- 0.011 there, but over 1024 to 16384 on 16 networks the gap to
# -3/4 is under 4 SE, so it is not asserted.)

RATE_WIDTHS = [1024, 4096, 16384]
RATE_SEEDS = 16


@pytest.fixture(scope="module")
def rate_sweep():
    half = DATA.gamma + math.pi / len(DATA.x)
    x_mid = torch.stack([half.cos(), half.sin()], 1)
    cfg = lt.ntk.MLPConfig(depth=1, sigma_w=SW, sigma_b=SB)
    return lt.ntk.flip_sweep(DATA.x, DATA.y, config=cfg, widths=RATE_WIDTHS,
                             n_seeds=RATE_SEEDS, lr=LR, steps=200, probes=(DATA.x, x_mid),
                             generator=lt.make_generator(2024))


def _mean_se(values: torch.Tensor) -> tuple[float, float]:
    return float(values.mean()), float(values.std()) / math.sqrt(values.numel())


@pytest.mark.slow
def test_off_the_training_inputs_the_flips_are_a_random_walk(rate_sweep):
    slope, se = _mean_se(rate_sweep.slopes("flip", 1))
    assert abs(slope + 0.75) < 4 * se, (slope, se)
    ratio = rate_sweep.get("excess", 1) / rate_sweep.get("random", 1) ** 2
    for row in ratio:
        mean, se = _mean_se(row)
        assert abs(mean) < 4 * se, (mean, se)


@pytest.mark.slow
def test_on_the_training_inputs_the_flips_have_a_coherent_part(rate_sweep):
    ratio = rate_sweep.get("excess", 0) / rate_sweep.get("random", 0) ** 2
    mean, se = _mean_se(ratio[-1])
    assert mean > 4 * se, (mean, se)
    # the odd part has no mean: it stays a random walk
    slope, se = _mean_se(rate_sweep.slopes("odd", 0))
    assert abs(slope + 0.75) < 4 * se, (slope, se)


@pytest.mark.long
def test_the_coherent_part_falls_like_one_over_root_width():
    """Widths 4096 and 65536, 32 networks each: the slope of the coherent part (square root
    of the mean excess) is within 4 standard errors of -1/2 and more than 4 from the random
    walk's -3/4. Its standard error is the delta method's, sqrt(se_1^2 + se_2^2) / ln 16
    with se_i = SE(mean excess) / (2 mean excess) at each width (reported run: -0.522;
    SE about 0.04)."""
    cfg = lt.ntk.MLPConfig(depth=1, sigma_w=SW, sigma_b=SB)
    sweep = lt.ntk.flip_sweep(DATA.x, DATA.y, config=cfg, widths=[4096, 65536],
                              n_seeds=32, lr=LR, steps=200, generator=lt.make_generator(7))
    mean, se = zip(*(_mean_se(row) for row in sweep.get("excess")), strict=True)
    assert min(mean) > 0, mean
    slope = 0.5 * math.log(mean[1] / mean[0]) / math.log(16)
    err = math.hypot(*(s / (2 * m) for m, s in zip(mean, se, strict=True))) / math.log(16)
    assert abs(slope + 0.5) < 4 * err, (slope, err)
    assert abs(slope + 0.75) > 4 * err, (slope, err)
