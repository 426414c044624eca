r"""Model collapse: generative models retrained on their own output.

Every simulator is a frozen configuration whose ``step(state, *, generator)`` refits the
model to samples of the previous generation for many independent chains at once, run by
:func:`~learntheory.collapse.simulate` into a :class:`~learntheory.collapse.History`;
beside each simulator sit the closed forms its chapter page draws over it.

Modules
-------
* :mod:`learntheory.collapse.loop`: the generation loop (``simulate``, ``History``).
"""

from learntheory.collapse.loop import History, Simulator, simulate

__all__ = [
    "History",
    "Simulator",
    "simulate",
]
