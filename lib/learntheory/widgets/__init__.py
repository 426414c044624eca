"""Interactive explorers (ipywidgets only; everything numeric comes from the other layers).

Each chapter's explorers are built here from one definition: a parameter
grid and a draw function that calls the numeric subpackage and
:mod:`learntheory.plotting`. See :class:`Explorer` for the live/static pair.
"""

from learntheory.widgets.collapse import explore_gaussian_loop, explore_replace_accumulate
from learntheory.widgets.collapse_curation import explore_curation
from learntheory.widgets.collapse_distillation import explore_self_distillation
from learntheory.widgets.explorer import Explorer
from learntheory.widgets.inductive_bias import explore_bandwidth_bits, explore_toy_bits
from learntheory.widgets.kde import explore_nearest_weights, explore_participation
from learntheory.widgets.kernels import explore_krr
from learntheory.widgets.ntk import explore_nngp, explore_ntk_concentration
from learntheory.widgets.ntk_training import (
    explore_feature_learning,
    explore_lazy_training,
    explore_spectral_dynamics,
)

__all__ = [
    "explore_gaussian_loop",
    "explore_replace_accumulate",
    "Explorer",
    "explore_curation",
    "explore_feature_learning",
    "explore_krr",
    "explore_nearest_weights",
    "explore_self_distillation",
    "explore_lazy_training",
    "explore_nngp",
    "explore_ntk_concentration",
    "explore_participation",
    "explore_spectral_dynamics",
    "explore_bandwidth_bits",
    "explore_toy_bits",
]
