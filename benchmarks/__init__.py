"""Benchmarks run by ``make bench``: each module exposes ``run() -> None`` printing ratios."""
