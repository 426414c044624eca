"""The mutants listed in tests/README.md stay caught (scripts/check_mutants.py, ~1 minute).

Each is a one-line wrong edit of the library that once passed every test; the script
applies it to a copy of the library and runs the tests named for it, which must fail.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.long
def test_every_listed_mutant_is_caught():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_mutants.py")],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    caught, total = re.search(r"listed mutants: (\d+) of (\d+) caught", out.stdout).groups()
    assert caught == total and int(total) >= 6, out.stdout
