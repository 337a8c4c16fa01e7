"""summary.json's ``branches`` for people: how often each trigger fired and each conditional inject
was released, as one set of rows that the terminal (after ``simulate``) and the readiness report
("Branch probabilities") both print."""

from __future__ import annotations

from typing import Any

from drillsim.report.document import Document
from drillsim.report.labels import share, share_interval

TRIGGER_HEADERS = [
    "trigger",
    "when → then",
    "probability",
    "fired in replications",
    "fired on the incidents it watches",
]
INJECT_HEADERS = ["inject", "what", "condition", "released in replications"]


def _with_interval(data: dict[str, Any]) -> str:
    return f"{share(data['p'])} ({share_interval(data['ci95'])})"


def trigger_rows(branches: dict[str, Any]) -> list[list[str]]:
    """One row per trigger: what fires it, what it does, its probability, and how often it fired (with
    95% intervals): in how many replications (at least once) and on what share of the incidents it
    watches."""
    rows = []
    for tid, t in branches["triggers"].items():
        effects = ([f"starts {t['starts']}"] if t["starts"] else []) + (
            [f"makes it {t['severity']}"] if t["severity"] else []
        )
        then = " and ".join(effects) + (f" after {t['delay']}" if t["delay"] else "")
        rows.append(
            [
                tid,
                f"{t['when']} → {then}",
                share(t["probability"]),
                _with_interval(t["replications"]),
                f"{_with_interval(t['parents'])} of {t['parents']['n']:,}",
            ]
        )
    return rows


def inject_rows(branches: dict[str, Any]) -> list[list[str]]:
    """One row per conditional inject: which (its time and kind), what it says, its condition and the
    share of replications it was released in."""
    return [
        [f"{iid} (T+{i['at']}, {i['kind']})", i["text"], i["condition"], _with_interval(i["released"])]
        for iid, i in branches["injects"].items()
    ]


def branches_section(doc: Document, branches: dict[str, Any]) -> None:
    """The readiness report's "Branch probabilities"."""
    doc.heading("Branch probabilities")
    doc.paragraph(
        "How often the scenario took each branch over the replications: a trigger may fire once per "
        "incident it watches; intervals are over replications."
    )
    if branches["triggers"]:
        doc.table(TRIGGER_HEADERS, trigger_rows(branches), numeric={2, 3, 4})
    if branches["injects"]:
        doc.table(INJECT_HEADERS, inject_rows(branches), numeric={3})
