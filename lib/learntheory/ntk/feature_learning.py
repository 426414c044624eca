r"""Where the kernel picture breaks: hidden features that move (muP) or do not (NTK).

Under NTK parameterization the relative change of the hidden features during
training vanishes like :math:`n^{-1/2}` (the lazy regime); under the
maximal-update parameterization (muP, [YangHu2021]) it stays of order one at
every width: the network learns features, which no fixed kernel can describe.
:func:`feature_change_sweep` measures both on the same data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from learntheory._core import (
    check_choice,
    check_instance,
    check_int,
    check_points,
    check_positive,
    check_targets,
)
from learntheory.ntk.config import PARAMETERIZATIONS, MLPConfig
from learntheory.ntk.mlp import make_mlp
from learntheory.ntk.training import train_mlp

__all__ = ["FeatureSweep", "feature_change_sweep"]


@dataclass(frozen=True)
class FeatureSweep:
    """Feature movement per parameterization, width, seed and hidden layer.

    Attributes
    ----------
    parameterizations : list of str
    widths : list of int
    feature_change : torch.Tensor, shape (P, W, S, L)
        Relative change of each hidden layer's post-activations on the training
        inputs between init and the end of training.
    final_loss : torch.Tensor, shape (P, W, S)
        Training loss at the end (to check that every run trained).
    """

    parameterizations: list[str]
    widths: list[int]
    feature_change: torch.Tensor
    final_loss: torch.Tensor


def feature_change_sweep(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    config: MLPConfig,
    learning_rates: Mapping[str, float],
    widths: Sequence[int],
    steps: int,
    n_seeds: int,
    generator: torch.Generator | None = None,
) -> FeatureSweep:
    r"""Train MLPs of several widths in several parameterizations; record how far features move.

    Parameters
    ----------
    x, y : torch.Tensor, shapes (N, d) and (N,)
    config : MLPConfig
        The network; its width and parameterization are replaced by each of
        ``widths`` and each key of ``learning_rates``.
    learning_rates : mapping of str to float
        One global learning rate per parameterization (``"ntk"``, ``"standard"``,
        ``"mup"``), held fixed across widths, as muP prescribes.
    widths : sequence of int
    steps, n_seeds : int
    generator : torch.Generator, optional

    Returns
    -------
    FeatureSweep

    Notes
    -----
    The feature change of layer :math:`\ell` is
    :math:`\lVert A^\ell_T - A^\ell_0\rVert_F / \lVert A^\ell_0\rVert_F` on the
    training inputs (:func:`~learntheory.ntk.dynamics.relative_feature_change`).
    Implements the feature-learning dichotomy of [YangHu2021] (NTK vs
    muP limits); book: ``eq-mup``.
    """
    owner = "feature_change_sweep"
    check_points(x, "x", owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    check_targets(y, "y", n=x.shape[0], owner=owner, like=x)
    depth = config.depth
    steps = check_int(steps, "steps", owner=owner)
    seeds = check_int(n_seeds, "n_seeds", owner=owner)
    params = list(learning_rates)
    for p in params:
        check_choice(p, "learning_rates", PARAMETERIZATIONS, owner=owner)
        check_positive(learning_rates[p], "learning_rates", owner=owner)
    change = torch.empty(len(params), len(widths), seeds, depth, dtype=torch.float64)
    loss = torch.empty(len(params), len(widths), seeds, dtype=torch.float64)
    for i, p in enumerate(params):
        for j, w in enumerate(widths):
            for s in range(seeds):
                net = make_mlp(x.shape[1], config=config.replace(width=w, parameterization=p),
                               device=x.device, dtype=x.dtype, generator=generator)
                hist = train_mlp(net, x, y, lr=learning_rates[p], steps=steps,
                                 record_every=steps, record_ntk=False)
                change[i, j, s] = hist.feature_change[-1].cpu()
                loss[i, j, s] = float(hist.loss[-1])
    return FeatureSweep(params, list(widths), change, loss)
