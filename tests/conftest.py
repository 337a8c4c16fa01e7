"""Shared fixtures: paths to the repository's folders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as the working folder, so printed paths are stable."""
    monkeypatch.chdir(ROOT)
    return ROOT
