"""A headless drill for the crash test: plays every page and task as soon as it appears, fast,
printing after each action what a console would have shown. Usage: run_drill.py RESULTS_DIR"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from drillsim.drill.session import DrillSession
from drillsim.scenario.loader import load_scenario
from drillsim.scenario.snapshot import snapshot_text

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "flagship-concurrent.yaml"


def digest(session: DrillSession) -> str:
    text = "|".join(f"{r.time:.9f},{r.incident},{r.kind},{r.who},{r.detail}" for r in session.records)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def main() -> None:
    session = DrillSession.start(load_scenario(SCENARIO), snapshot_text(SCENARIO), players=["soc-analyst", "safety-responder"],
                                 speed=3600.0, seed=11, results=Path(sys.argv[1]))
    print(f"folder {session.folder}", flush=True)
    while session.now < session.model.horizon:
        session.tick()
        for page in session.open_pages():
            session.acknowledge(page.id)
            print(f"shown {len(session.journal.entries)} {digest(session)}", flush=True)
        for task in session.open_tasks():
            session.complete(task.id)
            print(f"shown {len(session.journal.entries)} {digest(session)}", flush=True)


if __name__ == "__main__":
    main()
