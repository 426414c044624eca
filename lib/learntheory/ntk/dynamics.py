r"""Training dynamics: closed-form kernel gradient flow and the real network's GD.

For the **sum** loss :math:`\tfrac12\sum_i\lVert f(x_i)-y_i\rVert^2`, gradient
flow :math:`\dot\theta = -\eta\nabla_\theta\mathcal L` on the linearised model
with a fixed kernel :math:`\Theta = \Theta(X, X)` gives ([Lee2019], Sec. 2)

.. math::
    f_t(X) &= f_0(X) + (I - e^{-\eta\Theta t})(Y - f_0(X)),\\
    f_t(x) &= f_0(x) + \Theta(x, X)\,\Theta^{-1}(I - e^{-\eta\Theta t})(Y - f_0(X)).

For the **mean** loss :math:`\tfrac1{2N}\sum_i\lVert f(x_i)-y_i\rVert^2` replace
:math:`\eta` by :math:`\eta/N`. Discrete gradient descent with step :math:`\eta`
replaces :math:`e^{-\eta\lambda t}` by :math:`(1-\eta\lambda)^t` (``t`` steps) and
is exact for the linearised model. :func:`train_mlp` runs plain full-batch GD on
the real network and records what the kernel picture predicts and where it
breaks (kernel change, feature change).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from learntheory._core import check_choice, check_int, check_points, check_positive
from learntheory.ntk.empirical import NTK_METHODS, empirical_ntk
from learntheory.ntk.mlp import MLP

__all__ = [
    "FlowPrediction",
    "TrainHistory",
    "gradient_flow_predict",
    "relative_feature_change",
    "train_mlp",
]

LOSSES = ("sum", "mean")


class FlowPrediction(NamedTuple):
    """Predictions of kernel gradient flow; unpacks as ``train, test``.

    Attributes
    ----------
    train : torch.Tensor, shape ([T,] N[, O])
    test : torch.Tensor or None, shape ([T,] M[, O])
    """

    train: torch.Tensor
    test: torch.Tensor | None


def _targets(v, name: str, owner: str, n: int, ref: torch.Tensor) -> torch.Tensor:
    if not isinstance(v, torch.Tensor):
        raise TypeError(f"The '{name}' parameter of {owner} must be a torch.Tensor. "
                        f"Got {type(v).__name__} instead.")
    check_points(v, name, owner=owner, ndim=v.ndim if v.ndim in (1, 2) else 2)
    if v.shape[0] != n:
        raise ValueError(f"The '{name}' parameter of {owner} must have {n} rows (one per point). "
                         f"Got shape {tuple(v.shape)} instead.")
    if v.device != ref.device or v.dtype != ref.dtype:
        raise ValueError(f"The '{name}' parameter of {owner} must be on {ref.device} with dtype "
                         f"{ref.dtype}. Got {v.device}, {v.dtype} instead.")
    return v


def gradient_flow_predict(
    k_train_train: torch.Tensor,
    k_test_train: torch.Tensor | None,
    y_train: torch.Tensor,
    f0_train: torch.Tensor | None = None,
    f0_test: torch.Tensor | None = None,
    *,
    lr: float,
    t: float | torch.Tensor,
    loss: str = "sum",
    discrete: bool = False,
) -> FlowPrediction:
    r"""Closed-form predictions of MSE gradient flow (or GD) with a fixed kernel.

    Parameters
    ----------
    k_train_train : torch.Tensor, shape (N, N)
        :math:`\Theta(X, X)`, symmetric PSD (symmetrised internally).
    k_test_train : torch.Tensor, shape (M, N), optional
        :math:`\Theta(X_*, X)`; ``None`` skips the test predictions.
    y_train : torch.Tensor, shape (N,) or (N, O)
    f0_train : torch.Tensor, shape like ``y_train``, optional
        Network outputs at init on X (default 0, the mean over inits).
    f0_test : torch.Tensor, shape (M,) or (M, O), optional
        Outputs at init on :math:`X_*` (default 0).
    lr : float
        Learning rate :math:`\eta > 0`.
    t : float or torch.Tensor of shape (T,)
        Time (>= 0) for the flow, or the number of steps if ``discrete``.
        A 1-D tensor evaluates all times at once (leading axis T).
    loss : {"sum", "mean"}
        ``"sum"``: :math:`\tfrac12\sum_i` (rate :math:`\eta`); ``"mean"``:
        :math:`\tfrac1{2N}\sum_i` (rate :math:`\eta/N`).
    discrete : bool
        Use the GD filter :math:`1-(1-\eta\lambda)^t` instead of :math:`1-e^{-\eta\lambda t}`.

    Returns
    -------
    FlowPrediction
        ``(train, test)``; ``train`` has the shape of ``y_train`` (with a
        leading T axis if ``t`` is a tensor), ``test`` likewise with M rows or
        ``None``. On the kernel's device and dtype.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter for non-square or non-finite kernels, mismatched
        row counts, ``lr <= 0``, negative ``t``, or an unknown ``loss``.

    Notes
    -----
    Computed in the eigenbasis :math:`\Theta = U\Lambda U^\top`: the test filter
    :math:`\lambda^{-1}(1-e^{-\eta\lambda t})` tends to :math:`\eta t` as
    :math:`\lambda\to0`, so no inverse of an ill-conditioned :math:`\Theta` is
    formed. Implements the linearised MSE dynamics of [Lee2019], Sec. 2, in the
    notation of [Jacot2018], Sec. 5; book: ``eq-gradient-flow``. (Lee et al. use the mean
    loss: their :math:`\eta` is our ``lr`` with ``loss="mean"``.)

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> K = torch.eye(2, dtype=torch.float64)
    >>> y = torch.tensor([1.0, -1.0], dtype=torch.float64)
    >>> lt.ntk.gradient_flow_predict(K, None, y, lr=1.0, t=50.0).train
    tensor([ 1., -1.], dtype=torch.float64)
    """
    owner = "gradient_flow_predict"
    check_points(k_train_train, "k_train_train", owner=owner)
    n = k_train_train.shape[0]
    if k_train_train.shape[1] != n:
        raise ValueError(f"The 'k_train_train' parameter of {owner} must be square (N, N). "
                         f"Got shape {tuple(k_train_train.shape)} instead.")
    ref = k_train_train
    y = _targets(y_train, "y_train", owner, n, ref)
    f0 = torch.zeros_like(y) if f0_train is None else _targets(f0_train, "f0_train", owner, n, ref)
    if f0.shape != y.shape:
        raise ValueError(f"The 'f0_train' parameter of {owner} must have the shape of y_train "
                         f"{tuple(y.shape)}. Got {tuple(f0.shape)} instead.")
    if k_test_train is not None:
        check_points(k_test_train, "k_test_train", owner=owner, features=n)
        _targets(k_test_train, "k_test_train", owner, k_test_train.shape[0], ref)
        m = k_test_train.shape[0]
        f0s = (y.new_zeros((m,) + y.shape[1:]) if f0_test is None
               else _targets(f0_test, "f0_test", owner, m, ref))
        if f0s.shape[1:] != y.shape[1:]:
            raise ValueError(f"The 'f0_test' parameter of {owner} must have trailing shape "
                             f"{tuple(y.shape[1:])}. Got {tuple(f0s.shape)} instead.")
    eta = check_positive(lr, "lr", owner=owner)
    check_choice(loss, "loss", LOSSES, owner=owner)
    if loss == "mean":
        eta = eta / n
    times = _times(t, ref, owner)

    lam, u = torch.linalg.eigh(0.5 * (k_train_train + k_train_train.mT))
    lam = lam.clamp_min(0.0)
    x = eta * lam  # (N,)
    tt = times[:, None]  # (T, 1)
    if discrete:
        decay = torch.pow((1.0 - x)[None, :], tt)
    else:
        decay = torch.exp(-x[None, :] * tt)
    g = 1.0 - decay  # (T, N): train filter
    tiny = lam.max() * n * torch.finfo(lam.dtype).eps
    safe = torch.where(lam > tiny, lam, torch.ones_like(lam))
    h = torch.where(lam > tiny, g / safe, eta * tt.expand_as(g))  # test filter g / lambda

    r0 = (y - f0).reshape(n, -1)
    proj = u.mT @ r0  # (N, O)
    train = f0.reshape(n, -1) + torch.einsum("nk,tk,ko->tno", u, g, proj)
    train = train.reshape((len(times),) + y.shape)
    test = None
    if k_test_train is not None:
        test = f0s.reshape(m, -1) + torch.einsum("mk,tk,ko->tmo", k_test_train @ u, h, proj)
        test = test.reshape((len(times),) + f0s.shape)
    if not (isinstance(t, torch.Tensor) and t.ndim == 1):
        train = train[0]
        test = None if test is None else test[0]
    return FlowPrediction(train, test)


def _times(t, ref: torch.Tensor, owner: str) -> torch.Tensor:
    if isinstance(t, torch.Tensor) and t.ndim == 1:
        if not bool(torch.isfinite(t).all()) or bool((t < 0).any()):
            raise ValueError(f"The 't' parameter of {owner} must hold finite times >= 0. "
                             f"Got {t.tolist()} instead.")
        return t.to(device=ref.device, dtype=ref.dtype)
    value = check_positive(t, "t", owner=owner, allow_zero=True)
    return torch.tensor([value], device=ref.device, dtype=ref.dtype)


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
    in muP ([YangHu2021], Sec. 3, the dichotomy theorem); book: ``eq-mup``.
    """
    owner = "relative_feature_change"
    for name, m in (("model_init", model_init), ("model", model)):
        if not isinstance(m, MLP):
            raise TypeError(f"The '{name}' parameter of {owner} must be a learntheory.ntk.MLP. "
                            f"Got {type(m).__name__} instead.")
    if model_init.widths != model.widths:
        raise ValueError(f"The 'model' parameter of {owner} must have the widths of model_init "
                         f"{model_init.widths}. Got {model.widths} instead.")
    check_points(x, "x", owner=owner, features=model.widths[0])
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
    record_ntk: bool = True,
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
        Whether to record NTK snapshots and the relative kernel change.
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
    ([Lee2019], Sec. 2, main theorem); book: ``eq-gradient-flow``. A diverging run records
    inf/NaN rather than stopping.
    """
    owner = "train_mlp"
    if not isinstance(model, nn.Module):
        raise TypeError(f"The 'model' parameter of {owner} must be a torch.nn.Module. "
                        f"Got {type(model).__name__} instead.")
    check_points(x, "x", owner=owner)
    n = x.shape[0]
    y = _targets(y, "y", owner, n, x)
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
