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

from learntheory._core import check_choice, check_int, check_points, check_positive
from learntheory.ntk.dynamics import train_mlp
from learntheory.ntk.mlp import PARAMETERIZATIONS, make_mlp

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
    learning_rates: Mapping[str, float],
    widths: Sequence[int],
    depth: int,
    steps: int,
    n_seeds: int,
    sigma_w: float = 2**0.5,
    sigma_b: float = 0.1,
    generator: torch.Generator | None = None,
) -> FeatureSweep:
    r"""Train MLPs of several widths in several parameterizations; record how far features move.

    Parameters
    ----------
    x, y : torch.Tensor, shapes (N, d) and (N,)
    learning_rates : mapping of str to float
        One global learning rate per parameterization (``"ntk"``, ``"standard"``,
        ``"mup"``), held fixed across widths, as muP prescribes.
    widths : sequence of int
    depth, steps, n_seeds : int
    sigma_w, sigma_b : float
    generator : torch.Generator, optional

    Returns
    -------
    FeatureSweep

    Notes
    -----
    The feature change of layer :math:`\ell` is
    :math:`\lVert A^\ell_T - A^\ell_0\rVert_F / \lVert A^\ell_0\rVert_F` on the
    training inputs (:func:`~learntheory.ntk.dynamics.relative_feature_change`).
    Implements the feature-learning dichotomy of [YangHu2021], Sec. 3 (NTK vs
    muP limits); book: ``eq-mup``.
    """
    owner = "feature_change_sweep"
    check_points(x, "x", owner=owner)
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
                net = make_mlp(x.shape[1], w, depth, parameterization=p, sigma_w=sigma_w,
                               sigma_b=sigma_b, device=x.device, dtype=x.dtype,
                               generator=generator)
                hist = train_mlp(net, x, y, lr=learning_rates[p], steps=steps,
                                 record_every=steps, record_ntk=False)
                change[i, j, s] = hist.feature_change[-1].cpu()
                loss[i, j, s] = float(hist.loss[-1])
    return FeatureSweep(params, list(widths), change, loss)
