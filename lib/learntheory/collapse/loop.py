r"""The generation loop shared by every collapse simulator.

A simulator is a frozen configuration with two methods and a state with one:

* ``config.initial_state(n_chains, *, generator, device, dtype) -> state``: generation 0
  for ``n_chains`` independent chains, batched along the first axis of every tensor;
* ``config.step(state, *, generator) -> state``: one generation, pure (the input state
  is not modified), for all chains at once;
* ``state.observe() -> dict[str, Tensor]``: the quantities recorded per generation, each
  of shape ``(n_chains, ...)``.

:func:`simulate` runs the loop and stacks the observations into a :class:`History`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from learntheory._core import check_int, resolve_factory

__all__ = ["History", "Simulator", "simulate"]


class Simulator(Protocol):
    """What :func:`simulate` needs of a configuration."""

    def initial_state(self, n_chains: int, *, generator: torch.Generator | None,
                      device: torch.device, dtype: torch.dtype) -> Any: ...

    def step(self, state: Any, *, generator: torch.Generator | None) -> Any: ...


@dataclass(frozen=True)
class History:
    """Observations of a simulation, stacked over generations.

    Attributes
    ----------
    config : object
        The configuration that was simulated.
    values : Mapping[str, torch.Tensor]
        Each of shape ``(n_generations + 1, n_chains, ...)``; row ``g`` is generation
        ``g`` (row 0 the initial state).
    """

    config: Any
    values: Mapping[str, torch.Tensor]

    def __getitem__(self, name: str) -> torch.Tensor:
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"No observation {name!r}; recorded: {sorted(self.values)}.") from None

    @property
    def n_generations(self) -> int:
        return next(iter(self.values.values())).shape[0] - 1

    @property
    def n_chains(self) -> int:
        return next(iter(self.values.values())).shape[1]

    def until(self, generation: int) -> History:
        """The observations of generations ``0..generation`` only."""
        generation = check_int(generation, "generation", owner="History.until", minimum=0)
        if generation > self.n_generations:
            raise ValueError(f"The 'generation' parameter of History.until must be at most "
                             f"{self.n_generations}. Got {generation}.")
        return History(config=self.config,
                       values={k: v[: generation + 1] for k, v in self.values.items()})

    @property
    def generations(self) -> torch.Tensor:
        """``0, 1, ..., n_generations`` (int64, on the observations' device)."""
        first = next(iter(self.values.values()))
        return torch.arange(first.shape[0], device=first.device)


def simulate(
    config: Simulator,
    n_generations: int,
    *,
    n_chains: int = 1,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    callback: Callable[[int, Any], None] | None = None,
) -> History:
    """Run ``n_generations`` steps of ``config`` on ``n_chains`` independent chains.

    Parameters
    ----------
    config : Simulator
        A collapse configuration (e.g. :class:`~learntheory.collapse.GaussianLoop`).
    n_generations : int
        Number of refits after the initial model (>= 0).
    n_chains : int
        Independent chains, simulated as one batch.
    generator : torch.Generator, optional
        All randomness; the device defaults to the generator's.
    device, dtype : optional
        Where and in which floating dtype the chains live.
    callback : callable, optional
        Called as ``callback(g, state)`` after generation ``g`` (1-based) is computed.

    Returns
    -------
    History
        The observations of generations ``0..n_generations``.
    """
    owner = "simulate"
    n_generations = check_int(n_generations, "n_generations", owner=owner, minimum=0)
    n_chains = check_int(n_chains, "n_chains", owner=owner)
    for method in ("initial_state", "step"):
        if not callable(getattr(config, method, None)):
            raise TypeError(f"The 'config' parameter of {owner} must be a collapse simulator "
                            f"(with .{method}). Got {type(config).__name__} instead.")
    device, dtype = resolve_factory(device, dtype, generator)
    state = config.initial_state(n_chains, generator=generator, device=device, dtype=dtype)
    records = [state.observe()]
    for g in range(1, n_generations + 1):
        state = config.step(state, generator=generator)
        records.append(state.observe())
        if callback is not None:
            callback(g, state)
    values = {k: torch.stack([r[k] for r in records]) for k in records[0]}
    return History(config=config, values=values)
