r"""Algorithm 1 of [Boopathy2024]: the inductive bias of a task relative to a kernel space.

:class:`InductiveBias` runs the whole procedure of [Boopathy2024] in the scikit-learn
style: ``fit`` conditions the Gaussian process on the training data, samples
``n_hypotheses`` interpolating hypotheses, evaluates their test errors, fits the scaled
noncentral chi-square and bootstraps it; because the hypothesis space is Gaussian, it also
computes the exact law of the errors, so the estimate sits beside the truth and the
Chernoff bound (book: ``ib-estimator``).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from learntheory._core import check_choice, check_int, check_positive
from learntheory.inductive_bias.bits import BitsEstimate, LawBits, fitted_bits, law_bits
from learntheory.inductive_bias.error_law import error_law, test_errors
from learntheory.inductive_bias.posterior import condition, sample_hypotheses

__all__ = ["InductiveBias"]


class InductiveBias:
    r"""Bits of inductive bias a task requires of a kernel hypothesis space.

    Parameters
    ----------
    kernel : callable
        ``kernel(x1, x2) -> (n1, n2)``, e.g. ``functools.partial(lt.kernels.gaussian,
        bandwidth=h)`` or ``functools.partial(lt.ntk.mlp_ntk, depth=2)``.
    epsilon : float
        Target test error (mean squared error over the test points, summed over outputs).
    n_hypotheses : int
        Sampled hypotheses S (>= 30).
    method : {"moments", "mle"}
        How the scaled noncentral chi-square is fitted.
    n_boot : int
        Bootstrap refits for the uncertainty.
    jitter : float, optional
        Relative diagonal jitter of the Cholesky factors.
    chunk_size : int, optional
        Hypotheses drawn per matrix product.

    Attributes
    ----------
    errors_ : torch.Tensor, shape (S,)
        Test errors of the sampled hypotheses.
    estimate_ : BitsEstimate
        The fitted-tail bits with bootstrap standard error and interval.
    exact_ : LawBits
        The exact bits of the generalized chi-square law and the Chernoff lower bound.
    law_ : GeneralizedChi2
        That exact law.
    bits_ : float
        ``estimate_.bits``.

    Notes
    -----
    Implements Algorithm 1 of [Boopathy2024] (book: ``eq-ib-definition``,
    ``eq-ib-posterior``), with the exact law of book: ``eq-ib-gchi2``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> toy = lt.inductive_bias.coordinate_toy(40, 10, generator=lt.make_generator(0))
    >>> est = lt.inductive_bias.InductiveBias(toy.kernel, epsilon=0.3, n_hypotheses=2000,
    ...                                        n_boot=20)
    >>> est = est.fit(toy.x_train, toy.y_train, toy.x_test, toy.y_test,
    ...               generator=lt.make_generator(1))
    >>> abs(est.bits_ - est.exact_.bits) < 5 * est.estimate_.se
    True
    """

    def __init__(
        self,
        kernel: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        *,
        epsilon: float,
        n_hypotheses: int = 10_000,
        method: str = "moments",
        n_boot: int = 200,
        jitter: float | None = None,
        chunk_size: int | None = None,
    ) -> None:
        owner = "InductiveBias"
        if not callable(kernel):
            raise TypeError(f"The 'kernel' parameter of {owner} must be callable as "
                            f"kernel(x1, x2). Got {type(kernel).__name__} instead.")
        self.kernel = kernel
        self.epsilon = check_positive(epsilon, "epsilon", owner=owner)
        self.n_hypotheses = check_int(n_hypotheses, "n_hypotheses", owner=owner, minimum=30)
        self.method = check_choice(method, "method", ("moments", "mle"), owner=owner)
        self.n_boot = check_int(n_boot, "n_boot", owner=owner, minimum=2)
        self.jitter = jitter
        self.chunk_size = chunk_size

    def fit(self, x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor,
            y_test: torch.Tensor, *, generator: torch.Generator | None = None
            ) -> InductiveBias:
        """Sample hypotheses that fit ``(x_train, y_train)`` and measure the bits on the test set.

        Returns
        -------
        InductiveBias
            ``self``, with the fitted attributes.

        Raises
        ------
        ValueError, TypeError
            From :func:`~learntheory.inductive_bias.condition` (points, targets, a kernel
            that is not positive definite), or 'epsilon' at or below the smallest
            attainable error of the exact law.
        """
        posterior = condition(self.kernel, x_train, y_train, x_test, jitter=self.jitter)
        law = error_law(posterior, y_test)
        exact = law_bits(law, self.epsilon)  # raises first if epsilon is unattainable
        hyp = sample_hypotheses(posterior, self.n_hypotheses, generator=generator,
                                chunk_size=self.chunk_size)
        self.errors_ = test_errors(hyp, y_test)
        self.law_ = law
        self.exact_ = exact
        self.estimate_ = fitted_bits(self.errors_, self.epsilon, method=self.method,
                                     n_boot=self.n_boot, generator=generator)
        self.bits_ = self.estimate_.bits
        return self

    def bits(self, epsilon: float, *, generator: torch.Generator | None = None
             ) -> tuple[BitsEstimate, LawBits]:
        """Re-read the fitted and exact bits at another target, without resampling."""
        if not hasattr(self, "errors_"):
            raise ValueError("InductiveBias.bits needs a fitted estimator: call fit() first.")
        return (fitted_bits(self.errors_, epsilon, method=self.method, n_boot=self.n_boot,
                            generator=generator), law_bits(self.law_, epsilon))

    def __repr__(self) -> str:
        return (f"InductiveBias(kernel={self.kernel!r}, epsilon={self.epsilon}, "
                f"n_hypotheses={self.n_hypotheses}, method={self.method!r})")
