r"""The closed forms of curated retraining, on a finite set of atoms [Ferbach2024].

For a law :math:`p` on finitely many atoms with rewards :math:`r`, the curated law of
:mod:`learntheory.collapse.curation` is exact: :math:`\hat p = p\,H^K_p`
(:func:`choice_factor`, :func:`retrained_law`); as :math:`K \to \infty` the loop gives
:math:`p_t \propto p_0 e^{t r}` (:func:`tilted_law`); with real data at ratio
:math:`\lambda` it converges to :math:`p^* = p_{\rm data}/(1 + \lambda - \lambda
e^{r}/Z^*)` (:func:`fixed_point_law`); and each round raises :math:`\mathbb E e^r` by at
least :math:`\frac{K-1}{K}\mathrm{Var}_{p}e^{r}/e^{r_*}` (:func:`reward_gain_bound`).
Because :math:`p_t/p_0` depends on :math:`x` only through :math:`r(x)`, the toy's
perfect learner is exactly a discrete law on (mode, distance) atoms (:func:`toy_atoms`,
:func:`perfect_learner_path`), which :func:`run_curation` puts beside a simulation.
Book: ``collapse-curation``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import (
    check_int,
    check_points,
    check_positive,
    make_generator,
    resolve_factory,
)
from learntheory.collapse.curation import (
    CurationLoop,
    CurationState,
    _check_k,
    _check_ratio,
)
from learntheory.collapse.loop import History, simulate

__all__ = [
    "CurationRun",
    "ToyAtoms",
    "choice_factor",
    "fixed_point_law",
    "perfect_learner_path",
    "retrained_law",
    "reward_gain_bound",
    "run_curation",
    "tilted_law",
    "toy_atoms",
]


def _check_law(probs: torch.Tensor, reward: torch.Tensor, owner: str) -> None:
    check_points(probs, "probs", owner=owner, ndim=1)
    check_points(reward, "reward", owner=owner, ndim=1, features=probs.shape[0])
    if bool((probs < 0).any()) or abs(float(probs.sum()) - 1) > 1e-9:
        raise ValueError(f"The 'probs' parameter of {owner} must be a probability vector "
                         f"(>= 0, sum 1). Got sum {float(probs.sum()):.6g}, min "
                         f"{float(probs.min()):.3g}.")


def choice_factor(probs: torch.Tensor, reward: torch.Tensor,
                  n_candidates: int | float) -> torch.Tensor:
    r"""The curation factor :math:`H^K_p` at every atom, so that :math:`\hat p = p\,H^K_p`.

    Parameters
    ----------
    probs : torch.Tensor, shape (m,)
        The law :math:`p` on ``m`` atoms.
    reward : torch.Tensor, shape (m,)
        :math:`r` at each atom.
    n_candidates : int or math.inf
        :math:`K`.

    Returns
    -------
    torch.Tensor, shape (m,)

    Notes
    -----
    With :math:`a = e^{r}` and :math:`1/s = \int_0^\infty e^{-us}\,du`,

    .. math::
        H^K_p(x) = K a_x \int_0^\infty e^{-u a_x}\,\varphi(u)^{K-1}\,du,\qquad
        \varphi(u) = \sum_i p_i e^{-u a_i},

    computed by the trapezoid rule in :math:`v = \ln u` (step :math:`h = 0.1`; the
    integrand is analytic in the strip :math:`|\mathrm{Im}\,v| < \pi/2`, so the error is
    of order :math:`e^{-\pi^2/h} \approx 10^{-43}`), truncated where the
    neglected tails are below :math:`10^{-17}` relative (for rewards spread over less than
    80 nats on the support). :math:`K = \infty` gives
    :math:`e^{r}/\mathbb E_p e^{r}`. Implements :math:`H^K` of [Ferbach2024], Sec. 2.
    """
    owner = "choice_factor"
    _check_law(probs, reward, owner)
    k = _check_k(n_candidates, owner)
    support = probs > 0
    r = reward - reward[support].max()
    if k == math.inf:
        return r.exp() / (probs * r.exp()).sum()
    if k == 1:
        return torch.ones_like(probs)
    a = r.exp()
    a_min = float(a[support].min())
    v_lo = math.log(1e-17 / k)
    v_hi = math.log(45.0 / (k * a_min)) + 1.0
    h = 0.1
    v = torch.arange(v_lo, v_hi + h, h, dtype=probs.dtype, device=probs.device)
    u = v.exp()
    log_p = torch.where(support, probs.log(), torch.full_like(probs, -math.inf))
    log_phi = torch.logsumexp(log_p[None, :] - u[:, None] * a[None, :], 1)  # (nodes,)
    log_f = -u[:, None] * a[None, :] + ((k - 1) * log_phi + v)[:, None]  # (nodes, m)
    return k * a * h * torch.logsumexp(log_f, 0).exp()


def retrained_law(probs: torch.Tensor, reward: torch.Tensor, n_candidates: int | float,
                  synthetic_ratio: float = math.inf,
                  data_probs: torch.Tensor | None = None) -> torch.Tensor:
    r"""One round of a perfect learner: :math:`p_{t+1} = (p_{\rm data} + \lambda\,p\,H^K_p)
    /(1+\lambda)`; :math:`\lambda = \infty` (default) gives :math:`p\,H^K_p`.

    ``data_probs`` (m,) is needed when ``synthetic_ratio`` is finite. Shape (m,).
    """
    owner = "retrained_law"
    lam = _check_ratio(synthetic_ratio, owner)
    curated = probs * choice_factor(probs, reward, n_candidates)
    if lam == math.inf:
        return curated
    if data_probs is None:
        raise ValueError(f"The 'data_probs' parameter of {owner} is needed when "
                         f"'synthetic_ratio' is finite. Got synthetic_ratio={lam}.")
    _check_law(data_probs, reward, owner)
    return (data_probs + lam * curated) / (1 + lam)


def tilted_law(probs: torch.Tensor, reward: torch.Tensor, t: float) -> torch.Tensor:
    r"""The :math:`K\to\infty` law after ``t`` rounds: :math:`p_t \propto p_0\,e^{t r}`.

    It is also :math:`\arg\max_p \{\mathbb E_p r - \tfrac1t \mathrm{KL}(p\,\|\,p_0)\}`:
    curated retraining is reward maximisation with a KL penalty that fades like
    :math:`1/t` ([Ferbach2024], Sec. 2). Shape (m,).
    """
    _check_law(probs, reward, "tilted_law")
    t = check_positive(t, "t", owner="tilted_law", allow_zero=True)
    log_p = torch.where(probs > 0, probs.log(), torch.full_like(probs, -math.inf))
    return torch.softmax(log_p + t * reward, 0)


def fixed_point_law(data_probs: torch.Tensor, reward: torch.Tensor,
                    synthetic_ratio: float) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The :math:`K=\infty` fixed point with real data and its :math:`Z^*`.

    .. math::
        p^* = \frac{p_{\rm data}}{1 + \lambda - \lambda e^{r}/Z^*},\qquad
        Z^* = \mathbb E_{p^*} e^{r},

    with :math:`Z^*` the root of :math:`\sum_i p^*_i = 1` (then :math:`\mathbb E_{p^*}e^r
    = Z^*` follows), found by 200 bisection steps on
    :math:`(\lambda e^{r_*}/(1+\lambda),\ e^{r_*}]`, where the sum falls from
    :math:`+\infty` to at most 1 ([Ferbach2024], Sec. 3). Returns ``(p_star (m,),
    z_star ())``.
    """
    owner = "fixed_point_law"
    _check_law(data_probs, reward, owner)
    lam = _check_ratio(synthetic_ratio, owner)
    if lam == math.inf:
        raise ValueError(f"The 'synthetic_ratio' parameter of {owner} must be finite (with "
                         "no real data the loop has no interior fixed point). Got inf.")
    r_star = reward[data_probs > 0].max()
    a = (reward - r_star).exp()

    def law(z: torch.Tensor) -> torch.Tensor:
        return data_probs / (1 + lam - lam * a / z)

    lo = torch.tensor(lam / (1 + lam), dtype=a.dtype, device=a.device)
    hi = torch.ones_like(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        too_small = law(mid).sum() > 1
        lo, hi = torch.where(too_small, mid, lo), torch.where(too_small, hi, mid)
    z = hi
    return law(z), z * r_star.exp()


def reward_gain_bound(probs: torch.Tensor, reward: torch.Tensor,
                      n_candidates: int) -> torch.Tensor:
    r"""The finite-:math:`K` lower bound on :math:`\mathbb E_{\hat p}\,e^{r}`:

    .. math::
        \mathbb E_{\hat p} e^{r} \ \ge\ \mathbb E_p e^{r}
        + \frac{K-1}{K}\,\frac{\mathrm{Var}_p\, e^{r}}{e^{r_*}},\qquad
        r_* = \max_{p_i > 0} r_i .

    Derived in the book (``collapse-curation``) after [Ferbach2024]: with
    :math:`a_i = e^{r(x_i)}`, :math:`\mathbb E_{\hat p} e^r = \mathbb E[\sum a_i^2/\sum a_i]`,
    :math:`K\sum a_i^2 - (\sum a_i)^2 \ge 0` and :math:`\sum a_i \le K e^{r_*}`. Shape ().
    """
    owner = "reward_gain_bound"
    _check_law(probs, reward, owner)
    k = check_int(n_candidates, "n_candidates", owner=owner)
    a = reward.exp()
    mean = (probs * a).sum()
    var = (probs * (a - mean) ** 2).sum()
    return mean + (k - 1) / k * var / reward[probs > 0].max().exp()


# -- the toy as atoms -------------------------------------------------------------------


@dataclass(frozen=True)
class ToyAtoms:
    r"""The data law of a :class:`CurationLoop` as a discrete law on (mode, distance) atoms.

    Attributes
    ----------
    probs : torch.Tensor, shape (m,)
        :math:`p_{\rm data}` of each atom (sum 1).
    reward : torch.Tensor, shape (m,)
        :math:`r = -R`, minus the atom's distance to the target.
    mode : torch.Tensor, shape (m,), int64
        The mixture component the atom belongs to (0 is at angle 0).
    """

    probs: torch.Tensor
    reward: torch.Tensor
    mode: torch.Tensor

    def mode_weights(self, probs: torch.Tensor) -> torch.Tensor:
        """Total mass of each mode under ``probs`` (m,): shape (n_modes,)."""
        n = int(self.mode.max()) + 1
        return probs.new_zeros(n).scatter_add(0, self.mode, probs)


def _gauss_legendre(n: int, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Nodes and weights of the n-point Gauss–Legendre rule on [-1, 1] (Golub–Welsch)."""
    k = torch.arange(1, n, dtype=dtype)
    beta = k / (4 * k * k - 1).sqrt()
    nodes, vecs = torch.linalg.eigh(torch.diag(beta, 1) + torch.diag(beta, -1))
    return nodes, 2 * vecs[0] ** 2


def toy_atoms(config: CurationLoop, *, n_grid: int = 64, width: float = 10.0,
              dtype: torch.dtype | None = None) -> ToyAtoms:
    r"""Discretise the toy's data law on the distance :math:`R = \lVert x - x_\star\rVert`.

    Under mode :math:`j` (mean :math:`\mu_j`, covariance :math:`\sigma^2 I`), :math:`R` is
    Rice-distributed with :math:`\nu_j = \lVert\mu_j - x_\star\rVert`; each mode gets
    ``n_grid`` atoms on :math:`[\max(0, \nu_j - w\sigma), \nu_j + w\sigma]` (``width``
    :math:`w`): the Gauss–Legendre nodes, weighted by the Rice density times the rule's
    weights (spectrally accurate for these analytic integrands: 50 and 400 nodes agree to
    1e-15 on the moments used in the book), renormalised to the mode's weight. Because every
    curated round multiplies the law by a function of :math:`r = -R` alone, the perfect
    learner's laws stay of the form :math:`p_0(x)\,g_t(R)`, and their mode masses and
    reward moments are those of these atoms.
    """
    owner = "toy_atoms"
    n_grid = check_int(n_grid, "n_grid", owner=owner, minimum=2)
    width = check_positive(width, "width", owner=owner)
    _, dtype = resolve_factory(None, dtype)
    mix = config.data_mixture(dtype=dtype)
    s = config.mode_std
    nu = (mix.means[0] - torch.tensor(config.target, dtype=dtype)).norm(dim=-1)  # (k,)
    nodes, gl_weights = _gauss_legendre(n_grid, dtype)
    lo = (nu - width * s).clamp_min(0)
    half = (nu + width * s - lo)[:, None] / 2
    grid = lo[:, None] + half * (nodes + 1)  # (k, n_grid)
    z = grid * nu[:, None] / s**2
    dens = grid / s**2 * torch.exp(-(grid - nu[:, None]) ** 2 / (2 * s**2)) * \
        torch.special.i0e(z)
    mass = dens * gl_weights * half
    mass = mass / mass.sum(1, keepdim=True) * mix.weights[0][:, None]
    mode = torch.arange(config.n_modes)[:, None].expand(-1, n_grid)
    return ToyAtoms(mass.flatten(), -grid.flatten(), mode.flatten())


def perfect_learner_path(config: CurationLoop, n_generations: int, *, n_grid: int = 64,
                         dtype: torch.dtype | None = None) -> dict[str, torch.Tensor]:
    r"""What a perfect learner would observe, generation by generation, for ``config``.

    Iterates :func:`retrained_law` (with ``config``'s :math:`K` and :math:`\lambda`) on
    :func:`toy_atoms` from :math:`p_0 = p_{\rm data}`. Returns, each of shape
    ``(n_generations + 1, ...)``: ``mean_reward``, ``mean_exp_reward``,
    ``var_exp_reward``, ``mode_weights`` (…, n_modes), ``best_mode_weight``; the same
    names as :meth:`CurationState.observe`.
    """
    n_generations = check_int(n_generations, "n_generations", owner="perfect_learner_path",
                              minimum=0)
    atoms = toy_atoms(config, n_grid=n_grid, dtype=dtype)
    p, rows = atoms.probs, []
    a = atoms.reward.exp()
    best = int(atoms.mode[atoms.reward.argmax()])
    for g in range(n_generations + 1):
        mean = (p * a).sum()
        modes = atoms.mode_weights(p)
        rows.append({"mean_reward": (p * atoms.reward).sum(), "mean_exp_reward": mean,
                     "var_exp_reward": (p * (a - mean) ** 2).sum(),
                     "mode_weights": modes, "best_mode_weight": modes[best]})
        if g < n_generations:
            p = retrained_law(p, atoms.reward, config.n_candidates, config.synthetic_ratio,
                              atoms.probs)
            p = p / p.sum()  # remove the quadrature's last-digit drift
    return {k: torch.stack([row[k] for row in rows]) for k in rows[0]}


@dataclass(frozen=True)
class CurationRun:
    """A simulated curation loop beside its perfect-learner prediction.

    Attributes
    ----------
    config : CurationLoop
    history : History
        The loop's observations (see :meth:`CurationState.observe`).
    theory : dict of str to torch.Tensor
        :func:`perfect_learner_path` for the same configuration and generations.
    snapshots : dict of int to torch.Tensor
        For each requested generation, ``(n_samples, 2)`` samples of chain 0's model.
    """

    config: CurationLoop
    history: History
    theory: dict[str, torch.Tensor]
    snapshots: dict[int, torch.Tensor]


def run_curation(config: CurationLoop, n_generations: int, *, n_chains: int = 1,
                 snapshot_at: tuple[int, ...] = (), n_samples: int | None = None,
                 generator: torch.Generator | None = None,
                 device: torch.device | str | None = None,
                 dtype: torch.dtype | None = None) -> CurationRun:
    """:func:`~learntheory.collapse.simulate` ``config``, keep sample snapshots of chain 0
    at the generations ``snapshot_at`` (the first ``n_samples`` candidates of that
    generation, default ``min(1000, n_curated * n_candidates)``; generation 0 is drawn
    from :math:`p_0` after the run), and add the perfect-learner prediction
    (:func:`perfect_learner_path`, in float64 on the CPU).

    Returns
    -------
    CurationRun
    """
    owner = "run_curation"
    if n_samples is None:
        n_samples = min(1000, config.n_curated * config.n_candidates)
    n_samples = check_int(n_samples, "n_samples", owner=owner)
    if n_samples > config.n_curated * config.n_candidates:
        raise ValueError(f"The 'n_samples' parameter of {owner} must be <= n_curated * "
                         f"n_candidates = {config.n_curated * config.n_candidates}. "
                         f"Got {n_samples} instead.")
    wanted = set(snapshot_at)
    if any(not 0 <= g <= n_generations for g in wanted):
        raise ValueError(f"The 'snapshot_at' parameter of {owner} must hold generations in "
                         f"[0, {n_generations}]. Got {snapshot_at!r} instead.")
    snaps: dict[int, torch.Tensor] = {}

    def keep(g: int, state: CurationState) -> None:
        if g in wanted:
            snaps[g] = state.candidates[0].reshape(-1, 2)[:n_samples]

    history = simulate(config, n_generations, n_chains=n_chains, generator=generator,
                       device=device, dtype=dtype, callback=keep)
    if 0 in wanted:
        first = history["mean_reward"]
        gen = generator if generator is not None else make_generator(1, first.device)
        snaps[0] = config.data_mixture(1, device=first.device, dtype=first.dtype).sample(
            n_samples, generator=gen)[0]
    theory = perfect_learner_path(config, n_generations, dtype=torch.float64)
    return CurationRun(config, history, theory, dict(sorted(snaps.items())))
