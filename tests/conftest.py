"""Shared fixtures: paths to the repository's folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import ROOT


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run with the repository root as the working folder, so printed paths are stable."""
    monkeypatch.chdir(ROOT)
    return ROOT
