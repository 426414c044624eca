"""Apply each listed one-line mutation to a copy of the library and check a test catches it.

The list is the contract of ``tests/README.md`` ("tests that catch wrong results"): each
entry is a plausible wrong edit that once passed every test. For each, the library is
copied to a temporary folder, the edit is applied there (the text must occur exactly
once, so a refactor that moves the line makes this script fail loudly rather than
silently test nothing), and the named tests run against the copy (it is put first on
``PYTHONPATH``). A mutant is *caught* when those tests fail.

Run: ``python scripts/check_mutants.py`` (``make mutate`` runs it before mutmut).
Exit status 1 if any listed mutant survives.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # relative to lib/learntheory
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = [
    Mutant("lazy_run: mismatch_empirical at t = 0 instead of the end",
           "ntk/lazy.py", "lr=lr, t=float(steps), discrete=True,",
           "lr=lr, t=0.0, discrete=True,", ("tests/ntk/test_lazy.py",)),
    Mutant("lazy_run: analytic kernel with sigma_b = 0",
           "ntk/lazy.py", "theta = mlp_kernels(both, config=config).ntk",
           "theta = mlp_kernels(both, config=config.replace(sigma_b=0.0)).ntk",
           ("tests/ntk/test_lazy.py",)),
    Mutant("train_mlp: the loss='mean' convention dropped",
           "ntk/training.py", 'scale = 0.5 if loss == "sum" else 0.5 / n', "scale = 0.5",
           ("tests/ntk/test_training.py",)),
    Mutant("krr_fit_1d: train MSE against the noiseless target",
           "kernels/tradeoff.py", "train_mse=float(((pred_train - data.y_train) ** 2).mean()),",
           "train_mse=float(((pred_train - data.f_train) ** 2).mean()),",
           ("tests/kernels/test_tradeoff.py",)),
    Mutant("empirical_ntk: another default method for an MLP",
           "ntk/empirical.py", 'method = "structured" if isinstance(model, MLP) else "jacobian"',
           'method = "jacobian"',
           ("tests/ntk/test_empirical.py::"
            "test_default_method_is_structured_for_an_mlp_and_jacobian_otherwise",)),
    Mutant("gradient_flow_predict: small-eigenvalue branch of the test filter zeroed",
           "ntk/dynamics.py", "eta * times[:, None].expand_as(g))",
           "torch.zeros_like(g))", ("tests/ntk/test_dynamics.py",)),
    Mutant("simulate_kde_scalar: chi2_d instead of chi2_{d-1} for the orthogonal part",
           "kde/simulation.py", "conc = torch.full(shape, (d - 1) / 2.0",
           "conc = torch.full(shape, d / 2.0",
           ("tests/kde/test_simulation.py::"
            "test_every_field_of_the_scalar_shortcut_against_a_replay",)),
    Mutant("participation_summary: h / h_G(alpha) instead of h / h_G(alpha_eff)",
           "kde/simulation.py", "ratio = sim.bandwidths / float(glass_bandwidth(a_eff))",
           "ratio = sim.bandwidths / float(glass_bandwidth(sim.alpha))",
           ("tests/kde/test_simulation.py::test_every_field_of_the_participation_summary",)),
    Mutant("weight_statistics: LSE(2s) shifted by max s instead of 2 max s",
           "kde/estimator.py", "log_().add_(mx, alpha=2.0)", "log_().add_(mx, alpha=1.0)",
           ("tests/kde/test_estimator.py::"
            "test_weight_statistics_every_field_against_explicit_weights",)),
    Mutant("log_density: Gram-trick distances not clamped at 0",
           "kde/estimator.py", "torch.minimum(s, cap, out=s)\n", "pass\n",
           ("tests/kde/test_estimator.py::test_the_kernel_never_exceeds_its_peak",)),
    Mutant("gaussian_step: the unbiased estimator divides by M",
           "collapse/gaussian.py",
           'var = centred / (count - 1 if cfg.estimator == "unbiased" else count)',
           "var = centred / count",
           ("tests/collapse/test_gaussian.py::test_the_loop_is_the_literal_refit",)),
    Mutant("regression_step: accumulate averages over one label set too few",
           "collapse/regression.py", "label_sum / (state.generation + 1)",
           "label_sum / max(state.generation, 1)",
           ("tests/collapse/test_regression.py::test_the_loop_is_least_squares_on_the_stacked_data",)),
    Mutant("kde_step: ancestry not followed through the resampling",
           "collapse/resampling.py", "ancestors=torch.gather(state.ancestors, 1, idx))",
           "ancestors=state.ancestors)",
           ("tests/collapse/test_resampling.py::test_the_loop_is_the_literal_resampling",)),
    Mutant("reward_gain_bound: the (K - 1)/K factor dropped",
           "collapse/curated_laws.py", "return mean + (k - 1) / k * var",
           "return mean + var",
           ("tests/collapse/test_curated_laws.py",)),
    Mutant("distillation_diagonal: t counted from 0",
           "collapse/distillation.py",
           "t = torch.arange(1, T + 1, device=ev.device, dtype=ev.dtype)[:, None]",
           "t = torch.arange(0, T, device=ev.device, dtype=ev.dtype)[:, None]",
           ("tests/collapse/test_distillation.py",)),
    Mutant("condition: the prior covariance instead of the posterior's",
           "inductive_bias/posterior.py", "cov = Kss - A.mT @ A", "cov = Kss + 0 * A.mT @ A",
           ("tests/inductive_bias/test_posterior.py",)),
    Mutant("error_law: eigenvalues not divided by m",
           "inductive_bias/error_law.py", "weights=lam_k / m,", "weights=lam_k,",
           ("tests/inductive_bias/test_error_law.py",)),
    Mutant("log_cdf: the 1/s of the Bromwich integrand dropped",
           "inductive_bias/tail.py",
           "psi = law.log_mgf_neg(s) + s * t - torch.log(s) - psi0",
           "psi = law.log_mgf_neg(s) + s * t - psi0",
           ("tests/inductive_bias/test_tail.py",)),
    Mutant("chernoff_log_cdf: the exponent's sign flipped",
           "inductive_bias/tail.py",
           "return float(s * t + law.log_mgf_neg(torch.tensor(s, dtype=torch.float64)))",
           "return float(-s * t + law.log_mgf_neg(torch.tensor(s, dtype=torch.float64)))",
           ("tests/inductive_bias/test_tail.py",)),
    Mutant("fit_ncx2: k/lambda off by one in the moment fit",
           "inductive_bias/fit.py", "r = math.sqrt(2.0 / (2.0 - rho)) - 2.0",
           "r = math.sqrt(2.0 / (2.0 - rho)) - 1.0", ("tests/inductive_bias/test_fit.py",)),
    Mutant("naive_bits: 1/S instead of the rule of three with no hit",
           "inductive_bias/bits.py", "upper = 1.0 - 0.05 ** (1.0 / S)", "upper = 1.0 / S",
           ("tests/inductive_bias/test_bits.py::"
            "test_naive_bits_count_and_say_what_zero_hits_still_mean",)),
]


def _run(mutant: Mutant, python: str) -> tuple[bool, float, str]:
    with tempfile.TemporaryDirectory(prefix="lt-mutant-") as tmp:
        lib = Path(tmp) / "lib"
        shutil.copytree(ROOT / "lib", lib, ignore=shutil.ignore_patterns("__pycache__"))
        target = lib / "learntheory" / mutant.path
        text = target.read_text(encoding="utf-8")
        count = text.count(mutant.old)
        if count != 1:
            raise SystemExit(f"mutant {mutant.name!r}: expected the text once in "
                             f"{mutant.path}, found it {count} times; update the list")
        target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(lib), PYTHONDONTWRITEBYTECODE="1")
        start = time.perf_counter()
        out = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                              "-m", "not gpu", *mutant.tests], cwd=ROOT, env=env,
                             capture_output=True, text=True)
        # make sure the copy, not the installed library, was imported
        probe = subprocess.run([python, "-c", "import learntheory; print(learntheory.__file__)"],
                               cwd=ROOT, env=env, capture_output=True, text=True)
        if not probe.stdout.strip().startswith(str(lib)):
            raise SystemExit(f"the mutated copy was not imported: {probe.stdout or probe.stderr}")
        tail = (out.stdout.strip().splitlines() or [""])[-1]
        if out.returncode not in (0, 1):  # 1: tests failed; anything else is not a verdict
            raise SystemExit(f"mutant {mutant.name!r}: pytest exited {out.returncode} "
                             f"({tail}); check the test paths\n{out.stdout[-2000:]}")
        return out.returncode == 1, time.perf_counter() - start, tail


def main() -> int:
    survived = []
    for m in MUTANTS:
        caught, seconds, tail = _run(m, sys.executable)
        print(f"{'caught  ' if caught else 'SURVIVED'} {seconds:6.1f} s  {m.name}  [{tail}]",
              flush=True)
        if not caught:
            survived.append(m.name)
    print(f"listed mutants: {len(MUTANTS) - len(survived)} of {len(MUTANTS)} caught")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
