r"""Sampling from a Gaussian KDE, for a batch of data sets at once.

A KDE is a mixture of one Gaussian per data point, so a draw is a data point chosen
uniformly plus :math:`h\,\mathcal N(0, I_d)`; with :math:`h = 0` it is the bootstrap.
Used by :meth:`learntheory.kde.GaussianKDE.sample` and by the recursive-KDE loop of the
model-collapse chapter.
"""

from __future__ import annotations

import torch

from learntheory._core import check_int, check_positive

__all__ = ["sample_kde"]


def sample_kde(
    data: torch.Tensor,
    n: int,
    *,
    bandwidth: float | torch.Tensor,
    generator: torch.Generator | None = None,
    return_index: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    r"""Draw ``n`` points from the Gaussian KDE of ``data``, for a batch of data sets.

    Each point is a data point chosen uniformly plus :math:`h\,\mathcal N(0, I_d)`;
    ``bandwidth = 0`` resamples the data (the bootstrap).

    Parameters
    ----------
    data : torch.Tensor, shape (..., m, d)
        One data set per leading index (``(m, d)`` for one).
    n : int
        Points drawn per data set.
    bandwidth : float or torch.Tensor of shape (...)
        :math:`h \ge 0`, one per data set or shared.
    generator : torch.Generator, optional
        Must live on the data's device.
    return_index : bool
        Also return the index of the data point each draw is centred on.

    Returns
    -------
    torch.Tensor, shape (..., n, d)
        On the data's device, in its dtype.
    torch.Tensor, shape (..., n), int64
        Only with ``return_index``: the chosen data points.

    Notes
    -----
    The KDE is a mixture of :math:`m` Gaussians, so this is exact sampling from it (the
    "smoothed bootstrap" of [Silverman1986]); book: ``collapse-kde``.
    """
    owner = "sample_kde"
    if not isinstance(data, torch.Tensor) or data.ndim < 2 or not data.is_floating_point():
        got = (f"a {data.ndim}-D {data.dtype} tensor" if isinstance(data, torch.Tensor)
               else type(data).__name__)
        raise ValueError(f"The 'data' parameter of {owner} must be a floating tensor of shape "
                         f"(..., m, d). Got {got}.")
    n = check_int(n, "n", owner=owner)
    m, d = data.shape[-2], data.shape[-1]
    batch = data.shape[:-2]
    if isinstance(bandwidth, torch.Tensor):
        h = bandwidth.to(dtype=data.dtype)
        if h.shape not in ((), batch) or bool((h < 0).any()) or not bool(h.isfinite().all()):
            raise ValueError(f"The 'bandwidth' tensor of {owner} must hold finite values >= 0, "
                             f"of shape () or {tuple(batch)}. Got shape {tuple(h.shape)}.")
        h = h.reshape(*h.shape, 1, 1) if h.ndim else h
    else:
        h = check_positive(bandwidth, "bandwidth", owner=owner, allow_zero=True)
    idx = torch.randint(m, (*batch, n), generator=generator, device=data.device)
    picked = torch.gather(data, -2, idx[..., None].expand(*batch, n, d))
    noise = torch.randn(*batch, n, d, generator=generator, device=data.device,
                        dtype=data.dtype)
    out = picked + h * noise
    return (out, idx) if return_index else out
