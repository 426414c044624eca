r"""Hypotheses that fit the training data: the noise-free Gaussian-process posterior.

The kernel hypothesis space of [Boopathy2024] (Algorithm 1) draws functions from a
Gaussian process with covariance :math:`k` and keeps those that interpolate the training
set. Conditioning the process on :math:`h(X) = Y` gives, at the test inputs
:math:`X_*`, a Gaussian law

.. math::

    h(X_*) \sim \mathcal N\big(K_{*X}K_{XX}^{-1}Y,\;
    K_{**} - K_{*X}K_{XX}^{-1}K_{X*}\big),

which :func:`condition` computes with one Cholesky factorisation of :math:`K_{XX}` and
:func:`sample_hypotheses` samples with one Cholesky factor of the posterior covariance
and a batched matrix product (book: ``eq-ib-posterior``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from learntheory._core import (
    check_instance,
    check_int,
    check_points,
    check_positive,
    check_same_device,
    check_targets,
)

__all__ = ["KernelPosterior", "NoInterpolant", "condition", "default_jitter",
           "sample_hypotheses"]

Kernel = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

_JITTER = {torch.float64: 1e-10, torch.float32: 1e-5}
# Relative interpolation miss above which the training Gram matrix is called singular.
# A smooth kernel on many points is numerically singular too (the Gaussian kernel on 256
# points of a circle misses by ~1e-2 at the float64 jitter) and still serves; a space of
# rank well below n (128 random features for 256 points) misses by ~0.4.
_MAX_MISS = 0.1


class NoInterpolant(ValueError):
    """The kernel's hypotheses cannot fit the training data (a singular training Gram matrix).

    Then no hypothesis of the space fits the data and the inductive bias is not defined; a
    :class:`ValueError`, so ``except ValueError`` catches it too.
    """


def default_jitter(dtype: torch.dtype) -> float:
    """Relative jitter added to a kernel matrix's diagonal before its Cholesky factor.

    ``1e-10`` in float64 and ``1e-5`` in float32, times the mean diagonal: a few hundred
    times the unit roundoff, so that a positive definite matrix always factors, and small
    enough that the hypotheses interpolate the training targets to that relative accuracy.
    """
    return _JITTER.get(dtype, 1e-5)


@dataclass(frozen=True)
class KernelPosterior:
    r"""The law of :math:`h(X_*)` for hypotheses that interpolate the training data.

    Attributes
    ----------
    mean : torch.Tensor, shape (m,) or (m, c)
        :math:`\mu = K_{*X}K_{XX}^{-1}Y`, the kernel interpolant (one column per output).
    cov : torch.Tensor, shape (m, m)
        :math:`\Sigma_* = K_{**} - K_{*X}K_{XX}^{-1}K_{X*}`, shared by the outputs.
    jitter : float
        The relative diagonal jitter used for both Cholesky factors.
    prior_scale : float
        Mean prior variance :math:`\operatorname{tr}K_{**}/m`: the scale of the rounding
        error of :math:`\Sigma_*` (computed as a difference of matrices of that size).
    """

    mean: torch.Tensor
    cov: torch.Tensor
    jitter: float
    prior_scale: float = 1.0

    @property
    def n_test(self) -> int:
        """Number of test points m."""
        return int(self.cov.shape[0])

    def factor(self) -> torch.Tensor:
        r"""Lower Cholesky factor :math:`L` of :math:`\Sigma_* + \delta I` (``(m, m)``).

        :math:`\delta` starts at ``jitter`` times the mean prior variance and grows
        tenfold until the factorisation succeeds (the posterior covariance of a smooth
        kernel is numerically singular); the added variance is reported by
        :meth:`factor_jitter`.
        """
        return _safe_cholesky(self.cov, self.jitter * self.prior_scale, "cov",
                              "KernelPosterior.factor")[0]

    def factor_jitter(self) -> float:
        """The absolute diagonal :math:`\\delta` that :meth:`factor` needed."""
        return _safe_cholesky(self.cov, self.jitter * self.prior_scale, "cov",
                              "KernelPosterior.factor")[1]


def _safe_cholesky(A: torch.Tensor, delta: float, name: str, owner: str,
                   tries: int = 8) -> tuple[torch.Tensor, float]:
    """Cholesky factor of ``A + delta I``, ``delta`` (absolute) escalated tenfold on failure."""
    eye = torch.eye(A.shape[0], dtype=A.dtype, device=A.device)
    for _ in range(tries):
        L, info = torch.linalg.cholesky_ex(A + delta * eye)
        if int(info) == 0:
            return L, delta
        delta *= 10.0
    raise ValueError(f"The '{name}' matrix of {owner} is not positive semi-definite: its "
                     f"Cholesky factorisation failed even with {delta / 10:.1e} added to the "
                     "diagonal. Is the kernel positive definite?")


def condition(
    kernel: Kernel,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    *,
    jitter: float | None = None,
) -> KernelPosterior:
    r"""Condition a Gaussian process on interpolating the training data.

    Parameters
    ----------
    kernel : callable
        ``kernel(x1, x2) -> (n1, n2)`` tensor, positive definite; any kernel of
        :mod:`learntheory.kernels` or :mod:`learntheory.ntk` with its keywords bound
        (``functools.partial(lt.kernels.gaussian, bandwidth=1.0)``).
    x_train : torch.Tensor, shape (n, d)
    y_train : torch.Tensor, shape (n,) or (n, c)
        Targets (``c`` outputs share the kernel and get independent processes).
    x_test : torch.Tensor, shape (m, d)
    jitter : float, optional
        Relative diagonal jitter (default :func:`default_jitter` of the dtype).

    Returns
    -------
    KernelPosterior

    Raises
    ------
    TypeError, ValueError
        Naming the parameter: a kernel that is not callable or returns the wrong shape, bad
        points or targets, mismatched devices, a training Gram matrix that is not
        positive definite (duplicated inputs, or a kernel that is not PD), or one so
        singular that its best fit misses the training labels by over 10 % (a space of
        rank below n, such as fewer random features than training points).

    Notes
    -----
    Implements the interpolating GP posterior of Algorithm 1 of [Boopathy2024] (the
    noise-free limit of [Rasmussen2006], Eq. (2.19)); book: ``eq-ib-posterior``. The paper's
    code finds :math:`K^{-1}Y` by gradient descent; here it is one Cholesky solve.

    Examples
    --------
    >>> import functools, torch, learntheory as lt
    >>> x = torch.linspace(-1, 1, 5, dtype=torch.float64)[:, None]
    >>> k = functools.partial(lt.kernels.gaussian, bandwidth=0.5)
    >>> post = lt.inductive_bias.condition(k, x, torch.sin(3 * x[:, 0]), x)
    >>> bool(torch.allclose(post.mean, torch.sin(3 * x[:, 0]), atol=1e-6))
    True
    >>> float(post.cov.abs().max()) < 1e-6
    True
    """
    owner = "condition"
    if not callable(kernel):
        raise TypeError(f"The 'kernel' parameter of {owner} must be callable as kernel(x1, x2). "
                        f"Got {type(kernel).__name__} instead.")
    check_points(x_train, "x_train", owner=owner)
    check_points(x_test, "x_test", owner=owner, features=x_train.shape[1])
    check_targets(y_train, "y_train", n=x_train.shape[0], owner=owner, like=x_train)
    check_same_device(owner, x_train=x_train, x_test=x_test)
    jitter = default_jitter(x_train.dtype) if jitter is None else check_positive(
        jitter, "jitter", owner=owner)
    n, m = x_train.shape[0], x_test.shape[0]
    K = _call(kernel, x_train, x_train, (n, n))
    Ks = _call(kernel, x_test, x_train, (m, n))
    Kss = _call(kernel, x_test, x_test, (m, m))
    scale = float(K.diagonal().mean())
    L, info = torch.linalg.cholesky_ex(K + jitter * scale * torch.eye(n, dtype=K.dtype,
                                                                        device=K.device))
    if int(info) != 0:
        lam = float(torch.linalg.eigvalsh(0.5 * (K + K.mT))[0])
        raise ValueError(
            f"The 'kernel' parameter of {owner} gives a training Gram matrix that is not "
            f"positive definite (smallest eigenvalue {lam:.3e}, jitter {jitter * scale:.1e}); "
            "'x_train' may hold duplicated points, or the kernel is not positive definite.")
    A = torch.linalg.solve_triangular(L, Ks.mT, upper=False)  # (n, m)
    y = y_train if y_train.ndim == 2 else y_train[:, None]
    beta = torch.linalg.solve_triangular(L, y, upper=False)
    # the hypotheses must interpolate: K alpha = y with alpha = (K + delta I)^{-1} y. A Gram
    # matrix of rank < n (e.g. F < n random features) has no interpolant for generic labels,
    # and the jitter then silently returns a least-squares fit instead
    alpha = torch.linalg.solve_triangular(L.mT, beta, upper=True)
    miss = float((K @ alpha - y).norm() / y.norm().clamp_min(torch.finfo(y.dtype).tiny))
    if miss > _MAX_MISS:
        raise NoInterpolant(
            f"The 'kernel' parameter of {owner} cannot interpolate 'y_train': the best fit "
            f"misses the labels by {miss:.1e} (relative), so its training Gram matrix is "
            "singular (rank below n, e.g. fewer random features than training points, or "
            "duplicated inputs with different labels).")
    mean = A.mT @ beta
    cov = Kss - A.mT @ A
    cov = 0.5 * (cov + cov.mT)
    return KernelPosterior(mean=mean if y_train.ndim == 2 else mean[:, 0], cov=cov,
                           jitter=jitter, prior_scale=float(Kss.diagonal().mean()))


def _call(kernel: Kernel, x1: torch.Tensor, x2: torch.Tensor, shape: tuple[int, int]):
    K = kernel(x1, x2)
    if not isinstance(K, torch.Tensor) or tuple(K.shape) != shape:
        got = tuple(K.shape) if isinstance(K, torch.Tensor) else type(K).__name__
        raise ValueError(f"The 'kernel' parameter of condition must return a {shape} tensor "
                         f"for inputs of {x1.shape[0]} and {x2.shape[0]} points. Got {got}.")
    if not bool(torch.isfinite(K).all()):
        raise ValueError("The 'kernel' parameter of condition returned NaN or inf entries.")
    return K


def sample_hypotheses(
    posterior: KernelPosterior,
    n_samples: int,
    *,
    generator: torch.Generator | None = None,
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""Draw hypotheses :math:`h(X_*) = \mu + L z` that interpolate the training data.

    Parameters
    ----------
    posterior : KernelPosterior
        From :func:`condition`.
    n_samples : int
        Number of hypotheses S.
    generator : torch.Generator, optional
        On the posterior's device.
    chunk_size : int, optional
        Hypotheses drawn per matrix product (bounds the temporaries; default all).

    Returns
    -------
    torch.Tensor, shape (S, m) or (S, m, c)
        On the posterior's device and dtype.

    Notes
    -----
    Implements the sampling step of Algorithm 1 of [Boopathy2024]; book:
    ``eq-ib-posterior``. One Cholesky factor :math:`L` of :math:`\Sigma_*` (with the
    jitter of :meth:`KernelPosterior.factor`), then :math:`S` draws in one product
    :math:`Z L^\top`; scikit-learn's ``sample_y`` takes an SVD of :math:`\Sigma_*` instead.

    Examples
    --------
    >>> import functools, torch, learntheory as lt
    >>> x = torch.linspace(-1, 1, 4, dtype=torch.float64)[:, None]
    >>> xs = torch.linspace(-1, 1, 7, dtype=torch.float64)[:, None]
    >>> k = functools.partial(lt.kernels.gaussian, bandwidth=0.5)
    >>> post = lt.inductive_bias.condition(k, x, x[:, 0], xs)
    >>> lt.inductive_bias.sample_hypotheses(post, 3, generator=lt.make_generator(0)).shape
    torch.Size([3, 7])
    """
    owner = "sample_hypotheses"
    check_instance(posterior, "posterior", KernelPosterior, owner=owner)
    S = check_int(n_samples, "n_samples", owner=owner)
    chunk = S if chunk_size is None else check_int(chunk_size, "chunk_size", owner=owner)
    L = posterior.factor()
    mean = posterior.mean
    m = posterior.n_test
    if mean.ndim == 1:  # one output: each chunk is one fused product mu + Z L^T
        out = torch.empty((S, m), dtype=L.dtype, device=L.device)
        for start in range(0, S, chunk):
            stop = min(S, start + chunk)
            z = torch.randn(stop - start, m, dtype=L.dtype, device=L.device,
                            generator=generator)
            torch.addmm(mean, z, L.mT, out=out[start:stop])
        return out
    c = mean.shape[1]
    out = torch.empty((S, m, c), dtype=L.dtype, device=L.device)
    for start in range(0, S, chunk):
        stop = min(S, start + chunk)
        z = torch.randn((stop - start) * c, m, dtype=L.dtype, device=L.device,
                        generator=generator)
        draws = (z @ L.mT).view(stop - start, c, m).transpose(1, 2)
        out[start:stop] = draws + mean
    return out
