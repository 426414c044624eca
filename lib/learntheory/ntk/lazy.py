r"""The lazy regime: how little a wide network's kernel moves, and how well kernel flow predicts it.

One experiment of the NTK chapter as a library function: train networks of
several widths by full-batch gradient descent and compare them with the
closed-form gradient-descent predictions of the *analytic* NTK (started from
each network's own initial function :math:`f_0`),

.. math:: f_t(X_*) = f_0(X_*) + \Theta(X_*, X)\,\Theta^{-1}\big(I - (I - \eta\Theta)^t\big)
          \big(Y - f_0(X)\big),

book: ``eq-gradient-flow``. The lazy-training theorem bounds the kernel change and the
network-vs-kernel mismatch by :math:`O(n^{-1/2})` ([Lee2019]; [Jacot2018]). Those
are upper bounds, not rates: the kernel moves like :math:`n^{-1}` for smooth activations
([DyerGurAri2020], [HuangYau2020], [Roberts2022]); for the ReLU, activation-sign flips
add a random walk :math:`\propto n^{-3/4}` and, on training inputs, a coherent part
:math:`\propto n^{-1/2}` (:mod:`learntheory.ntk.activation_flips`); book:
``eq-relu-kernel-change``. The mismatch splits
exactly into the kernel's movement and the initial kernel's fluctuation acting on the
targets and on :math:`f_0`; book: ``eq-mismatch-parts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_instance, check_int, check_points, check_positive
from learntheory.ntk.analytic import mlp_kernels
from learntheory.ntk.config import MLPConfig
from learntheory.ntk.dynamics import gradient_flow_predict
from learntheory.ntk.empirical import empirical_ntk
from learntheory.ntk.mlp import make_mlp
from learntheory.ntk.training import train_mlp

__all__ = ["SWEEP_FIELDS", "LazyRun", "LazySweep", "lazy_run", "lazy_training_sweep"]


@dataclass(frozen=True)
class LazyRun:
    """One trained network beside its kernel prediction, at the recorded steps.

    Attributes
    ----------
    steps : (R,) int tensor
    net_test, flow_test : (R, M) tensors
        Network and analytic-NTK predictions on the test inputs.
    net_train, flow_train : (R, N) tensors
        The same on the training inputs.
    kernel_change, weight_change : float
        Relative Frobenius change of the empirical NTK and relative parameter change at the end.
    mismatch : float
        :math:`\\lVert f^{net}_T - f^{flow}_T\\rVert / \\lVert f^{flow}_T\\rVert` (test inputs).
    mismatch_empirical : float
        The same against the prediction with the network's *own* NTK at
        initialisation :math:`\\hat\\Theta_0` (isolates the kernel's movement).
    mismatch_kernel, mismatch_f0 : float
        The two parts of :math:`P(\\hat\\Theta_0, f_0) - P(\\Theta, f_0)` (the kernel's
        fluctuation at initialisation), relative to :math:`\\lVert f^{flow}_T\\rVert`:
        :math:`[G(\\hat\\Theta_0) - G(\\Theta)]\\,Y` (acting on the targets) and
        :math:`-[G(\\hat\\Theta_0) - G(\\Theta)]\\,f_0(X)` (acting on the initial
        function), where :math:`P(K, f_0) = f_0(X_*) + G(K)(Y - f_0(X))` is the
        kernel-GD prediction. Network minus :math:`P(\\Theta, f_0)` is exactly the sum
        of the movement vector (``mismatch_empirical``) and these two.
    flip_fraction : float
        Fraction of (hidden unit, training input) pairs, over all hidden layers,
        whose pre-activation changed sign during training.
    """

    steps: torch.Tensor
    net_test: torch.Tensor
    flow_test: torch.Tensor
    net_train: torch.Tensor
    flow_train: torch.Tensor
    kernel_change: float
    weight_change: float
    mismatch: float
    mismatch_empirical: float
    mismatch_kernel: float
    mismatch_f0: float
    flip_fraction: float


#: The end-of-training numbers of a :class:`LazyRun` that a sweep collects.
SWEEP_FIELDS = ("kernel_change", "weight_change", "mismatch", "mismatch_empirical",
                "mismatch_kernel", "mismatch_f0", "flip_fraction")


@dataclass(frozen=True)
class LazySweep:
    """Per width (rows) and seed (columns): the end-of-training numbers of :class:`LazyRun`."""

    widths: list[int]
    kernel_change: torch.Tensor
    weight_change: torch.Tensor
    mismatch: torch.Tensor
    mismatch_empirical: torch.Tensor
    mismatch_kernel: torch.Tensor
    mismatch_f0: torch.Tensor
    flip_fraction: torch.Tensor


def lazy_run(
    x: torch.Tensor,
    y: torch.Tensor,
    x_test: torch.Tensor,
    *,
    config: MLPConfig,
    lr: float,
    steps: int,
    record_every: int | None = None,
    generator: torch.Generator | None = None,
) -> LazyRun:
    r"""Train one NTK-parameterised MLP and predict it with the analytic NTK.

    Parameters
    ----------
    x, y : training inputs (N, d) and targets (N,)
    x_test : test inputs (M, d)
    config : MLPConfig
        The network (finite width, NTK parameterization); the same object gives
        the finite network (:func:`make_mlp`) and its analytic NTK
        (:func:`mlp_kernels`), so the two cannot disagree.
    lr : float
        Step size :math:`\eta` on the loss :math:`\tfrac12\sum_i (f(x_i) - y_i)^2`.
    steps : int
    record_every : int, optional
        Record every this many steps (default: only the start and the end).
    generator : torch.Generator, optional

    Returns
    -------
    LazyRun

    Raises
    ------
    TypeError, ValueError
        Naming the parameter for invalid inputs, ``lr <= 0`` or non-positive sizes.

    Notes
    -----
    Implements the linearised dynamics of [Lee2019] (discrete GD
    filter), compared with a real network; book: ``eq-gradient-flow``. The mismatch
    decomposition is book: ``eq-mismatch-parts``; both kernel predictions start from the
    network's own :math:`f_0`, with the same loss (sum), ``lr`` and number of steps.
    """
    owner = "lazy_run"
    check_points(x, "x", owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    config.require_width(owner)
    check_points(x_test, "x_test", owner=owner, features=x.shape[1])
    steps = check_int(steps, "steps", owner=owner)
    check_positive(lr, "lr", owner=owner)
    every = steps if record_every is None else check_int(record_every, "record_every",
                                                         owner=owner)
    net = make_mlp(x.shape[1], config=config, device=x.device, dtype=x.dtype,
                   generator=generator)
    both = torch.cat([x, x_test])
    with torch.no_grad():
        theta_emp = empirical_ntk(net, both)
        signs0 = [a > 0 for a in net.features(x)]
    hist = train_mlp(net, x, y, lr=lr, steps=steps, record_every=every, x_test=x_test,
                     record_ntk=True)
    with torch.no_grad():
        after = net.features(x)
        flips = sum(int((s != (a > 0)).sum()) for s, a in zip(signs0, after, strict=True))
    theta = mlp_kernels(both, config=config).ntk
    n = x.shape[0]
    f0_t, f0_s = hist.train_pred[0, :, 0], hist.test_pred[0, :, 0]

    def predict(k, f0_train, f0_test, t):  # P(K, f0): kernel GD from f0, t steps
        return gradient_flow_predict(k[:n, :n], k[n:, :n], y, f0_train, f0_test, lr=lr,
                                     t=t, discrete=True)

    flow_train, flow = predict(theta, f0_t, f0_s, hist.steps.to(x.dtype))
    flow_emp = gradient_flow_predict(
        theta_emp[:n, :n], theta_emp[n:, :n], y, f0_t, f0_s,
        lr=lr, t=float(steps), discrete=True,
    ).test
    # P(K, f0) = f0(X*) + G(K)(Y - f0(X)): the kernel's initial fluctuation splits into
    # [G(emp) - G(analytic)] Y and -[G(emp) - G(analytic)] f0(X) (linear in Y - f0)
    zero_t, zero_s = torch.zeros_like(f0_t), torch.zeros_like(f0_s)
    on_y = predict(theta_emp, zero_t, zero_s, float(steps)).test - predict(
        theta, zero_t, zero_s, float(steps)).test
    on_f0 = (flow_emp - flow[-1]) - on_y
    net_test = hist.test_pred[:, :, 0]
    scale = flow[-1].norm()
    mismatch = float((net_test[-1] - flow[-1]).norm() / scale)
    mismatch_emp = float((net_test[-1] - flow_emp).norm() / flow_emp.norm())
    units = n * config.width * config.depth
    return LazyRun(hist.steps, net_test, flow, hist.train_pred[:, :, 0], flow_train,
                   float(hist.kernel_change[-1]), float(hist.weight_change[-1]), mismatch,
                   mismatch_emp, float(on_y.norm() / scale), float(on_f0.norm() / scale),
                   flips / units)


def lazy_training_sweep(
    x: torch.Tensor,
    y: torch.Tensor,
    x_test: torch.Tensor,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    n_seeds: int,
    lr: float,
    steps: int,
    generator: torch.Generator | None = None,
) -> LazySweep:
    """Run :func:`lazy_run` for each width and seed; collect the four end-of-training numbers.

    ``config``'s width is replaced by each of ``widths``; the other arguments are
    those of :func:`lazy_run`.

    Returns
    -------
    LazySweep
        Tensors of shape (len(widths), n_seeds), float64 on the CPU.

    Notes
    -----
    [Lee2019] bound the kernel change and the mismatch by ``O(width**-0.5)``; the
    measured rates differ (book: ``eq-relu-kernel-change``, ``eq-mismatch-parts``).
    """
    owner = "lazy_training_sweep"
    check_instance(config, "config", MLPConfig, owner=owner)
    seeds = check_int(n_seeds, "n_seeds", owner=owner)
    widths = [check_int(w, "widths", owner=owner) for w in widths]
    out = torch.empty(len(SWEEP_FIELDS), len(widths), seeds, dtype=torch.float64)
    for i, w in enumerate(widths):
        for s in range(seeds):
            run = lazy_run(x, y, x_test, config=config.with_width(w), lr=lr, steps=steps,
                           generator=generator)
            out[:, i, s] = torch.tensor([getattr(run, name) for name in SWEEP_FIELDS])
    return LazySweep(list(widths), *out)
