r"""Training dynamics: closed-form kernel gradient flow and the real network's GD.

For the **sum** loss :math:`\tfrac12\sum_i\lVert f(x_i)-y_i\rVert^2`, gradient
flow :math:`\dot\theta = -\eta\nabla_\theta\mathcal L` on the linearised model
with a fixed kernel :math:`\Theta = \Theta(X, X)` gives ([Lee2019])

.. math::
    f_t(X) &= f_0(X) + (I - e^{-\eta\Theta t})(Y - f_0(X)),\\
    f_t(x) &= f_0(x) + \Theta(x, X)\,\Theta^{-1}(I - e^{-\eta\Theta t})(Y - f_0(X)).

For the **mean** loss :math:`\tfrac1{2N}\sum_i\lVert f(x_i)-y_i\rVert^2` replace
:math:`\eta` by :math:`\eta/N`. Discrete gradient descent with step :math:`\eta`
replaces :math:`e^{-\eta\lambda t}` by :math:`(1-\eta\lambda)^t` (``t`` steps) and
is exact for the linearised model. Both filters live in the kernels layer
(:func:`~learntheory.kernels.gradient_flow_filter`,
:func:`~learntheory.kernels.gradient_descent_filter`); the real network's
gradient descent is :func:`~learntheory.ntk.training.train_mlp`.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from learntheory._core import check_choice, check_points, check_positive, check_targets
from learntheory.kernels import gradient_descent_filter, gradient_flow_filter, gram_eigh

__all__ = ["FlowPrediction", "gradient_flow_predict"]

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
    formed. Implements the linearised MSE dynamics of [Lee2019], in the
    notation of [Jacot2018]; book: ``eq-gradient-flow``. (Lee et al. use the mean
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
    y = check_targets(y_train, "y_train", n=n, owner=owner, like=ref)
    f0 = (torch.zeros_like(y) if f0_train is None
          else check_targets(f0_train, "f0_train", n=n, owner=owner, like=ref))
    if f0.shape != y.shape:
        raise ValueError(f"The 'f0_train' parameter of {owner} must have the shape of y_train "
                         f"{tuple(y.shape)}. Got {tuple(f0.shape)} instead.")
    if k_test_train is not None:
        check_points(k_test_train, "k_test_train", owner=owner, features=n)
        check_targets(k_test_train, "k_test_train", n=k_test_train.shape[0], owner=owner,
                      like=ref)
        m = k_test_train.shape[0]
        f0s = (y.new_zeros((m,) + y.shape[1:]) if f0_test is None
               else check_targets(f0_test, "f0_test", n=m, owner=owner, like=ref))
        if f0s.shape[1:] != y.shape[1:]:
            raise ValueError(f"The 'f0_test' parameter of {owner} must have trailing shape "
                             f"{tuple(y.shape[1:])}. Got {tuple(f0s.shape)} instead.")
    eta = check_positive(lr, "lr", owner=owner)
    check_choice(loss, "loss", LOSSES, owner=owner)
    if loss == "mean":
        eta = eta / n
    times = _times(t, ref, owner)
    if discrete and bool((times != times.round()).any()):
        raise ValueError(f"The 't' parameter of {owner} must hold whole numbers of steps when "
                         f"discrete=True. Got {times.tolist()} instead.")

    lam, u = gram_eigh(k_train_train)
    lam = lam.clamp_min(0.0)
    if discrete:
        g = gradient_descent_filter(lam, lr=eta, steps=times)       # (T, N): train filter
    else:
        g = gradient_flow_filter(lam, lr=eta, t=times)
    # Test filter g / lambda; as lambda -> 0 both filters tend to eta * t (no inverse formed).
    tiny = lam.max() * n * torch.finfo(lam.dtype).eps
    safe = torch.where(lam > tiny, lam, torch.ones_like(lam))
    h = torch.where(lam > tiny, g / safe, eta * times[:, None].expand_as(g))

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


