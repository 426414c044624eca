r"""Inductive bias: how many bits of prior knowledge a task demands of a hypothesis space.

The inductive bias a task requires, relative to a hypothesis space with a sampling law, is
:math:`I(\varepsilon) = -\log_2\Pr_h[e(h) \le \varepsilon]`: the information needed to pick
a hypothesis with test error at most :math:`\varepsilon` among those that fit the training
data [Boopathy2024]. For a kernel hypothesis space the hypotheses are Gaussian, their
test errors follow a generalized chi-square law exactly, and the paper's sample-and-fit
estimator can be checked against that law.

Modules
-------
* :mod:`learntheory.inductive_bias.posterior`: the interpolating GP posterior
  (``condition``) and batched hypothesis draws (``sample_hypotheses``).
* :mod:`learntheory.inductive_bias.gchi2`: the generalized chi-square law
  (``GeneralizedChi2``, ``scaled_ncx2``): cumulants, Laplace transform, sampling.
* :mod:`learntheory.inductive_bias.tail`: its lower tail, exactly (``log_cdf``, Bromwich
  inversion on the saddle-point line) and as the Chernoff bound (``chernoff_log_cdf``).
* :mod:`learntheory.inductive_bias.error_law`: test errors of hypotheses (``test_errors``)
  and their exact law (``error_law``).
* :mod:`learntheory.inductive_bias.fit`: the scaled noncentral chi-square fitted to errors
  (``fit_ncx2``: three-cumulant or maximum likelihood).
* :mod:`learntheory.inductive_bias.bits`: bits by counting (``naive_bits``), by the fit
  with a bootstrap (``fitted_bits``), and from a law (``exact_bits``, ``law_bits``).
* :mod:`learntheory.inductive_bias.algorithm`: the whole procedure (Algorithm 1 of the
  paper) as a scikit-learn style object (``InductiveBias``).
* :mod:`learntheory.inductive_bias.experiments`: the chapter's experiments (convergence of
  the fit in S, bits against dimension and against the kernel).
* :mod:`learntheory.inductive_bias.tasks`: the exact coordinate toy, spheres of chosen
  intrinsic dimension with a ReLU teacher, and scikit-learn's digits.
* :mod:`learntheory.inductive_bias.model_classes`: the compared spaces (Gaussian at the
  median bandwidth, random features, NNGP and NTK of several depths).

Notation
--------
============================  ==========================================================
symbol                        argument / attribute
============================  ==========================================================
:math:`\varepsilon`           ``epsilon`` (target test error, an MSE)
:math:`I(\varepsilon)`        ``bits`` (base 2)
:math:`S`                     ``n_hypotheses`` / ``n_samples``
:math:`n, m`                  training and test points
:math:`\mu, \Sigma_*`         ``KernelPosterior.mean``, ``KernelPosterior.cov``
:math:`w_j, k_j, \lambda_j`   ``weights``, ``dofs``, ``noncentralities``
:math:`e_0`                   ``offset`` / ``floor`` (smallest attainable error)
:math:`c, k, \lambda`         ``scale``, ``df``, ``nc`` of a fitted scaled ncx2
:math:`d`                     ``intrinsic_dim`` (task dimension)
============================  ==========================================================
"""

from learntheory.inductive_bias.algorithm import InductiveBias
from learntheory.inductive_bias.bits import (
    BitsEstimate,
    LawBits,
    NaiveBits,
    exact_bits,
    fitted_bits,
    law_bits,
    naive_bits,
)
from learntheory.inductive_bias.error_law import error_law, test_errors
from learntheory.inductive_bias.experiments import (
    DimensionSweep,
    FitConvergence,
    bits_by_dimension,
    bits_by_kernel,
    fit_convergence,
    moment_matched,
    task_law,
)
from learntheory.inductive_bias.fit import MIN_SAMPLES, Ncx2Fit, fit_ncx2, sample_cumulants
from learntheory.inductive_bias.gchi2 import GeneralizedChi2, scaled_ncx2
from learntheory.inductive_bias.model_classes import (
    RandomFeatureKernel,
    median_bandwidth,
    model_class_kernels,
    prior_scaled,
)
from learntheory.inductive_bias.posterior import (
    KernelPosterior,
    NoInterpolant,
    condition,
    default_jitter,
    sample_hypotheses,
)
from learntheory.inductive_bias.tail import chernoff_log_cdf, log_cdf
from learntheory.inductive_bias.tasks import (
    Task,
    ToyTask,
    coordinate_toy,
    digits_task,
    sphere_task,
)

__all__ = [
    "MIN_SAMPLES",
    "BitsEstimate",
    "DimensionSweep",
    "FitConvergence",
    "GeneralizedChi2",
    "InductiveBias",
    "KernelPosterior",
    "LawBits",
    "NaiveBits",
    "NoInterpolant",
    "Ncx2Fit",
    "RandomFeatureKernel",
    "Task",
    "ToyTask",
    "bits_by_dimension",
    "bits_by_kernel",
    "chernoff_log_cdf",
    "condition",
    "coordinate_toy",
    "default_jitter",
    "digits_task",
    "error_law",
    "exact_bits",
    "fit_ncx2",
    "fit_convergence",
    "fitted_bits",
    "law_bits",
    "log_cdf",
    "median_bandwidth",
    "model_class_kernels",
    "moment_matched",
    "naive_bits",
    "prior_scaled",
    "sample_cumulants",
    "sample_hypotheses",
    "scaled_ncx2",
    "sphere_task",
    "task_law",
    "test_errors",
]
