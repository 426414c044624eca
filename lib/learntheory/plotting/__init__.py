"""Figures (matplotlib only). Functions draw on given Axes and return the artists;
none calls ``plt.show()``. Numeric work happens in the numeric subpackages."""

from learntheory.plotting.collapse import (
    plot_chain_mean,
    plot_densities,
    plot_risk_laws,
    plot_theory,
    plot_variance_fan,
)
from learntheory.plotting.collapse_curation import (
    plot_curation_path,
    plot_curation_run,
    plot_curation_samples,
    plot_fixed_point,
)
from learntheory.plotting.collapse_distillation import (
    plot_distillation_diagonal,
    plot_distillation_fits,
    plot_distillation_losses,
    plot_optimal_alpha,
)
from learntheory.plotting.inductive_bias import (
    plot_bits_curve,
    plot_bits_points,
    plot_error_histogram,
    plot_figure_legend,
    plot_fit_convergence,
    plot_fit_spread,
    plot_log_tail,
    plot_marker,
    plot_toy_hypotheses,
)
from learntheory.plotting.inductive_bias_tasks import (
    plot_bits_against,
    plot_bits_by_space,
    plot_error_parts,
)
from learntheory.plotting.kde import (
    plot_participation,
    plot_phase_diagram,
    plot_phase_points,
    plot_top_weights,
    plot_y2_histogram,
)
from learntheory.plotting.kernels import (
    plot_eigenfunctions,
    plot_error_curves,
    plot_filters,
    plot_fit_path,
    plot_gram,
    plot_kernel_slices,
    plot_krr_fit,
    plot_spectrum,
)
from learntheory.plotting.ntk import (
    plot_loglog_fit,
    plot_ntk_slices,
    plot_output_ensemble,
    plot_output_histogram,
    plot_output_scatter,
)
from learntheory.plotting.ntk_training import (
    plot_feature_learning,
    plot_flow_comparison,
    plot_kernel_fit,
    plot_lazy_rates,
    plot_lazy_run,
    plot_mode_residuals,
    plot_ntk_fluctuations,
    plot_training_filters,
)
from learntheory.plotting.style import PALETTE, new_figure

__all__ = [
    "plot_chain_mean",
    "plot_risk_laws",
    "plot_densities",
    "plot_theory",
    "plot_variance_fan",
    "PALETTE",
    "new_figure",
    "plot_curation_path",
    "plot_curation_run",
    "plot_curation_samples",
    "plot_fixed_point",
    "plot_distillation_diagonal",
    "plot_distillation_fits",
    "plot_distillation_losses",
    "plot_optimal_alpha",
    "plot_eigenfunctions",
    "plot_error_curves",
    "plot_feature_learning",
    "plot_filters",
    "plot_flow_comparison",
    "plot_fit_path",
    "plot_gram",
    "plot_kernel_slices",
    "plot_kernel_fit",
    "plot_krr_fit",
    "plot_lazy_rates",
    "plot_lazy_run",
    "plot_loglog_fit",
    "plot_mode_residuals",
    "plot_ntk_fluctuations",
    "plot_ntk_slices",
    "plot_output_ensemble",
    "plot_output_histogram",
    "plot_output_scatter",
    "plot_participation",
    "plot_phase_diagram",
    "plot_phase_points",
    "plot_spectrum",
    "plot_top_weights",
    "plot_training_filters",
    "plot_y2_histogram",
    "plot_bits_curve",
    "plot_bits_points",
    "plot_error_histogram",
    "plot_figure_legend",
    "plot_fit_convergence",
    "plot_fit_spread",
    "plot_log_tail",
    "plot_marker",
    "plot_toy_hypotheses",
    "plot_bits_against",
    "plot_bits_by_space",
    "plot_error_parts",
]
