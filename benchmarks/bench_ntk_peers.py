"""Our empirical NTK beside neural-tangents' three ``empirical_ntk_fn`` implementations.

Run from the repository root (``make bench`` runs it with the others)::

    .venv/bin/python -c "import benchmarks.bench_ntk_peers as b; b.run()"

The same network on both sides (ReLU MLP, d = 64, width 1024, depth 3, scalar output, NTK
parameterization, float32, CPU; our weights copied into the stax parameters) at n = 256 and
n = 1024, x2 = None. neural-tangents: ``jax.jit`` of ``nt.empirical_ntk_fn`` with
``vmap_axes=0`` and ``trace_axes=(-1,)``, compiled and warmed up before timing, each call
ended by ``block_until_ready``; ours: ``lt.ntk.empirical_ntk`` (``"structured"``), warmed up.
Median of repeats. Prints each time, the ratio of neural-tangents' time to ours, and the
thread pools of both sides (threadpoolctl sees torch's OpenMP/BLAS; XLA's CPU client runs
its own Eigen pool, one thread per core, which threadpoolctl cannot see). Skipped with a
printed line when neural-tangents is not installed (``make peers``).
"""

from __future__ import annotations

import os

import numpy as np
import torch

import learntheory as lt
from benchmarks.peers import load_neural_tangents
from benchmarks.timing import median_time

D, WIDTH, DEPTH, NS = 64, 1024, 3, (256, 1024)
#: Jacobian contraction stores the (n, P) Jacobian, and the vmapped NTK-vector products as
#: many parameter-sized vectors; above this size they are skipped (24 GiB machine: at n = 1024
#: it is 8.3 GiB, and XLA's copies while contracting got the process killed).
JAC_LIMIT_BYTES = 4 * 2**30


def _thread_report() -> list[str]:
    lines = [f"  torch: {torch.get_num_threads()} intra-op threads, "
             f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}"]
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return lines + ["  (threadpoolctl not installed)"]
    for pool in threadpool_info():
        lines.append(f"  threadpoolctl: {pool['user_api']:6s} {pool['internal_api']:9s} "
                     f"{pool['num_threads']} threads  ({os.path.basename(pool['filepath'])})")
    lines.append(f"  jax/XLA: own Eigen pool, {os.cpu_count()} CPUs visible "
                 f"(XLA_FLAGS={os.environ.get('XLA_FLAGS', 'unset')})")
    return lines


def run() -> list[str]:
    """Run the comparison, print plain-text lines and return them."""
    lines: list[str] = []

    def say(s: str) -> None:
        lines.append(s)
        print(s, flush=True)

    loaded = load_neural_tangents(x64=False)
    if loaded is None:
        say("neural-tangents benchmark skipped: neural-tangents is not installed (make peers)")
        return lines
    nt, jax = loaded
    jnp = jax.numpy
    stax = nt.stax
    say(f"empirical NTK against neural-tangents {nt.__version__} (jax {jax.__version__}): "
        f"torch {torch.__version__}, float32, CPU")
    say(f"model: MLP d={D}, width={WIDTH}, depth={DEPTH} (ReLU, NTK param), scalar output, "
        "x2 = None")
    layers = []
    for _ in range(DEPTH):
        layers += [stax.Dense(WIDTH, W_std=2**0.5, b_std=0.0, parameterization="ntk"),
                   stax.Relu()]
    layers.append(stax.Dense(1, W_std=2**0.5, b_std=0.0, parameterization="ntk"))
    init_fn, apply_fn, _ = stax.serial(*layers)
    gen = torch.Generator().manual_seed(0)
    net = lt.ntk.make_mlp(D, WIDTH, DEPTH, sigma_w=2**0.5, dtype=torch.float32, generator=gen)
    _, shapes = init_fn(jax.random.PRNGKey(0), (1, D))
    params, k = [], 0
    for p in shapes:
        if p == ():
            params.append(())
            continue
        params.append((jnp.asarray(net.weights[k].detach().numpy().T),
                       jnp.asarray(net.biases[k].detach().numpy()).reshape(p[1].shape)))
        k += 1
    impls = {
        "jacobian_contraction": nt.NtkImplementation.JACOBIAN_CONTRACTION,
        "ntk_vector_products": nt.NtkImplementation.NTK_VECTOR_PRODUCTS,
        "structured_derivatives": nt.NtkImplementation.STRUCTURED_DERIVATIVES,
    }
    n_params = sum(w.numel() for w in net.weights) + sum(b.numel() for b in net.biases)
    rows = []
    for n in NS:
        x = torch.randn(n, D, generator=gen, dtype=torch.float32)
        xj = jnp.asarray(x.numpy())
        ours_k = lt.ntk.empirical_ntk(net, x)
        t_ours = median_time(lambda xx=x: lt.ntk.empirical_ntk(net, xx), 5, warmup=2)
        say(f"  measured n={n} learntheory structured: {t_ours * 1e3:.1f} ms")
        times, errs = {}, {}
        for name, impl in impls.items():
            if name != "structured_derivatives" and n * n_params * 4 > JAC_LIMIT_BYTES:
                say(f"  (n={n}: {name} skipped: it holds n x P = "
                    f"{n * n_params * 4 / 2**30:.1f} GiB of per-input gradients)")
                continue
            fn = jax.jit(nt.empirical_ntk_fn(apply_fn, trace_axes=(-1,), vmap_axes=0,
                                             implementation=impl))
            theirs = np.asarray(fn(xj, None, params).block_until_ready())  # compile + warm
            errs[name] = float(np.abs(ours_k.numpy() - theirs).max() / np.abs(theirs).max())
            reps = 3 if name == "structured_derivatives" else 1
            times[name] = median_time(
                lambda f=fn, xx=xj: f(xx, None, params).block_until_ready(), reps, warmup=1)
            say(f"  measured n={n} {name}: {times[name] * 1e3:.1f} ms")
        rows.append((n, t_ours, times, errs))
    say("time (ms), median after warm-up; ratio = neural-tangents time / ours "
        "(> 1: ours faster); max |diff| / max |Theta| in float32")
    say(f"  {'n':>5s} {'method':<32s} {'time':>10s} {'ratio':>7s} {'diff':>9s}")
    for n, t_ours, times, errs in rows:
        say(f"  {n:5d} {'learntheory structured':<32s} {t_ours * 1e3:10.1f} {'1.0':>7s} "
            f"{'-':>9s}")
        for name in times:
            say(f"  {n:5d} {'nt ' + name:<32s} {times[name] * 1e3:10.1f} "
                f"{times[name] / t_ours:7.1f} {errs[name]:9.1e}")
        best = min(times, key=times.get)
        verdict = "ahead" if t_ours < times[best] else "BEHIND"
        say(f"  n={n}: ours {verdict} of neural-tangents' best ({best}) by "
            f"{times[best] / t_ours:.2f}x")
    say("threads:")
    for line in _thread_report():
        say(line)
    return lines


if __name__ == "__main__":
    run()
