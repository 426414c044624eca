"""``make bench``: run every benchmark module in one process and print its ratios."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Baselines (NumPy/SciPy BLAS) and learntheory (torch's OpenMP) run side by side in one
# process on few cores: idle worker threads must sleep rather than spin, or each library
# steals the cores from the next one measured and the ratios measure the spinning.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import torch  # noqa: E402

# Every benchmarks/bench_<chapter>.py, found rather than listed (a new chapter's
# benchmark runs without editing this file).
MODULES = [f"benchmarks.{p.stem}" for p in sorted(Path(__file__).parent.glob("bench_*.py"))]


def main() -> int:
    cuda = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    print(f"torch {torch.__version__} on {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads, CUDA: {cuda}")
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            print(f"(skipping {name}: {err})")
            continue
        module.run()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
