r"""One configuration for a fully-connected network and its infinite-width kernels.

A finite network (:func:`~learntheory.ntk.mlp.make_mlp`) and its NNGP/NTK
(:func:`~learntheory.ntk.analytic.mlp_kernels`) agree only when they share
depth, activation, :math:`\sigma_w` and :math:`\sigma_b`. :class:`MLPConfig`
holds these once, so that an experiment builds both from the same object and
they cannot silently disagree (neural-tangents gets the same guarantee from one
``stax`` definition yielding ``init_fn``, ``apply_fn`` and ``kernel_fn``).

``width=None`` stands for the infinite-width network: enough for the kernels,
not for :func:`make_mlp`. Sweeps over widths take one configuration and
replace its width with :meth:`MLPConfig.with_width`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from learntheory._core import check_choice, check_instance, check_int, check_positive

__all__ = ["ACTIVATION_NAMES", "MLPConfig", "PARAMETERIZATIONS", "resolve_config"]

#: Parameterizations of :func:`~learntheory.ntk.mlp.make_mlp` (abc forms).
PARAMETERIZATIONS = ("ntk", "standard", "mup")
#: Activations with both a finite-network form and a closed-form dual.
ACTIVATION_NAMES = ("relu", "erf")


@dataclass(frozen=True)
class MLPConfig:
    r"""Architecture and initialisation of a fully-connected network, in one frozen object.

    Parameters
    ----------
    depth : int
        Number of hidden layers :math:`L` (>= 1).
    width : int or None
        Hidden width :math:`n` (>= 1); ``None`` means infinite width (kernels only).
    activation : {"relu", "erf"}
    sigma_w : float
        Weight scale :math:`\sigma_w > 0`; the default :math:`\sqrt2` keeps the scale of
        ReLU activations constant with depth.
    sigma_b : float
        Bias scale :math:`\sigma_b \ge 0` (Jacot's :math:`\beta`).
    parameterization : {"ntk", "standard", "mup"}
        How the raw parameters enter the forward pass (see :mod:`learntheory.ntk.mlp`).

    Raises
    ------
    TypeError, ValueError
        Naming the field, what was expected and what was received.

    Examples
    --------
    >>> import learntheory as lt
    >>> cfg = lt.ntk.MLPConfig(depth=2, sigma_b=0.1)
    >>> cfg.with_width(512).width, cfg.width  # None: the infinite-width network
    (512, None)
    """

    depth: int
    width: int | None = None
    activation: str = "relu"
    sigma_w: float = math.sqrt(2.0)
    sigma_b: float = 0.0
    parameterization: str = "ntk"

    def __post_init__(self) -> None:
        owner = "MLPConfig"
        object.__setattr__(self, "depth", check_int(self.depth, "depth", owner=owner))
        if self.width is not None:
            object.__setattr__(self, "width", check_int(self.width, "width", owner=owner))
        check_choice(self.activation, "activation", ACTIVATION_NAMES, owner=owner)
        check_choice(self.parameterization, "parameterization", PARAMETERIZATIONS, owner=owner)
        object.__setattr__(self, "sigma_w", check_positive(self.sigma_w, "sigma_w", owner=owner))
        object.__setattr__(self, "sigma_b", check_positive(self.sigma_b, "sigma_b", owner=owner,
                                                           allow_zero=True))

    def with_width(self, width: int) -> MLPConfig:
        """The same network at another (finite) width."""
        return dataclasses.replace(self, width=width)

    def replace(self, **changes) -> MLPConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def require_width(self, owner: str) -> int:
        """The finite width, or a ValueError naming ``owner`` if the width is infinite."""
        if self.width is None:
            raise ValueError(f"The 'config' parameter of {owner} must have a finite width. Got "
                             f"width=None (infinite width); use config.with_width(n).")
        return self.width


def resolve_config(
    config: MLPConfig | None, owner: str, *, allow_infinite: bool = True, **fields
) -> MLPConfig:
    """Return ``config``, or build one from keyword ``fields`` (those not ``None``).

    Functions that accept both ``config=`` and the individual keywords route
    through here, so that the keyword defaults are :class:`MLPConfig`'s and
    giving both is an error rather than a silent override.
    """
    given = {k: v for k, v in fields.items() if v is not None}
    if config is not None:
        check_instance(config, "config", MLPConfig, owner=owner)
        if given:
            raise ValueError(f"The 'config' parameter of {owner} cannot be combined with "
                             f"{sorted(given)}. Got both; put them in the MLPConfig instead.")
        cfg = config
    else:
        if "depth" not in given:
            raise TypeError(f"{owner} needs 'config' (an MLPConfig) or at least 'depth'. "
                            f"Got neither.")
        try:
            cfg = MLPConfig(**given)
        except (TypeError, ValueError) as err:
            raise type(err)(str(err).replace("of MLPConfig", f"of {owner}")) from None
    if not allow_infinite:
        cfg.require_width(owner)
    return cfg


def layer_widths(width, depth: int, owner: str) -> list[int]:
    """One width per hidden layer: ``width`` repeated ``depth`` times if it is an int, else
    the sequence itself, which must hold ``depth`` widths (errors name ``owner``)."""
    if isinstance(width, int):
        return [check_int(width, "width", owner=owner)] * depth
    widths = [check_int(w, "width", owner=owner) for w in width]
    if len(widths) != depth:
        raise ValueError(f"The 'width' parameter of {owner} must hold one width per hidden "
                         f"layer ({depth}). Got {len(widths)} widths instead.")
    return widths
