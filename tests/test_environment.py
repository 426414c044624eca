"""environment.yml and pyproject.toml name the same packages with the same pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _normalise(req: str) -> tuple[str, str]:
    req = req.strip().replace(" ", "")
    name = re.split(r"[<>=!~\[]", req, maxsplit=1)[0]
    return name.lower().replace("_", "-"), req[len(name):]


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    env_lines = (ROOT / "environment.yml").read_text().splitlines()
    pip_reqs = [ln.strip()[2:] for ln in env_lines
                if ln.startswith("      - ") and not ln.strip().startswith("- -e")]
    assert dict(map(_normalise, pip_reqs)) == dict(map(_normalise, wanted))


def test_torch_is_pinned_exactly_everywhere():
    """A loose torch pin pulls a multi-GB CUDA build on machines without the local wheel."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "torch==2.13.0" in project["dependencies"]
    assert "torch==2.13.0" in (ROOT / "environment.yml").read_text()
    assert 'torch==2.13.0' in (ROOT / "Makefile").read_text()
