"""Small synthetic data sets used across chapters (tensor-creating, so they take
``device``, ``dtype`` and ``generator``)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from learntheory._core import check_int, check_positive, resolve_factory

__all__ = [
    "CircleRegression",
    "Regression1D",
    "circle_regression",
    "circle_target",
    "regression_1d",
    "smooth_target",
    "unit_circle",
]


def smooth_target(x: torch.Tensor) -> torch.Tensor:
    r"""The primer's regression target :math:`f^*(x) = \sin(2\pi x) + \tfrac12\cos(5\pi x)`.

    A low-frequency component plus a weaker high-frequency one, so that a
    wide bandwidth recovers the first but misses the second (bias) while a
    narrow one chases the noise (variance).
    """
    return torch.sin(2 * torch.pi * x) + 0.5 * torch.cos(5 * torch.pi * x)


@dataclass(frozen=True)
class Regression1D:
    """A 1-D regression sample on [0, 1].

    Attributes
    ----------
    x_train, y_train : torch.Tensor, shapes (n, 1) and (n,)
        Noisy training sample, inputs uniform on [0, 1].
    x_test, f_test : torch.Tensor, shapes (m, 1) and (m,)
        An even grid on [0, 1] and the noiseless target there.
    f_train : torch.Tensor, shape (n,)
        Noiseless target at the training inputs.
    noise : float
        Standard deviation of the Gaussian label noise.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    f_train: torch.Tensor
    x_test: torch.Tensor
    f_test: torch.Tensor
    noise: float


def regression_1d(
    n: int,
    *,
    noise: float = 0.3,
    n_test: int = 200,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    generator: torch.Generator | None = None,
) -> Regression1D:
    r"""Draw :math:`x_i \sim U[0,1]`, :math:`y_i = f^*(x_i) + \sigma\varepsilon_i`.

    Parameters
    ----------
    n : int
        Training sample size.
    noise : float
        Label-noise standard deviation :math:`\sigma \ge 0`.
    n_test : int
        Number of evenly spaced test inputs on [0, 1].
    device, dtype, generator
        Where and how to draw (see :func:`learntheory.make_generator`).

    Returns
    -------
    Regression1D
    """
    n = check_int(n, "n", owner="regression_1d")
    n_test = check_int(n_test, "n_test", owner="regression_1d")
    sigma = check_positive(noise, "noise", owner="regression_1d", allow_zero=True)
    device, dtype = resolve_factory(device, dtype, generator)
    x = torch.rand(n, 1, device=device, dtype=dtype, generator=generator)
    eps = torch.randn(n, device=device, dtype=dtype, generator=generator)
    f = smooth_target(x[:, 0])
    grid = torch.linspace(0, 1, n_test, device=device, dtype=dtype)[:, None]
    return Regression1D(x, f + sigma * eps, f, grid, smooth_target(grid[:, 0]), sigma)


def circle_target(gamma: torch.Tensor) -> torch.Tensor:
    r"""The NTK chapter's target, :math:`f^*(\gamma) = \sin 2\gamma + \tfrac12\cos\gamma`.

    Two Fourier modes of different frequency, so that kernel gradient descent
    visibly fits the smoother one first.
    """
    return torch.sin(2 * gamma) + 0.5 * torch.cos(gamma)


def unit_circle(
    n: int,
    *,
    closed: bool = False,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""``n`` evenly spaced angles on :math:`[-\pi, \pi)` and the points :math:`(\cos, \sin)`.

    Parameters
    ----------
    n : int
        Number of points (>= 1).
    closed : bool
        ``False``: :math:`\gamma_j = -\pi + 2\pi j/n`, the n distinct points of a
        regular polygon (a training set: its Gram matrices are circulant).
        ``True``: n points from :math:`-\pi` to :math:`\pi` inclusive (a plotting
        grid whose curve closes).
    device, dtype
        Where to create them.

    Returns
    -------
    gamma : torch.Tensor, shape (n,)
    x : torch.Tensor, shape (n, 2)
        Unit vectors :math:`(\cos\gamma_j, \sin\gamma_j)`.
    """
    n = check_int(n, "n", owner="unit_circle")
    device, dtype = resolve_factory(device, dtype, None)
    if closed:
        gamma = torch.linspace(-torch.pi, torch.pi, n, device=device, dtype=dtype)
    else:
        gamma = torch.linspace(-torch.pi, torch.pi, n + 1, device=device, dtype=dtype)[:-1]
    return gamma, torch.stack([gamma.cos(), gamma.sin()], dim=1)


@dataclass(frozen=True)
class CircleRegression:
    r"""Regression on the unit circle: the NTK chapter's training and test sets.

    Attributes
    ----------
    gamma, x, y : torch.Tensor, shapes (n,), (n, 2), (n,)
        Training angles, points (:func:`unit_circle`, open) and noiseless targets
        :func:`circle_target`.
    gamma_test, x_test, f_test : torch.Tensor, shapes (m,), (m, 2), (m,)
        A closed grid of test angles, its points and the target there.
    """

    gamma: torch.Tensor
    x: torch.Tensor
    y: torch.Tensor
    gamma_test: torch.Tensor
    x_test: torch.Tensor
    f_test: torch.Tensor


def circle_regression(
    n_train: int,
    n_test: int,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
) -> CircleRegression:
    r"""Evenly spaced training points on the circle with the target :func:`circle_target`.

    Parameters
    ----------
    n_train, n_test : int
        Training points (open polygon) and test points (closed grid).
    device, dtype
        Where to create them.

    Returns
    -------
    CircleRegression

    Examples
    --------
    >>> import learntheory as lt
    >>> data = lt.datasets.circle_regression(12, 100)
    >>> data.x.shape, data.x_test.shape
    (torch.Size([12, 2]), torch.Size([100, 2]))
    """
    gamma, x = unit_circle(n_train, device=device, dtype=dtype)
    gamma_test, x_test = unit_circle(n_test, closed=True, device=device, dtype=dtype)
    return CircleRegression(gamma, x, circle_target(gamma), gamma_test, x_test,
                            circle_target(gamma_test))
