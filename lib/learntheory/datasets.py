"""Small synthetic data sets used across chapters (tensor-creating, so they take
``device``, ``dtype`` and ``generator``)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from learntheory._core import check_int, check_positive, resolve_factory

__all__ = ["Regression1D", "regression_1d", "smooth_target"]


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
