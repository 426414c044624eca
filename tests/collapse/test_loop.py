"""The generation loop (learntheory.collapse.loop): stacking, callbacks, slicing, errors."""

from __future__ import annotations

import pytest
import torch

import learntheory as lt


def test_simulate_stacks_every_generation_and_calls_back():
    seen = []
    cfg = lt.collapse.GaussianLoop(5)
    hist = lt.collapse.simulate(cfg, 4, n_chains=3, dtype=torch.float64,
                                generator=lt.make_generator(0),
                                callback=lambda g, s: seen.append((g, s.generation)))
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
    assert hist.n_generations == 4 and hist.n_chains == 3 and hist.config is cfg
    assert hist["var"].shape == (5, 3) and hist["var"].dtype == torch.float64
    assert torch.equal(hist.generations, torch.arange(5))
    assert torch.all(hist["var"][0] == 1.0)
    part = hist.until(2)
    assert part.n_generations == 2 and torch.equal(part["mean"], hist["mean"][:3])
    again = lt.collapse.simulate(cfg, 4, n_chains=3, dtype=torch.float64,
                                 generator=lt.make_generator(0))
    assert torch.equal(again["var"], hist["var"])  # all randomness from the generator


def test_zero_generations_and_errors():
    hist = lt.collapse.simulate(lt.collapse.GaussianLoop(5), 0, n_chains=2)
    assert hist.n_generations == 0
    with pytest.raises(ValueError, match="n_generations"):
        lt.collapse.simulate(lt.collapse.GaussianLoop(5), -1)
    with pytest.raises(ValueError, match="n_chains"):
        lt.collapse.simulate(lt.collapse.GaussianLoop(5), 2, n_chains=0)
    with pytest.raises(TypeError, match="config"):
        lt.collapse.simulate(object(), 2)
    with pytest.raises(KeyError, match="recorded"):
        hist["risk"]
    with pytest.raises(ValueError, match="generation"):
        hist.until(3)
