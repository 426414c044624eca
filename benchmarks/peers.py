"""Importing the peer library neural-tangents without TensorFlow (tests and benchmarks).

``make peers`` installs neural-tangents 0.6.5 with ``--no-deps`` beside a CPU ``jax``
(the ``peers`` extra of pyproject.toml): its declared dependencies ``tensorflow`` and
``tf2jax`` (~600 MB) serve only ``neural_tangents.experimental``, the TF interop, which we
do not use. Two shims make the rest importable and working; nothing else is changed:

1. ``neural_tangents/__init__.py`` runs ``from . import experimental``, whose module imports
   ``tensorflow`` at the top. Without TensorFlow an empty ``neural_tangents.experimental``
   module is registered first, so that import finds it.
2. ``NtkImplementation.STRUCTURED_DERIVATIVES`` reads ``jax.interpreters.ad.source_info_util``
   and ``ad.config``, names the public ``jax.interpreters.ad`` shim no longer re-exports
   (absent from jax 0.4.26 on; jaxlib < 0.4.26 has no build for NumPy 2). They are set to
   the objects they named (``jax._src.source_info_util``, ``jax.config``).

With both, jax 0.5.3 runs stax ``kernel_fn`` and all three ``empirical_ntk_fn``
implementations (jax 0.6 drops ``jax.core.Jaxpr``, which neural-tangents imports).
"""

from __future__ import annotations

import importlib.util
import sys
import types


def load_neural_tangents(*, x64: bool = True):
    """``(neural_tangents, jax)`` (float64 enabled if ``x64``), or ``None`` if either is missing."""
    if importlib.util.find_spec("jax") is None or importlib.util.find_spec(
            "neural_tangents") is None:
        return None
    import jax
    from jax.interpreters import ad

    jax.config.update("jax_enable_x64", x64)
    if importlib.util.find_spec("tensorflow") is None:
        sys.modules.setdefault("neural_tangents.experimental",
                               types.ModuleType("neural_tangents.experimental"))
    if not hasattr(ad, "source_info_util"):
        from jax._src import source_info_util

        ad.source_info_util = source_info_util
    if not hasattr(ad, "config"):
        ad.config = jax.config
    import neural_tangents

    return neural_tangents, jax
