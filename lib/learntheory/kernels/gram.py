"""Pairwise distances and chunked Gram-matrix evaluation.

Every kernel in :mod:`learntheory.kernels` is a pure function
``k(x1, x2=None, *, <hyperparameters>, chunk_size=None) -> (n1, n2)``. The
helpers here validate the two point clouds once and evaluate a pairwise map
block by block, so that a Gram matrix whose temporaries would not fit in
(GPU) memory can still be built, and so that a caller can reduce the blocks
on the fly (:func:`gram_chunks`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from learntheory._core import check_int, check_pair

__all__ = ["gram", "gram_chunks", "squared_distances", "euclidean_distances"]

PairFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def squared_distances(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """Squared Euclidean distances ``|x1_i - x2_j|^2`` via the Gram trick, clamped at 0.

    The expansion ``|x|^2 + |y|^2 - 2 x.y`` is one matrix product (fast on any
    device); its absolute error is about ``eps * (|x|^2 + |y|^2)``, which is
    harmless inside ``exp(-d^2 / 2h^2)`` but not under a square root (use
    :func:`euclidean_distances` there). Inputs are assumed validated.
    """
    sq1 = (x1 * x1).sum(-1, keepdim=True)
    sq2 = (x2 * x2).sum(-1, keepdim=True)
    # One fused GEMM (|y|^2 - 2 x.y), then in-place updates of that fresh tensor:
    # no extra (n1, n2) temporaries, and still differentiable.
    d2 = torch.addmm(sq2.mT, x1, x2.mT, alpha=-2.0).add_(sq1)
    return d2.clamp_min_(0.0)


def euclidean_distances(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """Euclidean distances ``|x1_i - x2_j|`` from explicit differences (no cancellation)."""
    return torch.cdist(x1, x2, compute_mode="donot_use_mm_for_euclid_dist")


def _check_chunk(chunk_size: int | None, owner: str) -> int | None:
    if chunk_size is None:
        return None
    return check_int(chunk_size, "chunk_size", owner=owner, minimum=1)


def gram_chunks(
    fn: PairFn, x1: torch.Tensor, x2: torch.Tensor, chunk_size: int | None
) -> Iterator[tuple[slice, torch.Tensor]]:
    """Yield ``(rows, fn(x1[rows], x2))`` over blocks of at most ``chunk_size`` rows."""
    step = x1.shape[0] if chunk_size is None else chunk_size
    for start in range(0, x1.shape[0], step):
        rows = slice(start, min(start + step, x1.shape[0]))
        yield rows, fn(x1[rows], x2)


def gram(
    fn: PairFn,
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    chunk_size: int | None = None,
    owner: str = "gram",
) -> torch.Tensor:
    """Evaluate the pairwise map ``fn`` on all pairs, ``chunk_size`` rows at a time.

    Parameters
    ----------
    fn : callable
        ``fn(a, b) -> (len(a), len(b))`` on validated tensors.
    x1 : torch.Tensor, shape (n1, d)
    x2 : torch.Tensor, shape (n2, d), optional
        Defaults to ``x1``.
    chunk_size : int, optional
        Rows of ``x1`` per block; ``None`` evaluates everything at once.
    owner : str
        Name of the calling public function, for error messages.

    Returns
    -------
    torch.Tensor, shape (n1, n2)
        On the inputs' device, in their dtype. When ``x2`` is omitted the
        result is exactly symmetric (averaged with its transpose, which
        removes the rounding asymmetry of a matrix product).
    """
    symmetric = x2 is None
    x1, x2 = check_pair(x1, x2, owner)
    chunk_size = _check_chunk(chunk_size, owner)
    if chunk_size is None or chunk_size >= x1.shape[0]:
        out = fn(x1, x2)
    else:
        out = x1.new_empty((x1.shape[0], x2.shape[0]))
        for rows, block in gram_chunks(fn, x1, x2, chunk_size):
            out[rows] = block
    return (out + out.mT).mul_(0.5) if symmetric else out
