r"""Where the empirical NTK moves during training: the readout against the hidden layers.

The change :math:`\hat\Theta_T - \hat\Theta_0` of a trained MLP splits exactly into the part
due to the readout layer alone (hidden parameters kept at their initial values), the part
due to the hidden layers alone (readout kept at its initial values), and their cross term:

.. math::

    \Delta\hat\Theta = \underbrace{\hat\Theta(\theta^{\rm h}_0, \theta^{\rm r}_T) -
    \hat\Theta_0}_{\text{readout}} + \underbrace{\hat\Theta(\theta^{\rm h}_T,
    \theta^{\rm r}_0) - \hat\Theta_0}_{\text{hidden}} + \text{cross}.

For one hidden layer (book: ``eq-ntk-one-layer``) the readout part is
:math:`\frac{\sigma_w^2}{n}\sum_j (v_{j,T}^2 - v_{j,0}^2)\,\phi'_j(x)\phi'_j(x')k_0(x, x')`,
smooth in the weights for any activation, while the hidden part contains the ReLU's
activation flips. :func:`kernel_change_parts` measures each part's size, so that the rates
of the lazy-training page can be told apart (book: ``ntk-kernel-change-parts``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_points
from learntheory.ntk.empirical import empirical_ntk
from learntheory.ntk.mlp import MLP

__all__ = ["KernelChangeParts", "kernel_change_parts"]


@dataclass(frozen=True)
class KernelChangeParts:
    """Relative Frobenius sizes of the parts of the NTK change, each divided by
    :math:`\\lVert\\hat\\Theta_0\\rVert_F`.

    Attributes
    ----------
    total, readout, hidden, cross : float
        ``total`` is the whole change; ``readout + hidden + cross`` is it as matrices.
    """

    total: float
    readout: float
    hidden: float
    cross: float


def _hybrid(hidden_from: MLP, readout_from: MLP) -> MLP:
    out = copy.deepcopy(hidden_from)
    with torch.no_grad():
        out.weights[-1].copy_(readout_from.weights[-1])
        if out.has_bias:
            out.biases[-1].copy_(readout_from.biases[-1])
    return out


def kernel_change_parts(model0: MLP, model: MLP, x: torch.Tensor) -> KernelChangeParts:
    r"""Split the NTK change between two networks into readout, hidden and cross parts.

    Parameters
    ----------
    model0 : MLP
        The network at initialisation.
    model : MLP
        The same network after training (same architecture).
    x : torch.Tensor, shape (N, d)
        Inputs on which the kernels are compared.

    Returns
    -------
    KernelChangeParts

    Raises
    ------
    TypeError, ValueError
        Naming 'model0', 'model' (not MLPs, or different architectures) or 'x'.

    Notes
    -----
    Exact decomposition of the kernel change of [Jacot2018]'s empirical NTK (book:
    ``ntk-kernel-change-parts``); the hybrid networks are evaluated with
    :func:`~learntheory.ntk.empirical_ntk`.
    """
    owner = "kernel_change_parts"
    check_instance(model0, "model0", MLP, owner=owner)
    check_instance(model, "model", MLP, owner=owner)
    if model0.widths != model.widths or model0.activation != model.activation:
        raise ValueError(f"The 'model' parameter of {owner} must have the architecture of "
                         f"'model0' (widths {model0.widths}, {model0.activation}). Got "
                         f"{model.widths}, {model.activation}.")
    check_points(x, "x", owner=owner, features=model0.widths[0])
    with torch.no_grad():
        t0 = empirical_ntk(model0, x)
        total = empirical_ntk(model, x) - t0
        readout = empirical_ntk(_hybrid(model0, model), x) - t0
        hidden = empirical_ntk(_hybrid(model, model0), x) - t0
    norm = float(t0.norm())
    return KernelChangeParts(float(total.norm()) / norm, float(readout.norm()) / norm,
                             float(hidden.norm()) / norm,
                             float((total - readout - hidden).norm()) / norm)
