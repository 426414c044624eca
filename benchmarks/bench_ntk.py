"""Benchmark of the three empirical-NTK algorithms of :func:`learntheory.ntk.empirical_ntk`.

Run from the repository root::

    .venv/bin/python -c "import benchmarks.bench_ntk as b; b.run()"

What it measures (float32, CPU, all threads torch uses by default):

1. Time of the torch.func Jacobian-contraction baseline (``method="jacobian"``)
   against ``"ntk_vp"`` and ``"structured"`` at width 1024, depth 3, n = 256,
   d = 64, side by side in this process (median of repeats after a warm-up).
2. Peak memory of each method. torch's CPU allocations are invisible to
   tracemalloc, so each method runs once in a fresh subprocess (Linux): the
   peak-RSS counter is reset just before the call (``/proc/self/clear_refs``)
   and we report peak RSS during the call (``VmHWM``) minus the RSS before it
   (torch imported, model and inputs built). This counts every byte the call
   touched on top of what was resident, including allocator slack.
3. At n = 4096 the structured method's achieved FLOP/s (an exact count of its
   matrix-product flops divided by its wall time) against the FLOP/s of a
   single float32 matrix product of the Gram shape (4096 x 1024 @ 1024 x 4096)
   measured in the same run.
4. How each method's time grows with n and with the width.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import torch

import learntheory as lt
from benchmarks.timing import median_time

ROOT = Path(__file__).resolve().parents[1]
D, WIDTH, DEPTH, N = 64, 1024, 3, 256
VP_CHUNK = 32  # x2 inputs per vmapped NTK-vector-product block (bounds its memory)
TARGETS = {"speedup": 100.0, "memory": 10.0, "flops": 0.30}


def _setup(n: int, width: int = WIDTH, depth: int = DEPTH, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    net = lt.ntk.make_mlp(D, width, depth, sigma_w=2**0.5, dtype=torch.float32, generator=gen)
    x = torch.randn(n, D, generator=gen, dtype=torch.float32)
    return net, x


def _call(method: str, net, x) -> torch.Tensor:
    chunk = VP_CHUNK if method == "ntk_vp" else None
    return lt.ntk.empirical_ntk(net, x, method=method, chunk_size=chunk)


def structured_flops(n1: int, n2: int, widths: tuple[int, ...]) -> float:
    """Matrix-product flops of the structured method for a scalar-output MLP.

    Forward ``2 n sum n_{l-1} n_l`` and closed-form backward ``2 n sum_{l=1}^{L-1} n_l n_{l+1}``
    for each of the two input sets (one when x2 is x1), plus the Grams
    ``2 n1 n2 (sum_{l=0}^{L} n_l + sum_{l=1}^{L} n_l)``.
    """
    L = len(widths) - 2
    fwd = 2 * sum(widths[i] * widths[i + 1] for i in range(L + 1))
    bwd = 2 * sum(widths[i] * widths[i + 1] for i in range(1, L))
    per_input = fwd + bwd
    n_signal = n1 if n1 == n2 else n1 + n2
    grams = 2 * n1 * n2 * (sum(widths[: L + 1]) + sum(widths[1: L + 1]))
    return float(n_signal * per_input + grams)


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _memory_worker(method: str) -> None:
    """Run one method once in this (fresh) process and print its peak-RSS growth in MiB.

    Linux: write "5" to /proc/self/clear_refs to reset the peak (VmHWM) to the current
    RSS, run the call, and report VmHWM - VmRSS(before). (ru_maxrss is not used: Linux
    copies the parent's value into a forked child, so it is not a per-call measure.)
    """
    import gc

    net, x = _setup(N)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = _rss_kib("VmRSS")
    k = _call(method, net, x)
    after = _rss_kib("VmHWM")
    assert k.shape == (N, N)
    print(f"{(after - before) / 1024:.3f}")


def _peak_memory_mib(method: str) -> float:
    code = f"import benchmarks.bench_ntk as b; b._memory_worker({method!r})"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _flop_rates(n: int) -> tuple[float, float, float]:
    """(matmul FLOP/s of the Gram shape, structured time, structured flop count) at n."""
    net, x = _setup(n)
    a, b = torch.randn(n, WIDTH), torch.randn(WIDTH, n)
    t_mm = median_time(lambda: torch.mm(a, b), 5, warmup=2)
    t_structured = median_time(lambda: _call("structured", net, x), 3)
    return 2 * n * n * WIDTH / t_mm, t_structured, structured_flops(n, n, net.widths)


def run() -> list[str]:
    """Run the benchmark, print plain-text lines and return them.

    Order matters on a small machine: the memory subprocesses run first, then
    every structured measurement, then the two torch.func methods (whose
    multi-GB allocations leave the process's allocator in a slower state).
    """
    lines: list[str] = []

    def say(s: str) -> None:
        lines.append(s)
        print(s, flush=True)

    methods = ("jacobian", "ntk_vp", "structured")
    say(f"empirical NTK benchmark: torch {torch.__version__}, {torch.get_num_threads()} "
        f"threads, float32, CPU")
    say(f"model: MLP d={D}, width={WIDTH}, depth={DEPTH} (ReLU, NTK param), scalar output; "
        f"n={N}; ntk_vp uses chunk_size={VP_CHUNK}")

    # 1. memory, each method in a fresh process
    mem = {m: _peak_memory_mib(m) for m in methods}

    # 2. structured: time at n = 256, FLOP/s at n = 4096, and its scaling rows
    n_big = 4096
    net, x = _setup(N)
    times = {"structured": median_time(lambda: _call("structured", net, x), 9, warmup=2)}
    mm_rate, t_big, flops = _flop_rates(n_big)
    rate = flops / t_big
    ns, widths = (64, 128, 256, 1024, 4096), (256, 512, 1024, 2048)
    by_n = {(m, n): None for m in methods for n in ns}
    by_w = {}
    for n in ns:
        net_n, x_n = _setup(n)
        by_n["structured", n] = (times["structured"] if n == N else t_big if n == n_big else
                                 median_time(lambda nn=net_n, xx=x_n: _call("structured", nn,
                                                                             xx), 5))
    for w in widths:
        net_w, x_w = _setup(128, width=w)
        by_w["structured", w] = median_time(lambda nn=net_w, xx=x_w: _call("structured", nn,
                                                                            xx), 5)

    # 3. the torch.func methods
    ref = _call("jacobian", net, x)
    errs = {}
    for method in ("ntk_vp", "jacobian"):
        k = _call(method, net, x)
        errs[method] = float((k - ref).abs().max() / ref.abs().max())
        times[method] = median_time(lambda m=method: _call(m, net, x), 2, warmup=0)
        by_n[method, N] = times[method]
    errs["structured"] = float((_call("structured", net, x) - ref).abs().max()
                               / ref.abs().max())
    for n in (64, 128):
        net_n, x_n = _setup(n)
        for method in ("ntk_vp", "jacobian"):
            by_n[method, n] = median_time(lambda m=method, nn=net_n, xx=x_n: _call(m, nn, xx), 1)
    for w in widths:
        net_w, x_w = _setup(128, width=w)
        for method in ("ntk_vp", "jacobian"):
            by_w[method, w] = median_time(lambda m=method, nn=net_w, xx=x_w: _call(m, nn, xx), 1)

    # report
    say(f"time at n={N} (median of repeats after warm-up):")
    for method in methods:
        say(f"  time {method:<10s} {times[method] * 1e3:10.1f} ms   "
            f"(max rel. diff to jacobian {errs[method]:.1e})")
    for method in ("ntk_vp", "structured"):
        say(f"  speedup of {method} over jacobian: {times['jacobian'] / times[method]:.1f}x")
    speedup = times["jacobian"] / times["structured"]
    say("peak memory of one call at n=256 (peak RSS during the call minus RSS before it, "
        "fresh subprocess per method):")
    for m in methods:
        say(f"  memory {m:<10s} {mem[m]:10.1f} MiB")
    mem_ratio = mem["jacobian"] / max(mem["structured"], 1e-3)
    say(f"  memory ratio jacobian / structured: {mem_ratio:.1f}x")
    say(f"n={n_big}: matmul {n_big}x{WIDTH} @ {WIDTH}x{n_big}: {mm_rate / 1e9:.1f} GFLOP/s; "
        f"structured NTK {t_big:.3f} s for {flops / 1e9:.1f} GFLOP = {rate / 1e9:.1f} GFLOP/s "
        f"= {rate / mm_rate:.2f} of matmul")
    say("time (ms) vs n at width 1024 (torch.func methods skipped above n = 256: "
        "O(nP) memory, O(n^2 P) time):")
    say(f"  {'n':>6s} {'jacobian':>10s} {'ntk_vp':>10s} {'structured':>11s}")
    for n in ns:
        cells = ["-" if by_n[m, n] is None else f"{by_n[m, n] * 1e3:.1f}" for m in methods]
        say(f"  {n:6d} {cells[0]:>10s} {cells[1]:>10s} {cells[2]:>11s}")
    say("time (ms) vs width at n = 128:")
    say(f"  {'width':>6s} {'jacobian':>10s} {'ntk_vp':>10s} {'structured':>11s}")
    for w in widths:
        c = [by_w[m, w] * 1e3 for m in methods]
        say(f"  {w:6d} {c[0]:10.1f} {c[1]:10.1f} {c[2]:11.1f}")
    say("targets:")
    for name, value, target in (("speedup structured vs jacobian (n=256)", speedup, "speedup"),
                                ("memory ratio jacobian / structured", mem_ratio, "memory"),
                                ("structured FLOP/s / matmul FLOP/s (n=4096)", rate / mm_rate,
                                 "flops")):
        ok = "met" if value >= TARGETS[target] else "NOT met"
        say(f"  {name}: {value:.2f} (target >= {TARGETS[target]}) {ok}")
    return lines


if __name__ == "__main__":
    run()
