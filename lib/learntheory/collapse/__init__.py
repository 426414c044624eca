r"""Model collapse: generative models retrained on their own output.

Every simulator is a frozen configuration whose ``step(state, *, generator)`` refits the
model to samples of the previous generation for many independent chains at once, run by
:func:`~learntheory.collapse.simulate` into a :class:`~learntheory.collapse.History`;
beside each simulator sit the closed forms its chapter page draws over it.

Modules
-------
* :mod:`learntheory.collapse.loop`: the generation loop (``simulate``, ``History``).
* :mod:`learntheory.collapse.gaussian`: a Gaussian refitted to its own samples (replace or
  accumulate, unbiased or MLE variance) and the exact laws of the replace loop.
* :mod:`learntheory.collapse.regression`: fixed-design least squares relabelled by its own
  predictions; the replace and accumulate risks.
* :mod:`learntheory.collapse.resampling`: recursive KDE (the bootstrap loop at
  :math:`h = 0`), its variance law, and the ancestry laws of resampling.
* :mod:`learntheory.collapse.bootstrap`: out-of-bag fraction, the .632 error, percentile
  intervals for Monte Carlo numbers.
* :mod:`learntheory.collapse.mixture`: Gaussian mixtures fitted by EM, batched over chains.
* :mod:`learntheory.collapse.curation`: curated retraining (Luce choice among K samples,
  real data with ratio λ, a mixture refitted by EM).
* :mod:`learntheory.collapse.curated_laws`: its closed forms on a finite set of atoms
  (H^K, p_0 e^{tr}, the fixed point, the reward bound) and the toy's perfect learner.
* :mod:`learntheory.collapse.distillation`: self-distillation of kernel ridge regression
  (literal retraining, the closed-form diagonal, the infinite-step limit).
* :mod:`learntheory.collapse.distillation_weight`: the best label weight α from two
  trainings, and the 1-D self-distillation run the page draws.

Notation
--------
============================  ==========================================================
symbol                        argument / attribute
============================  ==========================================================
:math:`g` (or :math:`n`)      generation; ``n_generations``, ``History.generations``
:math:`M`                     ``n_samples`` (points drawn per generation)
:math:`\mu_g, \sigma_g^2`      ``mean``, ``var`` (Gaussian loop)
:math:`S`                     the variance factor :math:`\chi^2_{M-1}/c` of one refit
:math:`T, d, \sigma`          ``n_train``, ``dim``, ``noise`` (regression loop)
:math:`h`                     ``bandwidth`` (recursive KDE; 0 is the bootstrap)
:math:`K, N, \lambda`         ``n_candidates``, ``n_curated``, ``synthetic_ratio``
:math:`r`                     ``reward``
:math:`\alpha, \lambda, t`     ``alpha`` (label weight), ``ridge``, ``steps`` (distillation)
:math:`b_j^{(t)}`             ``diagonal``
============================  ==========================================================
"""

from learntheory.collapse.bootstrap import (
    BootstrapInterval,
    bootstrap_interval,
    err632,
    out_of_bag_fraction,
)
from learntheory.collapse.curated_laws import (
    CurationRun,
    ToyAtoms,
    choice_factor,
    fixed_point_law,
    perfect_learner_path,
    retrained_law,
    reward_gain_bound,
    run_curation,
    tilted_law,
    toy_atoms,
)
from learntheory.collapse.curation import (
    CurationLoop,
    CurationState,
    curation_step,
    distance_reward,
    luce_choice,
)
from learntheory.collapse.distillation import (
    DistillationPath,
    SelfDistillation,
    distillation_diagonal,
    distillation_limit,
    distillation_limit_diagonal,
    self_distill,
    self_distill_spectral,
)
from learntheory.collapse.distillation_weight import (
    DistillationRun,
    OptimalAlphaPath,
    distill_krr_1d,
    optimal_alpha,
    optimal_alpha_path,
)
from learntheory.collapse.gaussian import (
    GaussianLoop,
    GaussianMoments,
    GaussianState,
    chi_square,
    gaussian_refit_moments,
    gaussian_step,
)
from learntheory.collapse.loop import History, Simulator, simulate
from learntheory.collapse.mixture import GaussianMixture, em_step, fit_mixture, mixture_log_prob
from learntheory.collapse.regression import (
    RegressionLoop,
    RegressionState,
    regression_risk,
    regression_step,
)
from learntheory.collapse.resampling import (
    KDELoop,
    KDEState,
    coalescence_probability,
    expected_ancestors,
    kde_loop_variance,
    kde_step,
)

__all__ = [
    "BootstrapInterval",
    "bootstrap_interval",
    "err632",
    "out_of_bag_fraction",
    "GaussianLoop",
    "GaussianMoments",
    "GaussianState",
    "chi_square",
    "gaussian_refit_moments",
    "gaussian_step",
    "RegressionLoop",
    "RegressionState",
    "regression_risk",
    "regression_step",
    "KDELoop",
    "KDEState",
    "coalescence_probability",
    "expected_ancestors",
    "kde_loop_variance",
    "kde_step",
    "CurationLoop",
    "CurationRun",
    "CurationState",
    "GaussianMixture",
    "ToyAtoms",
    "choice_factor",
    "curation_step",
    "distance_reward",
    "em_step",
    "fit_mixture",
    "fixed_point_law",
    "luce_choice",
    "mixture_log_prob",
    "perfect_learner_path",
    "retrained_law",
    "reward_gain_bound",
    "run_curation",
    "tilted_law",
    "toy_atoms",
    "DistillationPath",
    "DistillationRun",
    "OptimalAlphaPath",
    "SelfDistillation",
    "distill_krr_1d",
    "distillation_diagonal",
    "distillation_limit",
    "distillation_limit_diagonal",
    "optimal_alpha",
    "optimal_alpha_path",
    "self_distill",
    "self_distill_spectral",
    "History",
    "Simulator",
    "simulate",
]
