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


@pytest.fixture(autouse=True)
def history_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs and drills that tests make go to a throwaway history database, never results/drillsim.db."""
    path = tmp_path_factory.mktemp("history") / "drillsim.db"
    monkeypatch.setenv("DRILLSIM_DB", str(path))
    return path
