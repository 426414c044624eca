r"""Training the finite network: full-batch gradient descent with a recorder.

:func:`train_mlp` runs plain full-batch gradient descent on the squared loss
and records, at chosen steps, what the kernel picture predicts and where it
breaks: the predictions, the loss, the relative parameter change, each hidden
layer's feature change and, on request (``record_ntk=True``, an N x N kernel per
record), the empirical NTK and its relative change. The closed-form kernel
dynamics it is compared with live in :mod:`learntheory.ntk.dynamics`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from learntheory._core import check_choice, check_int, check_points, check_positive, check_targets
from learntheory.ntk.dynamics import LOSSES
from learntheory.ntk.empirical import NTK_METHODS, empirical_ntk
from learntheory.ntk.mlp import MLP, check_mlp_input

__all__ = ["TrainHistory", "relative_feature_change", "train_mlp"]


@dataclass(frozen=True)
class TrainHistory:
    """What :func:`train_mlp` records, stacked over the R recorded steps.

    Attributes
    ----------
    steps : torch.Tensor, shape (R,), int64
        GD step of each record (0, ``record_every``, ..., ``steps``).
    loss : torch.Tensor, shape (R,)
        Training loss (sum or mean convention, as trained).
    train_pred : torch.Tensor, shape (R, N, O)
    test_pred : torch.Tensor or None, shape (R, M, O)
    ntk : torch.Tensor or None, shape (R, N, N)
        Empirical NTK (``output="trace"``) on the training inputs.
    kernel_change : torch.Tensor or None, shape (R,)
        :math:`\\lVert\\hat\\Theta_t-\\hat\\Theta_0\\rVert_F/\\lVert\\hat\\Theta_0\\rVert_F`.
    weight_change : torch.Tensor, shape (R,)
        :math:`\\lVert\\theta_t-\\theta_0\\rVert/\\lVert\\theta_0\\rVert` over all parameters.
    feature_change : torch.Tensor or None, shape (R, L)
        Relative change of each hidden layer's post-activations on the training
        inputs (:func:`relative_feature_change`); ``None`` for non-MLP models.
    """

    steps: torch.Tensor
    loss: torch.Tensor
    train_pred: torch.Tensor
    test_pred: torch.Tensor | None
    ntk: torch.Tensor | None
    kernel_change: torch.Tensor | None
    weight_change: torch.Tensor
    feature_change: torch.Tensor | None


def relative_feature_change(
    model_init: MLP, model: MLP, x: torch.Tensor
) -> torch.Tensor:
    r"""Relative movement of the hidden features between two networks.

    Parameters
    ----------
    model_init, model : MLP
        The network at init and after training (same architecture).
    x : torch.Tensor, shape (n, d)

    Returns
    -------
    torch.Tensor, shape (L,)
        :math:`\lVert A^\ell_{\rm after}-A^\ell_{\rm init}\rVert_F/\lVert A^\ell_{\rm init}\rVert_F`
        for each hidden layer (post-activations), on ``x``'s device and dtype.

    Raises
    ------
    TypeError, ValueError
        If either model is not an :class:`MLP`, the widths differ, or ``x`` is invalid.

    Notes
    -----
    :math:`O(n^{-1/2})` in NTK parameterization (lazy training), :math:`\Theta(1)`
    in muP ([YangHu2021], the dichotomy theorem); book: ``eq-mup``.
    """
    owner = "relative_feature_change"
    for name, m in (("model_init", model_init), ("model", model)):
        if not isinstance(m, MLP):
            raise TypeError(f"The '{name}' parameter of {owner} must be a learntheory.ntk.MLP. "
                            f"Got {type(m).__name__} instead.")
    if model_init.widths != model.widths:
        raise ValueError(f"The 'model' parameter of {owner} must have the widths of model_init "
                         f"{model_init.widths}. Got {model.widths} instead.")
    check_mlp_input(model_init, x, "x", owner)
    with torch.no_grad():
        before, after = model_init.features(x), model.features(x)
        return torch.stack([(b - a).norm() / a.norm() for a, b in zip(before, after, strict=True)])


def train_mlp(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    lr: float,
    steps: int,
    loss: str = "sum",
    record_every: int = 1,
    x_test: torch.Tensor | None = None,
    ntk_method: str | None = None,
    record_ntk: bool = False,
    callback: Callable[[int, torch.Tensor], None] | None = None,
) -> TrainHistory:
    r"""Train ``model`` in place by full-batch gradient descent on the MSE loss.

    Parameters
    ----------
    model : nn.Module
        Maps ``(n, d)`` to ``(n, O)``; usually an :class:`MLP`.
    x : torch.Tensor, shape (N, d)
    y : torch.Tensor, shape (N,) or (N, O)
    lr : float
        Step size :math:`\eta > 0`, the same for every raw parameter (the
        parameterization's multipliers set the per-layer effective rates).
    steps : int
        Number of GD steps (>= 0).
    loss : {"sum", "mean"}
        :math:`\tfrac12\sum_i\lVert f(x_i)-y_i\rVert^2`, or that divided by N.
    record_every : int
        Record every this many steps (the last step is always recorded).
    x_test : torch.Tensor, shape (M, d), optional
    ntk_method : str, optional
        Method for the NTK snapshots (see :func:`empirical_ntk`).
    record_ntk : bool
        Whether to record NTK snapshots and the relative kernel change (default
        ``False``: an N x N kernel at every record costs memory and time).
    callback : callable, optional
        Called as ``callback(step, loss)`` at each record (progress, logging).

    Returns
    -------
    TrainHistory

    Raises
    ------
    TypeError, ValueError
        Naming the parameter for a non-module model, invalid inputs or shapes,
        ``lr <= 0``, negative ``steps``, an unknown ``loss`` or ``ntk_method``.

    Notes
    -----
    Each step is :math:`\theta \leftarrow \theta - \eta\nabla_\theta\mathcal L(\theta)`.
    For small :math:`\eta` and large width the train predictions follow
    :func:`gradient_flow_predict` with ``discrete=True`` and the kernel at init
    ([Lee2019], main theorem); book: ``eq-gradient-flow``. A diverging run records
    inf/NaN rather than stopping.
    """
    owner = "train_mlp"
    if not isinstance(model, nn.Module):
        raise TypeError(f"The 'model' parameter of {owner} must be a torch.nn.Module. "
                        f"Got {type(model).__name__} instead.")
    check_points(x, "x", owner=owner)
    n = x.shape[0]
    y = check_targets(y, "y", n=n, owner=owner, like=x)
    if x_test is not None:
        check_points(x_test, "x_test", owner=owner, features=x.shape[-1])
    eta = check_positive(lr, "lr", owner=owner)
    steps = check_int(steps, "steps", owner=owner, minimum=0)
    record_every = check_int(record_every, "record_every", owner=owner)
    check_choice(loss, "loss", LOSSES, owner=owner)
    if ntk_method is not None:
        check_choice(ntk_method, "ntk_method", NTK_METHODS, owner=owner)
    params = [p for p in model.parameters() if p.requires_grad]
    theta0 = torch.cat([p.detach().reshape(-1) for p in params]).clone()
    init_model = _snapshot(model) if isinstance(model, MLP) else None
    scale = 0.5 if loss == "sum" else 0.5 / n
    y2 = y.reshape(n, -1)

    rec: dict[str, list[torch.Tensor]] = {k: [] for k in
                                          ("steps", "loss", "train", "test", "ntk", "w", "feat")}
    for step in range(steps + 1):
        out = model(x).reshape(n, -1)
        value = scale * ((out - y2) ** 2).sum()
        if step % record_every == 0 or step == steps:
            with torch.no_grad():
                rec["steps"].append(torch.tensor(step))
                rec["loss"].append(value.detach())
                rec["train"].append(out.detach().clone())
                if x_test is not None:
                    rec["test"].append(model(x_test).reshape(x_test.shape[0], -1).detach())
                flat = torch.cat([p.detach().reshape(-1) for p in params])
                rec["w"].append((flat - theta0).norm() / theta0.norm())
                if init_model is not None:
                    rec["feat"].append(relative_feature_change(init_model, model, x))
            if record_ntk:
                rec["ntk"].append(empirical_ntk(model, x, method=ntk_method))
            if callback is not None:
                callback(step, value.detach())
        if step == steps:
            break
        grads = torch.autograd.grad(value, params)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p.sub_(eta * g)

    ntk = torch.stack(rec["ntk"]) if record_ntk else None
    change = None
    if ntk is not None:
        change = (ntk - ntk[0]).flatten(1).norm(dim=1) / ntk[0].norm()
    return TrainHistory(
        steps=torch.stack(rec["steps"]),
        loss=torch.stack(rec["loss"]),
        train_pred=torch.stack(rec["train"]),
        test_pred=torch.stack(rec["test"]) if x_test is not None else None,
        ntk=ntk,
        kernel_change=change,
        weight_change=torch.stack(rec["w"]),
        feature_change=torch.stack(rec["feat"]) if init_model is not None else None,
    )


def _snapshot(model: MLP) -> MLP:
    """A detached copy of ``model`` (its parameters at init)."""
    return copy.deepcopy(model).requires_grad_(False)
