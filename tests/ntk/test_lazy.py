"""Lazy regime: the closed form is exact for the linearised model, and the network approaches it.

* At step 0 the network and the prediction coincide exactly (both are f_0), so the
  first record must agree to the float64 floor.
* The mismatch, kernel change and weight change all shrink with width; between widths
  32 and 2048 theory gives a factor sqrt(64) = 8 for the n^-1/2 quantities. We demand 2,
  a margin for seed noise at 2 seeds (the per-seed spread measured here is ~30 %).
"""

import math

import pytest
import torch

import learntheory as lt

GAMMA = torch.linspace(-math.pi, math.pi, 9, dtype=torch.float64)[:-1]
X = torch.stack([GAMMA.cos(), GAMMA.sin()], dim=1)
Y = torch.sin(2 * GAMMA)
XT = torch.stack([torch.linspace(-3, 3, 13).cos(), torch.linspace(-3, 3, 13).sin()],
                 dim=1).double()


def _lr():
    return 1.0 / float(torch.linalg.eigvalsh(lt.ntk.mlp_ntk(X, depth=1, sigma_w=2**0.5,
                                                              sigma_b=0.1))[-1])


def test_start_agrees_exactly_and_shapes():
    run = lt.ntk.lazy_run(X, Y, XT, width=64, depth=1, lr=_lr(), steps=20, record_every=5,
                          generator=lt.make_generator(0))
    assert run.net_test.shape == run.flow_test.shape == (5, 13)
    assert run.net_train.shape == run.flow_train.shape == (5, 8)
    torch.testing.assert_close(run.net_test[0], run.flow_test[0], rtol=0, atol=1e-12)
    torch.testing.assert_close(run.net_train[0], run.flow_train[0], rtol=0, atol=1e-12)


@pytest.mark.slow
def test_wider_networks_are_lazier():
    sweep = lt.ntk.lazy_training_sweep(X, Y, XT, widths=[32, 2048], n_seeds=2, depth=1,
                                       lr=_lr(), steps=100, generator=lt.make_generator(1))
    for name in ("kernel_change", "weight_change", "mismatch"):
        values = getattr(sweep, name).mean(1)
        assert values[0] > 2 * values[1], (name, values)


def test_bad_inputs():
    with pytest.raises(ValueError, match="'x_test' parameter of lazy_run must have feature"):
        lt.ntk.lazy_run(X, Y, XT[:, :1], width=4, depth=1, lr=0.1, steps=2)
    with pytest.raises(ValueError, match="'lr' parameter of lazy_run must be > 0"):
        lt.ntk.lazy_run(X, Y, XT, width=4, depth=1, lr=0.0, steps=2)
