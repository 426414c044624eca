"""The classic kernels of the primer: Gaussian (RBF), Laplace and polynomial.

Each is a pure tensor function ``k(x1, x2=None, *, ...) -> (n1, n2)``; the
output follows the inputs' device and dtype. Implements the kernels of
[Rasmussen2006] (Sec. 4.2); book: ``kernels-similarity``.
"""

from __future__ import annotations

import torch

from learntheory._core import check_int, check_positive
from learntheory.kernels.gram import euclidean_distances, gram, squared_distances

__all__ = ["gaussian", "laplace", "polynomial"]


def gaussian(
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    bandwidth: float = 1.0,
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""Gaussian (RBF) kernel matrix.

    Parameters
    ----------
    x1 : torch.Tensor, shape (n1, d)
        Floating point, finite.
    x2 : torch.Tensor, shape (n2, d), optional
        Defaults to ``x1`` (a symmetric Gram matrix).
    bandwidth : float
        Length scale :math:`h > 0`.
    chunk_size : int, optional
        Rows evaluated per block (bounds the temporaries for large n).

    Returns
    -------
    torch.Tensor, shape (n1, n2)
        Same device and dtype as ``x1``.

    Notes
    -----
    .. math:: k(x, y) = \exp\!\left(-\frac{\lVert x - y\rVert^2}{2h^2}\right)

    Implements the squared-exponential kernel of [Rasmussen2006], Sec. 4.2.1;
    book: ``eq-gaussian-kernel``.
    scikit-learn's ``rbf_kernel`` is the same with ``gamma = 1 / (2 h^2)``.

    Examples
    --------
    >>> import math, torch, learntheory as lt
    >>> x = torch.tensor([[0.0], [1.0]], dtype=torch.float64)
    >>> K = lt.kernels.gaussian(x, bandwidth=1.0)
    >>> abs(K[0, 1].item() - math.exp(-0.5)) < 1e-15
    True
    """
    h = check_positive(bandwidth, "bandwidth", owner="gaussian")
    return gram(
        lambda a, b: squared_distances(a, b).mul_(-0.5 / (h * h)).exp_(),
        x1, x2, chunk_size=chunk_size, owner="gaussian",
    )


def laplace(
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    bandwidth: float = 1.0,
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""Laplace (exponential) kernel matrix, with the Euclidean norm.

    Parameters
    ----------
    x1 : torch.Tensor, shape (n1, d)
    x2 : torch.Tensor, shape (n2, d), optional
    bandwidth : float
        Length scale :math:`h > 0`.
    chunk_size : int, optional

    Returns
    -------
    torch.Tensor, shape (n1, n2)

    Notes
    -----
    .. math:: k(x, y) = \exp\!\left(-\frac{\lVert x - y\rVert}{h}\right)

    Implements the exponential kernel of [Rasmussen2006], Sec. 4.2.1 (the
    Matern kernel with :math:`\nu = 1/2`); book: ``eq-laplace-kernel``. scikit-learn's
    ``laplacian_kernel`` uses the L1 norm instead; the two agree only in 1-D.
    Distances are computed from explicit differences, so the kernel is exact
    near the diagonal where the Gram trick would lose half the digits.
    """
    h = check_positive(bandwidth, "bandwidth", owner="laplace")
    return gram(
        lambda a, b: euclidean_distances(a, b).mul_(-1.0 / h).exp_(),
        x1, x2, chunk_size=chunk_size, owner="laplace",
    )


def polynomial(
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    degree: int = 3,
    c: float = 1.0,
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""Inhomogeneous polynomial kernel matrix.

    Parameters
    ----------
    x1 : torch.Tensor, shape (n1, d)
    x2 : torch.Tensor, shape (n2, d), optional
    degree : int
        Degree :math:`p \ge 1`.
    c : float
        Offset :math:`c \ge 0`; ``c = 0`` gives the homogeneous kernel.
    chunk_size : int, optional

    Returns
    -------
    torch.Tensor, shape (n1, n2)

    Notes
    -----
    .. math:: k(x, y) = (x^\top y + c)^p

    Implements the polynomial kernel of [Rasmussen2006], Sec. 4.2.2;
    book: ``eq-polynomial-kernel``.
    scikit-learn's ``polynomial_kernel`` is the same with ``gamma = 1`` and
    ``coef0 = c``.
    """
    p = check_int(degree, "degree", owner="polynomial", minimum=1)
    offset = check_positive(c, "c", owner="polynomial", allow_zero=True)
    return gram(
        lambda a, b: (a @ b.mT + offset) ** p,
        x1, x2, chunk_size=chunk_size, owner="polynomial",
    )
