"""The calibration as an overrides file: ``PATH: VALUE`` lines that ``simulate``, ``compare`` and
``sweep`` accept with ``--overrides``, e.g.::

    people.ana.ack_delay: {lognormal: {median: 3m40s, p95: 15m10s}}
    people.ana.reachability: {on_duty: 0.93, off_duty: 0.41}
    incidents.cot-flag.playbook.triage.duration: {lognormal: {median: 22m, p95: 41m}}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillsim.calibration.fitting import Estimate
from drillsim.fsutil import write_file
from drillsim.scenario.model import Scenario
from drillsim.scenario.organisation import DutyReachability
from drillsim.scenario.units import format_duration


def lognormal(estimate: Estimate) -> dict[str, Any]:
    """A fitted delay as the scenario language writes it, to the second (the 95th percentile at least a
    second above the median, which the language requires)."""
    median = round(estimate.median * 60)
    p95 = max(round(estimate.p95 * 60), median + 1)
    return {"lognormal": {"median": format_duration(max(median, 1) / 60), "p95": format_duration(p95 / 60)}}


def reachability(estimate: Estimate, assumed: DutyReachability) -> dict[str, float] | None:
    """The fitted reachability on and off duty (the assumption where nothing was fitted), or None when
    neither was fitted."""
    if estimate.reach_on is None and estimate.reach_off is None:
        return None
    on = estimate.reach_on if estimate.reach_on is not None else assumed.on_duty
    off = estimate.reach_off if estimate.reach_off is not None else assumed.off_duty
    return {"on_duty": round(on, 3), "off_duty": round(off, 3)}


def _flow(value: Any) -> str:
    """A value as one line of YAML (flow style)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(inner)}" for key, inner in value.items()) + "}"
    return str(value)


def overrides_yaml(overrides: dict[str, Any], scenario: Scenario, provenance: str) -> str:
    """The overrides as a file ``simulate`` and ``compare`` accept with ``--overrides``; ``provenance``
    says what they were fitted from."""
    lines = [
        f"# drillsim calibrate: fitted from {provenance}, for organisation {scenario.organisation.id}.",
        "# Use with: drillsim simulate SCENARIO --overrides THIS_FILE (or compare, sweep).",
    ]
    lines += [f"{path}: {_flow(value)}" for path, value in overrides.items()]
    return "\n".join(lines) + "\n"


def overrides_path(results: Path, scenario: Scenario) -> Path:
    """Where the overrides go when the user names no file: ``RESULTS/ID.calibrated.yaml``. A scenario id
    is a file name already (``scenario.base.ID_PATTERN``: a letter or digit, then letters, digits,
    '-', '_' and '.'), so the file stays inside ``results``."""
    return results / f"{scenario.id}.calibrated.yaml"


def write_overrides(path: Path, overrides: dict[str, Any], scenario: Scenario, provenance: str) -> None:
    """Write ``overrides_yaml`` to ``path`` atomically, creating its folder; WriteError naming the file
    and the reason when it cannot be written."""
    write_file(path, overrides_yaml(overrides, scenario, provenance), parents=True)
