r"""Neural tangent kernels: the finite network beside its infinite-width limit.

A fully-connected network with L hidden layers of width n, trained by
gradient descent on the squared loss, moves in function space along its
*neural tangent kernel* :math:`\hat\Theta(x,x') = \sum_p\partial_pf(x)\partial_pf(x')`.
In NTK parameterization, as :math:`n\to\infty`, :math:`\hat\Theta` converges to a
deterministic :math:`\Theta` given by a layer recursion and stays fixed during
training, so training is kernel regression with :math:`\Theta` (the lazy
regime); fluctuations and kernel movement are :math:`O(n^{-1/2})`. In muP the
features move by :math:`\Theta(1)` instead (feature learning).

Modules
-------
* :mod:`learntheory.ntk.config`: :class:`MLPConfig`, one frozen configuration
  shared by the finite network and its infinite-width kernels.
* :mod:`learntheory.ntk.mlp`: the finite network in three parameterizations.
* :mod:`learntheory.ntk.analytic`: the NNGP/NTK layer recursions.
* :mod:`learntheory.ntk.empirical`: the empirical NTK by three algorithms.
* :mod:`learntheory.ntk.dynamics`: closed-form kernel gradient flow and descent.
* :mod:`learntheory.ntk.training`: full-batch gradient descent on the network, recorded.
* :mod:`learntheory.ntk.ensembles`: outputs and NTK rows of many random networks
  (NNGP, concentration).
* :mod:`learntheory.ntk.kernel_change`: the NTK change of a trained network split into its
  readout, hidden and cross parts.
* :mod:`learntheory.ntk.activation_flips`: the ReLU's activation flips, split into the part
  even in the readout weights (coherent) and the odd part (a random walk).
* :mod:`learntheory.ntk.kurtosis`: the excess kurtosis of the output, measured (with its
  standard error) and exact for ReLU networks.
* :mod:`learntheory.ntk.fluctuations`: NTK fluctuations against depth/width.
* :mod:`learntheory.ntk.lazy`: networks against their kernel prediction (lazy regime).
* :mod:`learntheory.ntk.eigen_dynamics`: the residual along the NTK's eigenspaces.
* :mod:`learntheory.ntk.feature_learning`: feature movement, NTK against muP.

Notation
--------
=====================================  ==========================================
symbol                                 argument / attribute
=====================================  ==========================================
:math:`d = n_0`                        ``in_dim`` (input dimension)
:math:`n`                              ``width``
:math:`L`                              ``depth`` (number of hidden layers)
:math:`O`                              ``out_dim``
:math:`\sigma`                         ``activation`` ("relu", "erf")
:math:`\sigma_w,\ \sigma_b`            ``sigma_w``, ``sigma_b`` (Jacot's β = σ_b)
:math:`m_\ell,\ m^b_\ell`              ``MLP.weight_multipliers``, ``MLP.bias_multipliers``
:math:`\Sigma^{L+1}`                   ``KernelPair.nngp``
:math:`\Theta^{L+1}`                   ``KernelPair.ntk``
:math:`\hat\Theta`                     ``empirical_ntk(...)``
:math:`\Delta^\ell,\ A^\ell`           backward signals, post-activations (``MLP.features``)
:math:`\eta,\ t`                       ``lr``, ``t``
:math:`f_0`                            ``f0_train``, ``f0_test``
=====================================  ==========================================

Conventions: ``output="trace"`` is the *mean* over output units of the
diagonal NTK blocks; ``loss="sum"`` is :math:`\tfrac12\sum_i` (rate η),
``loss="mean"`` is :math:`\tfrac1{2N}\sum_i` (rate η/N); one global learning
rate acts on the raw parameters in every parameterization.

Implemented equations
---------------------
* network in NTK / standard / muP parameterization: [Jacot2018];
  [YangHu2021] (abc form); book: ``eq-mup``.
* NNGP recursion: [Lee2018]; [Jacot2018]; book: ``eq-nngp-recursion``.
* NTK recursion: [Jacot2018]; book: ``eq-ntk-recursion``.
* dual activations: [ChoSaul2009], [Williams1997] (in :mod:`learntheory.kernels.dual`).
* empirical NTK (Jacobian contraction, NTK-vector products, structured MLP
  formula): [Novak2022]; book: ``eq-structured-ntk``.
* linearised gradient-flow predictions: [Lee2019]; book: ``eq-gradient-flow``.
* NTK fluctuations: [HaninNica2020]; book: ``eq-ntk-fluctuations``.
* feature learning in muP: [YangHu2021]; book: ``eq-mup``.
"""

from learntheory.ntk.activation_flips import (
    FLIP_FIELDS,
    FlipParts,
    FlipSweep,
    activation_flip_parts,
    flip_sweep,
)
from learntheory.ntk.analytic import KernelPair, mlp_kernels, mlp_nngp, mlp_ntk
from learntheory.ntk.config import MLPConfig
from learntheory.ntk.dynamics import FlowPrediction, gradient_flow_predict
from learntheory.ntk.eigen_dynamics import (
    eigenspaces,
    mode_deviation,
    mode_residuals,
    predicted_mode_residuals,
)
from learntheory.ntk.empirical import NTK_METHODS, NTK_OUTPUTS, empirical_ntk
from learntheory.ntk.ensembles import (
    NTKSlices,
    OutputEnsemble,
    ntk_relative_errors,
    ntk_slices,
    output_ensemble,
    sample_network_outputs,
)
from learntheory.ntk.feature_learning import FeatureSweep, feature_change_sweep
from learntheory.ntk.fluctuations import (
    NTKFluctuations,
    fluctuation_rate,
    ntk_diagonal_samples,
    ntk_relative_variance,
    relu_ntk_moment_ratio,
)
from learntheory.ntk.kernel_change import KernelChangeParts, kernel_change_parts
from learntheory.ntk.kurtosis import excess_kurtosis, excess_kurtosis_se, relu_excess_kurtosis
from learntheory.ntk.lazy import LazyRun, LazySweep, lazy_run, lazy_training_sweep
from learntheory.ntk.mlp import ACTIVATIONS, MLP, PARAMETERIZATIONS, make_mlp
from learntheory.ntk.training import TrainHistory, relative_feature_change, train_mlp

__all__ = [
    "FLIP_FIELDS",
    "FlipParts",
    "FlipSweep",
    "activation_flip_parts",
    "flip_sweep",
    "KernelChangeParts",
    "kernel_change_parts",
    "ACTIVATIONS",
    "FeatureSweep",
    "FlowPrediction",
    "KernelPair",
    "LazyRun",
    "LazySweep",
    "MLP",
    "MLPConfig",
    "NTKFluctuations",
    "NTKSlices",
    "OutputEnsemble",
    "NTK_METHODS",
    "NTK_OUTPUTS",
    "PARAMETERIZATIONS",
    "TrainHistory",
    "eigenspaces",
    "empirical_ntk",
    "fluctuation_rate",
    "mode_deviation",
    "mode_residuals",
    "ntk_diagonal_samples",
    "ntk_relative_variance",
    "predicted_mode_residuals",
    "feature_change_sweep",
    "lazy_run",
    "lazy_training_sweep",
    "gradient_flow_predict",
    "make_mlp",
    "mlp_kernels",
    "mlp_nngp",
    "mlp_ntk",
    "excess_kurtosis",
    "excess_kurtosis_se",
    "ntk_relative_errors",
    "ntk_slices",
    "output_ensemble",
    "relu_excess_kurtosis",
    "relu_ntk_moment_ratio",
    "sample_network_outputs",
    "relative_feature_change",
    "train_mlp",
]
