"""Summarise a mutmut 3 run (``make mutate``): score, counts, wall time, survivors.

Reads the results mutmut left under ``mutants/`` (one ``<file>.py.meta`` JSON per
mutated file) and prints

* the counts per status and the mutation score, killed / (killed + survived);
* the wall time of the run (passed in by the Makefile with ``--wall-seconds``);
* every surviving mutant, grouped by file and function, with the line it changes
  (``-`` the original, ``+`` the mutant) as ``mutmut show`` would diff it.

Run from the repository root after ``make mutate`` (or ``mutmut run``); it needs the
``src -> lib`` symlink only if mutmut's index of the mutated files is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

MUTANTS = Path("mutants")
#: mutmut runs through a ``src -> lib`` symlink; report paths as they are in the repo.
SOURCE_PREFIX = ("src/", "lib/")


def load_results() -> dict[str, tuple[str, int | None]]:
    """``{mutant name: (source path, exit code)}`` from every ``.meta`` file."""
    results: dict[str, tuple[str, int | None]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        source = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            results[name] = (source, code)
    return results


def repo_path(source: str) -> str:
    old, new = SOURCE_PREFIX
    return new + source[len(old):] if source.startswith(old) else source


def function_of(name: str) -> str:
    """``learntheory.ntk.mlp.xǁMLPǁforward__mutmut_3`` -> ``MLP.forward``."""
    mangled = name.partition("__mutmut_")[0].rpartition(".")[2]
    if mangled.startswith("xǁ"):
        return ".".join(part for part in mangled[2:].split("ǁ") if part)
    return mangled[2:] if mangled.startswith("x_") else mangled


def changed_lines(name: str, source: str) -> tuple[list[str], list[str]]:
    """The removed and added lines of the mutant's diff (empty if mutmut cannot diff it)."""
    try:
        diff = get_diff_for_mutant(name, path=source)
    except Exception:  # a report should not die on one odd mutant
        return [], []
    lines = diff.splitlines()
    removed = [x[1:].strip() for x in lines if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++")]
    return removed, added


def line_number(path: str, function: str, text: str) -> int | None:
    """Where ``text`` first appears in ``path`` after the ``def`` of ``function``."""
    try:
        source = Path(path).read_text().splitlines()
    except OSError:
        return None
    start = 0
    pattern = re.compile(rf"^\s*(async\s+)?def\s+{re.escape(function.rpartition('.')[2])}\b")
    for i, line in enumerate(source):
        if pattern.match(line):
            start = i
            break
    for i in range(start, len(source)):
        if source[i].strip() == text:
            return i + 1
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wall-seconds", type=float, help="wall time of the run, printed as is")
    parser.add_argument("--no-diff", action="store_true", help="list survivors without their lines")
    args = parser.parse_args(argv)

    if not MUTANTS.is_dir():
        print("No mutants/ folder: run `make mutate` first.", file=sys.stderr)
        return 1
    results = load_results()
    if not results:
        print("mutants/ holds no results: run `make mutate` first.", file=sys.stderr)
        return 1

    statuses = {name: status_by_exit_code[code] for name, (_, code) in results.items()}
    counts = Counter(statuses.values())
    killed, survived = counts["killed"], counts["survived"]
    print()
    print("=" * 78)
    print("Mutation testing of lib/learntheory/kernels and lib/learntheory/ntk (mutmut)")
    print("=" * 78)
    print(f"mutants: {len(results)}")
    order = ["killed", "survived", "timeout", "suspicious", "no tests", "segfault",
             "caught by type check", "skipped", "not checked", "check was interrupted by user"]
    for status in order + sorted(set(counts) - set(order)):
        if counts[status] or status in order[:5]:
            print(f"  {status:<22}{counts[status]:>6}")
    if killed + survived:
        score = 100.0 * killed / (killed + survived)
        print(f"score: killed / (killed + survived) = {killed}/{killed + survived} = {score:.1f}%")
    else:
        print("score: undefined (no mutant was killed or survived)")
    if args.wall_seconds is not None:
        minutes, seconds = divmod(int(args.wall_seconds), 60)
        print(f"wall time: {minutes} min {seconds:02d} s")

    for status in ("timeout", "suspicious", "segfault"):
        names = sorted(n for n, s in statuses.items() if s == status)
        if names:
            print(f"\n{status} ({len(names)}):")
            for name in names:
                print(f"  {name}")

    survivors: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, status in statuses.items():
        if status == "survived":
            source = results[name][0]
            survivors[source][function_of(name)].append(name)
    print(f"\nSurviving mutants by file and function ({survived}):")
    for source in sorted(survivors):
        path = repo_path(source)
        by_function = survivors[source]
        print(f"\n{path} ({sum(map(len, by_function.values()))})")
        for function in sorted(by_function, key=lambda f: (-len(by_function[f]), f)):
            names = sorted(by_function[function], key=lambda n: int(n.rpartition("_")[2]))
            print(f"  {function} ({len(names)})")
            for name in names:
                number = name.rpartition("_")[2]
                if args.no_diff:
                    print(f"    #{number}")
                    continue
                removed, added = changed_lines(name, source)
                where = line_number(path, function, removed[0]) if removed else None
                label = f"#{number}" + (f" L{where}" if where else "")
                print(f"    {label:<12}- {' / '.join(removed)}")
                print(f"    {'':<12}+ {' / '.join(added)}")
    example = min(n for n, s in statuses.items() if s == "survived") if survived else "NAME"
    print("\nResults stay in mutants/ until the next `make mutate` (or `make clean`). With the")
    print("src -> lib symlink back (`ln -s lib src`; remove it afterwards):")
    print(f"  .venv/bin/mutmut show {example}   # diff of one mutant")
    print(f"  .venv/bin/mutmut run {example}    # rerun just that mutant")
    return 0


if __name__ == "__main__":
    sys.exit(main())
