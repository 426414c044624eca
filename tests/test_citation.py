"""One version everywhere: pyproject.toml, the package, CITATION.cff; licences at the root."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

import learntheory as lt

ROOT = Path(__file__).resolve().parents[1]


def test_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert project["version"] == lt.__version__ == cff["version"]
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}


def test_licences_are_at_the_root():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT").read_text()
