r"""Kernel density estimation when dimension and sample size grow together.

The Gaussian KDE :math:`\hat\rho_h(x) = \frac1n\sum_i \mathcal N(x; y_i, h^2 I_d)` with
:math:`n = e^{\alpha d}` data points from :math:`\mathcal N(0, I_d)` and a bandwidth
:math:`h` that is not rescaled with :math:`d`. Mapped onto the Random Energy Model
([BiroliMezard2024]), the estimate at a test point is carried by a handful of nearest
neighbours below the glass bandwidth :math:`h_G(\alpha)`, has heavy-tailed fluctuations
up to :math:`h_{CLT} = \sqrt2\,h_G`, and Gaussian ones above. The closed forms are
derived from that mapping (the paper's abstract describes it) and checked by simulation.

Modules
-------
* :mod:`learntheory.kde.estimator`: the log-space Gaussian KDE (``log_density``,
  ``GaussianKDE``), weight statistics (participation ratio), Scott's and Silverman's rules.
* :mod:`learntheory.kde.sampling`: batched sampling from a KDE (``sample_kde``).
* :mod:`learntheory.kde.regimes`: the rarity :math:`\Sigma(h)`, the thresholds
  :math:`h_G`, :math:`h_{CLT}`, :math:`h_{KL}`, :math:`D_{\min}`, the KL per dimension
  and the finite-:math:`d` correction :math:`\alpha_{\rm eff}`.
* :mod:`learntheory.kde.neighbours`: the normalised kernel weights at a query point, and
  the regime (condensed, heavy-tailed, CLT) of a bandwidth.
* :mod:`learntheory.kde.phase`: the phase diagram on a grid of :math:`\alpha`, and
  bandwidths at given ratios of :math:`h_G(\alpha_{\rm eff})`.
* :mod:`learntheory.kde.simulation`: the direct simulation with real vectors and the exact
  scalar shortcut through (non-central) :math:`\chi^2_d` distances.

Notation
--------
=========================  ==============================================
symbol                     argument / attribute
=========================  ==============================================
:math:`x`                  ``x`` (query / test points, (m, d))
:math:`y_i`                ``data`` ((n, d))
:math:`h`                  ``bandwidth`` (``h`` in ``regimes``)
:math:`\alpha`             ``alpha`` (:math:`\ln n / d`)
:math:`d, n`               ``d``, ``n`` (:math:`n = \mathrm{round}(e^{\alpha d})`)
:math:`w_i`                normalised weights :math:`k_i / \sum_j k_j`
:math:`Y_2`                ``participation_ratio`` (:math:`\sum_i w_i^2`)
:math:`\Sigma(h)`          ``rarity(h)``
:math:`h_G, h_{CLT}`       ``glass_bandwidth``, ``clt_bandwidth``
:math:`D_{\min}, h_{KL}`   ``min_distance``, ``kl_bandwidth``
:math:`\alpha_{\rm eff}`   ``effective_alpha`` (:math:`\alpha - \ln d / 2d`)
=========================  ==============================================

Implemented equations: the Gaussian KDE and its weights; the rarity, glass, CLT and
KL-optimal bandwidths, :math:`D_{\min}`, the two-branch KL per dimension, the finite-d
correction and :math:`\mathbb E Y_2 = 1 - (h/h_G)^2` of [BiroliMezard2024] (derived
through the REM mapping, not quoted by equation number); Scott's and Silverman's rules
([Scott1992], [Silverman1986]).
"""

from learntheory.kde.estimator import (
    BANDWIDTH_RULES,
    GaussianKDE,
    WeightStatistics,
    log_density,
    scott_bandwidth,
    silverman_bandwidth,
    weight_statistics,
)
from learntheory.kde.neighbours import (
    REGIMES,
    NearestWeights,
    kde_regime,
    kernel_weights,
    nearest_weights,
)
from learntheory.kde.phase import PhaseDiagram, bandwidths_at_ratios, phase_diagram
from learntheory.kde.regimes import (
    clt_bandwidth,
    effective_alpha,
    glass_bandwidth,
    kl_bandwidth,
    kl_per_dimension,
    min_distance,
    rarity,
)
from learntheory.kde.sampling import sample_kde
from learntheory.kde.simulation import (
    KDESimulation,
    ParticipationSummary,
    participation_summary,
    sample_size,
    simulate_kde,
    simulate_kde_scalar,
)

__all__ = [
    "REGIMES",
    "NearestWeights",
    "kde_regime",
    "kernel_weights",
    "nearest_weights",
    "BANDWIDTH_RULES",
    "GaussianKDE",
    "KDESimulation",
    "ParticipationSummary",
    "PhaseDiagram",
    "WeightStatistics",
    "bandwidths_at_ratios",
    "clt_bandwidth",
    "effective_alpha",
    "glass_bandwidth",
    "kl_bandwidth",
    "kl_per_dimension",
    "log_density",
    "min_distance",
    "participation_summary",
    "phase_diagram",
    "rarity",
    "sample_kde",
    "sample_size",
    "scott_bandwidth",
    "silverman_bandwidth",
    "simulate_kde",
    "simulate_kde_scalar",
    "weight_statistics",
]
