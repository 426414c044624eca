r"""Tasks for the inductive-bias chapter: an exact toy, synthetic spheres, and digits.

* :func:`coordinate_toy`: a lookup table of :math:`D` values learned by linear hypotheses
  with Gaussian weights. The inputs are the basis vectors :math:`e_1, \dots, e_D`, so a
  hypothesis is its weight vector :math:`w \sim \mathcal N(0, \tau^2 I)`; fitting
  :math:`n` training entries pins :math:`n` weights and leaves the others free. The test
  error over all :math:`D` inputs is then *exactly*
  :math:`\frac{\tau^2}{D}\chi'^2_{D-n}(\lVert w^\star_{\rm free}\rVert^2/\tau^2)`
  (book: ``eq-ib-toy-law``), the law that the chapter's estimators are checked against.
* :func:`sphere_task`: inputs uniform on a :math:`d`-dimensional sphere embedded in a fixed
  ambient space (so only the *intrinsic* dimension changes), labelled by a fixed random
  two-layer ReLU teacher scaled to unit variance (the laptop plan of the notes to
  [Boopathy2024]).
* :func:`digits_task`: scikit-learn's 8×8 digits (shipped with the package, no download),
  projected on their first principal components, with one-hot labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import check_int, check_positive, resolve_factory
from learntheory.inductive_bias.gchi2 import GeneralizedChi2, scaled_ncx2

__all__ = ["Task", "ToyTask", "coordinate_toy", "digits_task", "sphere_task"]


@dataclass(frozen=True)
class Task:
    """Training and test data of one task.

    Attributes
    ----------
    x_train, y_train, x_test, y_test : torch.Tensor
        ``(n, d)``, ``(n,)`` or ``(n, c)``, ``(m, d)``, ``(m,)`` or ``(m, c)``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@dataclass(frozen=True)
class ToyTask(Task):
    """The coordinate toy: a :class:`Task` with its kernel and its exact error law.

    Attributes
    ----------
    tau : float
        Prior standard deviation of each weight.
    law : GeneralizedChi2
        The exact law of the test error of a random interpolating hypothesis.
    """

    tau: float = 1.0
    law: GeneralizedChi2 | None = None

    def kernel(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        r"""The linear kernel :math:`\tau^2\langle x, x'\rangle` of the weight prior."""
        return self.tau**2 * (x1 @ x2.mT)


def coordinate_toy(
    dim: int,
    n_train: int,
    *,
    tau: float = 1.0,
    target: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    dtype: torch.dtype | None = None,
) -> ToyTask:
    r"""The lookup-table toy with a closed-form error law.

    Parameters
    ----------
    dim : int
        Number of inputs D (>= 2).
    n_train : int
        Entries seen in training, ``1 <= n_train < dim``: the first ``n_train`` inputs.
    tau : float
        Prior standard deviation of the weights (> 0).
    target : torch.Tensor, shape (dim,), optional
        The true table :math:`w^\star`; default i.i.d. standard normal from ``generator``.
    generator : torch.Generator, optional
    dtype : torch.dtype, optional
        Default float64 (the exact comparisons need it).

    Returns
    -------
    ToyTask
        Train: :math:`(e_j, w^\star_j)` for :math:`j < n`; test: all D inputs.

    Notes
    -----
    The exact law (book: ``eq-ib-toy-law``) makes :math:`I(\varepsilon)` computable for any
    :math:`\varepsilon`, so [Boopathy2024]'s estimator can be graded on it; more training
    data pins more weights, and the bits can only go down.
    """
    owner = "coordinate_toy"
    D = check_int(dim, "dim", owner=owner, minimum=2)
    n = check_int(n_train, "n_train", owner=owner)
    if n >= D:
        raise ValueError(f"The 'n_train' parameter of {owner} must be < dim = {D} (at least one "
                         f"entry left to generalise to). Got {n}.")
    tau = check_positive(tau, "tau", owner=owner)
    device, dtype = resolve_factory(None, dtype or torch.float64, generator)
    if target is None:
        target = torch.randn(D, dtype=dtype, device=device, generator=generator)
    elif not isinstance(target, torch.Tensor) or tuple(target.shape) != (D,):
        got = tuple(target.shape) if isinstance(target, torch.Tensor) else type(target).__name__
        raise ValueError(f"The 'target' parameter of {owner} must be a tensor of shape ({D},). "
                         f"Got {got}.")
    eye = torch.eye(D, dtype=target.dtype, device=target.device)
    free = target[n:]
    law = scaled_ncx2(D - n, float(free.pow(2).sum()) / tau**2, tau**2 / D, like=target)
    return ToyTask(eye[:n], target[:n], eye, target, tau=tau, law=law)


def _unit_rows(x: torch.Tensor) -> torch.Tensor:
    return x / x.norm(dim=1, keepdim=True)


def sphere_task(
    intrinsic_dim: int,
    n_train: int,
    n_test: int,
    *,
    ambient_dim: int = 32,
    hidden: int = 64,
    generator: torch.Generator | None = None,
    dtype: torch.dtype | None = None,
) -> Task:
    r"""Inputs uniform on :math:`S^{d-1}` inside :math:`\mathbb R^D`, labels from a ReLU teacher.

    Parameters
    ----------
    intrinsic_dim : int
        d (>= 2), at most ``ambient_dim``.
    n_train, n_test : int
    ambient_dim : int
        D, fixed across d so that every task has the same input space.
    hidden : int
        Units of the teacher :math:`f^\star(x) = a^\top\mathrm{relu}(Wx)`.
    generator : torch.Generator, optional
    dtype : torch.dtype, optional
        Default float64.

    Returns
    -------
    Task
        Labels scaled to unit variance (estimated on 4096 extra inputs) and centred, so
        that predicting 0 has test error ~1 at every d.
    """
    owner = "sphere_task"
    D = check_int(ambient_dim, "ambient_dim", owner=owner, minimum=2)
    d = check_int(intrinsic_dim, "intrinsic_dim", owner=owner, minimum=2)
    if d > D:
        raise ValueError(f"The 'intrinsic_dim' parameter of {owner} must be <= ambient_dim = "
                         f"{D}. Got {d}.")
    n = check_int(n_train, "n_train", owner=owner)
    m = check_int(n_test, "n_test", owner=owner)
    H = check_int(hidden, "hidden", owner=owner)
    device, dtype = resolve_factory(None, dtype or torch.float64, generator)
    kw = dict(dtype=dtype, device=device, generator=generator)
    basis = torch.linalg.qr(torch.randn(D, d, **kw)).Q  # (D, d) orthonormal columns
    W = torch.randn(H, D, **kw) / math.sqrt(D)
    a = torch.randn(H, **kw)

    def teacher(u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = _unit_rows(u) @ basis.mT
        return x, torch.relu(x @ W.mT) @ a

    _, y_ref = teacher(torch.randn(4096, d, **kw))
    x, y = teacher(torch.randn(n + m, d, **kw))
    y = (y - y_ref.mean()) / y_ref.std()
    return Task(x[:n], y[:n], x[n:], y[n:])


def digits_task(
    n_components: int,
    n_train: int,
    n_test: int,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype | None = None,
) -> Task:
    r"""scikit-learn's digits on their first principal components, one-hot labels.

    Parameters
    ----------
    n_components : int
        Principal components kept (1 to 64): the task's input dimension.
    n_train, n_test : int
        Disjoint random subsets of the 1797 images (their sum at most 1797).
    generator : torch.Generator, optional
        Picks the subsets (CPU).
    dtype : torch.dtype, optional
        Default float64.

    Returns
    -------
    Task
        Inputs: the centred images projected on the leading components (fitted on all
        1797), scaled to unit norm; labels: one-hot rows of 10 (the loss of [Boopathy2024]).
    """
    owner = "digits_task"
    k = check_int(n_components, "n_components", owner=owner)
    n = check_int(n_train, "n_train", owner=owner)
    m = check_int(n_test, "n_test", owner=owner)
    if k > 64:
        raise ValueError(f"The 'n_components' parameter of {owner} must be <= 64 (8x8 "
                         f"images). Got {k}.")
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn ships with the test extra
        raise ImportError("digits_task needs scikit-learn: pip install scikit-learn") from exc
    data = load_digits()
    if n + m > len(data.target):
        raise ValueError(f"The 'n_train' + 'n_test' of {owner} must be <= "
                         f"{len(data.target)}. Got {n} + {m}.")
    device, dtype = resolve_factory(None, dtype or torch.float64, generator)
    x = torch.as_tensor(data.data, dtype=dtype)
    x = x - x.mean(0)
    V = torch.linalg.svd(x, full_matrices=False).Vh[:k]
    z = _unit_rows(x @ V.mT)
    y = torch.nn.functional.one_hot(torch.as_tensor(data.target), 10).to(dtype)
    idx = torch.randperm(len(y), generator=generator, device=device).cpu()[: n + m]
    z, y = z[idx].to(device), y[idx].to(device)
    return Task(z[:n], y[:n], z[n:], y[n:])
