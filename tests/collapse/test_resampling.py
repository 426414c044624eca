"""Recursive KDE and the bootstrap loop (learntheory.collapse.resampling).

* A replay of the generator: each generation is the literal draw (a uniformly chosen point
  plus h z), and ancestors follow the chosen indices (exact, integer and float64 equality
  up to one rounding of data + h z).
* Exact laws against Monte Carlo over 2e4 independent chains (assert_close_mc, 5 standard
  errors, sample std): the variance recursion E v_{g+1} = (1 - 1/M)(E v_g + h^2), the
  coalescence probability 1 - (1 - 1/M)^g, the expected number of ancestors.
* The ancestor law against hand-computed cases: M = 2 gives 1 + 2^-g, and one generation
  gives M (1 - (1 - 1/M)^M).
"""

from __future__ import annotations

import math

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

CHAINS = 20_000


def test_the_loop_is_the_literal_resampling():
    m, chains, h = 6, 3, 0.3
    cfg = lt.collapse.KDELoop(m, bandwidth=h, initial="gaussian")
    states = []
    lt.collapse.simulate(cfg, 3, n_chains=chains, dtype=torch.float64,
                         generator=lt.make_generator(2),
                         callback=lambda g, s: states.append(s))
    g = lt.make_generator(2)
    data = torch.randn(chains, m, generator=g, dtype=torch.float64)
    anc = torch.arange(m).expand(chains, m)
    for state in states:
        idx = torch.randint(m, (chains, m), generator=g)
        z = torch.randn(chains, m, 1, generator=g, dtype=torch.float64)[:, :, 0]
        data = torch.gather(data, 1, idx) + h * z
        anc = torch.gather(anc, 1, idx)
        assert torch.allclose(state.data, data, rtol=0, atol=1e-15)
        assert torch.equal(state.ancestors, anc)


@pytest.mark.parametrize("h", [0.0, 0.25])
def test_variance_and_ancestry_against_the_exact_laws(h, device):
    m, n = 30, 25
    cfg = lt.collapse.KDELoop(m, bandwidth=h, initial="laplace")
    hist = lt.collapse.simulate(cfg, n, n_chains=CHAINS, dtype=torch.float64, device=device,
                                generator=lt.make_generator(0, device))
    for name, law in (("var", lt.collapse.kde_loop_variance(cfg, n)),
                      ("coalesced", lt.collapse.coalescence_probability(m, n)),
                      ("ancestors", lt.collapse.expected_ancestors(m, n))):
        v = hist[name][1:].cpu()
        assert_close_mc(v.mean(1), law[1:], v.std(1), CHAINS)
    assert_close_mc(hist["var"][0].cpu().mean(), torch.tensor(1 - 1 / m, dtype=torch.float64),
                    hist["var"][0].cpu().std(), CHAINS)


def test_ancestor_law_in_hand_computed_cases():
    two = lt.collapse.expected_ancestors(2, 6)
    assert torch.allclose(two, 1 + 0.5 ** torch.arange(7.0, dtype=torch.float64))
    for m in (3, 10, 50):
        one = float(lt.collapse.expected_ancestors(m, 1)[1])
        assert one == pytest.approx(m * (1 - (1 - 1 / m) ** m), rel=1e-12)
    decay = lt.collapse.expected_ancestors(20, 400)
    assert bool((decay[1:] <= decay[:-1]).all()) and float(decay[-1]) < 1.01


def test_variance_law_fixed_point_and_silverman():
    cfg = lt.collapse.KDELoop(11, bandwidth=0.5)
    law = lt.collapse.kde_loop_variance(cfg, 2000)
    assert float(law[-1]) == pytest.approx(10 * 0.25, rel=1e-9)
    assert float(law[0]) == pytest.approx(10 / 11)
    with pytest.raises(ValueError, match="silverman"):
        lt.collapse.kde_loop_variance(lt.collapse.KDELoop(11, bandwidth="silverman"), 3)
    hist = lt.collapse.simulate(lt.collapse.KDELoop(40, bandwidth="silverman"), 5,
                                n_chains=50, dtype=torch.float64, generator=lt.make_generator(1))
    assert bool(torch.isfinite(hist["var"]).all())


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="n_samples"):
        lt.collapse.KDELoop(1)
    with pytest.raises(ValueError, match="bandwidth"):
        lt.collapse.KDELoop(5, bandwidth=-0.1)
    with pytest.raises(ValueError, match="bandwidth"):
        lt.collapse.KDELoop(5, bandwidth="scott")
    with pytest.raises(ValueError, match="initial"):
        lt.collapse.KDELoop(5, initial="cauchy")
    with pytest.raises(ValueError, match="n_samples"):
        lt.collapse.coalescence_probability(1, 3)
    assert math.isclose(float(lt.collapse.coalescence_probability(4, 1)[1]), 0.25)
