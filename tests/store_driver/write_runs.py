"""A history writer for the store's fault tests: records runs one after another and prints
``committed FOLDER`` as soon as each ``record`` has returned. It prints ``ready`` and waits for a line
on stdin before opening the database, so that several writers can be released together.

Usage: write_runs.py DB NAME [COUNT]   (without COUNT, or with 0: until it is killed)
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any

from drillsim.store import HistoryStore

OBJECTIVES = 12  # rows per run besides the run itself: a run half written would show fewer


def summary(index: int) -> dict[str, Any]:
    """The summary.json content of run ``index``, with OBJECTIVES objectives."""
    score = float(index % 100)
    return {
        "scenario": "tutorial",
        "seed": index,
        "replications": 10,
        "readiness": {"score": score, "ci95": [score - 5, score + 5], "rating": "M"},
        "objectives": [
            {
                "id": f"objective-{k}",
                "metric": "time_to_acknowledge",
                "target": 10.0,
                "p_met": 0.5,
                "ci95": [0.4, 0.6],
                "rating": "M",
            }
            for k in range(OBJECTIVES)
        ],
    }


def main() -> None:
    db, name = Path(sys.argv[1]), sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    print("ready", flush=True)
    sys.stdin.readline()
    store = HistoryStore(db)
    for index in range(count) if count else itertools.count():
        folder = f"{name}-{index}"
        store.record(
            "simulation",
            Path(folder),
            summary(index),
            at=f"2026-01-01T00:00:{index % 60:02d}",
            organisation="o",
            scenario_sha256="x",
        )
        print(f"committed {folder}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
