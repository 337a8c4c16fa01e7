"""The broken-input corpus (issue #2): every file in tests/corpus/ and exactly what validating it prints.

- ``valid/`` holds a small organisation and a scenario using it; they validate without a problem.
- ``orgs/`` holds organisation files that are valid alone but break the scenario that uses them.
- ``broken/`` holds one-fault copies of the valid files: ``yaml-*`` break the file or its YAML,
  ``org-*`` are organisation files, the rest are scenarios.
- ``smells/`` holds valid files with exactly one warning.

Scenarios in ``broken/`` and ``smells/`` share the organisation files of ``valid/`` and ``orgs/``,
so the corpus is checked as a coordinator with a shared organisations folder would check it:
``--allow-organisation-from tests/corpus`` (organisation files outside a scenario's folder tree are
otherwise refused; ``broken/organisation-outside-folder.yaml`` reaches beyond the corpus itself).

``PROBLEMS`` maps each file to the lines ``drillsim validate`` prints for it (``str(problem)``, run
from the repository root; ``{f}`` stands for the file's own path). Each line was checked by hand:
it points at the offending key or value, names the field, says what is wrong and what was expected.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from drillsim.scenario.loader import CheckResult, check_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
ALLOW_CORPUS = (
    "--allow-organisation-from",
    "tests/corpus",
)  # the corpus shares organisation files across folders
TIME_LIMIT = 5  # seconds per file (a hang is a bug too); the slowest file takes about 1.5 s

LONG_ORG = "tests/corpus/valid/" + "o" * 300 + ".yaml"


@dataclass(frozen=True)
class Case:
    problems: list[str]  # the lines a user should see, errors and warnings, in file order


def ok(*problems: str) -> Case:
    return Case(list(problems))


DURATION = "(e.g. 90s, 5m, 1h30m, 2d, or a number of minutes)"
ID = "(expected an identifier: letters, digits, '-', '_' or '.', starting with a letter or digit)"

PROBLEMS: dict[str, Case] = {
    # ---- valid files: no problem at all ---------------------------------------------------------
    "valid/base.yaml": ok(),
    "valid/org.yaml": ok(),
    "orgs/sev2-policy-only.yaml": ok(),
    "orgs/two-catch-all-policies.yaml": ok(),
    "orgs/unreachable-deciders.yaml": ok(),
    # ---- the file as a whole and its YAML --------------------------------------------------------
    "broken/yaml-empty.yaml": ok("{f}:1:1: the file is empty (expected a mapping of fields)"),
    "broken/yaml-comments-only.yaml": ok("{f}:1:1: the file is empty (expected a mapping of fields)"),
    "broken/yaml-top-level-list.yaml": ok("{f}:2:1: expected a mapping of fields at the top of the file"),
    "broken/yaml-not-utf8.yaml": ok("{f}:3:36: byte 0xe9 is not UTF-8 text (save the file as UTF-8)"),
    "broken/yaml-utf16.yaml": ok("{f}:1:1: byte 0xff is not UTF-8 text (save the file as UTF-8)"),
    "broken/yaml-syntax.yaml": ok("{f}:24:23: YAML syntax: mapping values are not allowed here"),
    "broken/yaml-unclosed-bracket.yaml": ok(
        "{f}:13:14: YAML syntax: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts at line 12, column 12)",
    ),
    "broken/yaml-unclosed-quote-at-end.yaml": ok(
        "{f}:73:1: YAML syntax: found unexpected end of stream "
        "(while scanning a quoted scalar that starts at line 72, column 13)",
    ),
    "broken/yaml-control-character.yaml": ok(
        "{f}:57:25: YAML syntax: unacceptable character #x0007: special characters are not allowed",
    ),
    "broken/yaml-tabs.yaml": ok(
        "{f}:10:1: YAML syntax: found character '\\t' that cannot start any token (indent with "
        "spaces, not tabs)"
    ),
    "broken/yaml-duplicate-key.yaml": ok(
        "{f}:12:5: incidents.weights-leak.severity: duplicate key 'severity' (first defined at line 11)",
    ),
    # Expansion and depth limits concern the whole file: no field path.
    "broken/yaml-billion-laughs.yaml": ok(
        "{f}:7:30: the file expands to more than 500,000 values (anchors and aliases?)"
    ),
    "broken/yaml-recursive-alias.yaml": ok(
        "{f}:7:14: description[1]: an alias refers to a mapping or list that contains it"
    ),
    "broken/yaml-recursive-merge-key.yaml": ok(
        "{f}:23:15: incidents.weights-leak.playbook.triage: a merge key (<<) merges a mapping into itself",
    ),
    # Expanded naively, these merges take 2^59 steps; each mapping must be expanded once.
    "broken/yaml-merge-key-bomb.yaml": ok("{f}:7:1: description: expected text, got a mapping"),
    "broken/yaml-too-deep.yaml": ok("{f}:7:78: nested too deeply (at most 64 levels)"),
    # ruamel's composer runs out of stack first; it gives no position.
    "broken/yaml-too-deep-for-parser.yaml": ok("{f}:1:1: YAML is nested too deeply (at most 64 levels)"),
    "broken/yaml-python-tag.yaml": ok(
        "{f}:7:14: description: the tag !!python/object/apply:os.system is not allowed (only plain "
        "YAML values)",
    ),
    "broken/yaml-huge-integer.yaml": ok(
        "{f}:6:10: horizon: '1000000000000000000000000000000000000000' is not a number this file can hold "
        "(at most 30 digits)",
    ),
    # ---- values and types ------------------------------------------------------------------------
    "broken/inf-duration.yaml": ok("{f}:6:10: horizon: 'inf' is too long (at most 3650d)"),
    "broken/nan-probability.yaml": ok(
        "{f}:16:24: incidents.weights-leak.detection.sources.dlp-alert.probability: nan is not a "
        "finite number"
    ),
    "broken/list-for-mapping.yaml": ok(
        "{f}:13:16: incidents.weights-leak.detection: expected a mapping, got a list"
    ),
    "broken/text-for-number.yaml": ok(
        "{f}:16:24: incidents.weights-leak.detection.sources.dlp-alert.probability: expected a "
        "number, got 'likely'"
    ),
    "broken/unknown-field.yaml": ok(
        "{f}:68:5: objectives.contain-fast.wieght: unknown field 'wieght'; did you mean 'weight'? "
        "(expected one of: text, metric, target, incidents, clock, weight)",
    ),
    "broken/unknown-field-block.yaml": ok(
        "{f}:18:7: incidents.weights-leak.detection.falback: unknown field 'falback'; did you mean "
        "'fallback'? "
        "(expected one of: sources, fallback)",
    ),
    "broken/missing-field.yaml": ok("{f}:8:3: incidents.weights-leak.risk_area: required field is missing"),
    "broken/empty-value.yaml": ok(
        f"{{f}}:30:9: incidents.weights-leak.playbook.take-offline.duration: expected a duration {DURATION}, "
        "got an empty value",
    ),
    "broken/comma-in-flow-value.yaml": ok(
        "{f}:18:69: incidents.weights-leak.detection.fallback.on a forum: unknown field 'on a forum': "
        'a comma inside { } ends a value, so quote a value that holds one (e.g. name: "Wei (SRE, Singapore)")'
    ),
    "broken/bad-duration.yaml": ok(
        f"{{f}}:30:19: incidents.weights-leak.playbook.take-offline.duration: '5q' is not a duration "
        f"{DURATION}"
    ),
    "broken/negative-duration.yaml": ok(
        "{f}:53:9: injects[1].at: '-5m' is negative (expected a duration of zero or more)"
    ),
    "broken/bad-rate.yaml": ok(
        "{f}:47:11: arrivals[0].rate: '3 per hour' is not a rate (expected e.g. 2.4/h, 10/d, 1/30m)"
    ),
    "broken/rate-divides-by-zero.yaml": ok(
        "{f}:47:11: arrivals[0].rate: '1/0h' divides by zero (expected e.g. 2.4/h)"
    ),
    "broken/unknown-distribution.yaml": ok(
        "{f}:17:18: incidents.weights-leak.detection.sources.dlp-alert.delay: expected a duration or a "
        "distribution: a mapping with exactly one of the keys fixed, exponential, lognormal, triangular, "
        "uniform, empirical"
    ),
    "broken/lognormal-p95-not-above-median.yaml": ok(
        "{f}:17:30: incidents.weights-leak.detection.sources.dlp-alert.delay.lognormal: "
        "p95 must be greater than the median"
    ),
    "broken/uniform-min-not-below-max.yaml": ok(
        "{f}:19:26: incidents.weights-leak.detection.fallback.delay.uniform: expected min < max"
    ),
    "broken/empty-empirical.yaml": ok(
        "{f}:37:31: incidents.weights-leak.playbook.notify.duration.empirical: has 0 entries "
        "(expected at least 1)"
    ),
    "broken/probability-above-one.yaml": ok(
        "{f}:16:24: incidents.weights-leak.detection.sources.dlp-alert.probability: 1.5 is out of range "
        "(expected ≤ 1.0)"
    ),
    "broken/org-reachability-above-one.yaml": ok(
        "{f}:39:19: people.erin.reachability: 2 is out of range (expected a probability from 0 to 1)"
    ),
    "broken/naive-start.yaml": ok(
        "{f}:5:8: start: '2026-03-14T02:30:00' is not a date and time with a time zone "
        "(expected e.g. 2026-03-14T02:30:00Z)"
    ),
    "broken/org-bad-time-zone.yaml": ok(
        "{f}:4:11: timezone: 'Europe/Londn' is not a time zone (expected an IANA name such as "
        "Europe/London or UTC)"
    ),
    "broken/org-time-zone-folder.yaml": ok(  # a folder of zones, not a zone
        "{f}:4:11: timezone: 'America' is not a time zone (expected an IANA name such as "
        "Europe/London or UTC)"
    ),
    "broken/org-bad-time-of-day.yaml": ok(
        "{f}:41:14: people.erin.working_hours.start: '9am' is not a time of day (expected HH:MM, e.g. 09:00)",
    ),
    "broken/org-bad-day-range.yaml": ok(
        "{f}:40:13: people.erin.working_hours.days: 'mon-fry' is not a range of days "
        "(expected e.g. mon-fri, or a list such as [mon, wed])"
    ),
    "broken/bad-atlas-tactic.yaml": ok(
        "{f}:12:13: incidents.weights-leak.atlas[0]: 'AML.T0010' is not valid "
        "(expected a MITRE ATLAS tactic id such as AML.TA0010)"
    ),
    "broken/bad-inject-kind.yaml": ok(
        "{f}:48:11: injects[0].kind: 'incidnet' is not an inject kind; did you mean 'incident'? "
        "(expected one of: incident, complication, message, severity)"
    ),
    "broken/complication-two-effects.yaml": ok(
        "{f}:52:5: injects[1]: expected exactly one effect: unavailable, paging_delay or disable_source"
    ),
    "broken/invalid-id-key.yaml": ok(f"{{f}}:8:3: incidents.weights leak: 'weights leak' is not valid {ID}"),
    # ---- references --------------------------------------------------------------------------------
    "broken/org-unknown-team.yaml": ok(
        "{f}:9:17: warning: teams.security.on_call.members[0]: 'alice' is on the rotation but not a "
        "member of "
        "team 'security'",
        "{f}:17:13: people.alice.teams[0]: unknown team 'securty'; did you mean 'security'?",
    ),
    "broken/org-unknown-person.yaml": ok(
        "{f}:19:17: people.alice.reports_to: unknown person 'carl'; did you mean 'carol'?"
    ),
    "broken/unknown-role.yaml": ok(
        "{f}:36:15: incidents.weights-leak.playbook.notify.role: no one in the organisation has the role "
        "'comms-lead'; did you mean 'comms'?"
    ),
    "broken/unknown-authority.yaml": ok(
        "{f}:32:19: incidents.weights-leak.playbook.take-offline.decision: unknown authority 'shutdwn'; "
        "did you mean 'shutdown'?"
    ),
    "broken/unknown-task-after.yaml": ok(
        "{f}:43:17: incidents.weights-leak.playbook.rotate-keys.after[0]: unknown task 'take-ofline'; "
        "did you mean 'take-offline'?"
    ),
    "broken/unknown-incident-inject.yaml": ok(
        "{f}:8:3: warning: incidents.weights-leak: never occurs: no inject or arrival brings this incident",
        "{f}:49:15: injects[0].incident: unknown incident 'weight-leak'; did you mean 'weights-leak'?",
    ),
    "broken/unknown-incident-arrival.yaml": ok(
        "{f}:46:15: arrivals[0].incident: unknown incident 'weight-leak'; did you mean 'weights-leak'?"
    ),
    "broken/unknown-objective-inject.yaml": ok(
        "{f}:51:18: injects[0].objectives[0]: unknown objective 'contain-fats'; did you mean 'contain-fast'?"
    ),
    "broken/unknown-clock.yaml": ok(
        "{f}:21:45: incidents.weights-leak.regulatory[1]: unknown regulatory clock 'ca-sb53/imminent-risc'; "
        "did you mean 'ca-sb53/imminent-risk'?"
    ),
    "broken/unknown-source-complication.yaml": ok(
        "{f}:55:21: injects[1].disable_source: unknown detection source 'dlp-alrt'; did you mean 'dlp-alert'?"
    ),
    "broken/duplicate-inject-id.yaml": ok(
        "{f}:58:9: injects[2].id: duplicate inject id '1' (also injects[0])"
    ),
    "broken/custom-regime-builtin-id.yaml": ok(
        "{f}:64:3: regimes.ca-sb53: 'ca-sb53' is a built-in regime; give your own regime another id",
    ),
    "broken/missing-organisation-file.yaml": ok(
        "{f}:4:15: organisation: organisation file 'tests/corpus/valid/organisation.yaml' not found "
        "(a path relative to this scenario)"
    ),
    "broken/organisation-is-a-folder.yaml": ok(
        "{f}:4:15: organisation: organisation file 'tests/corpus/valid' is a folder (expected a YAML file)",
    ),
    "broken/organisation-name-too-long.yaml": ok(
        f"{{f}}:4:15: organisation: organisation file '{LONG_ORG}' cannot be read: File name too long"
    ),
    "broken/organisation-outside-folder.yaml": ok(
        "{f}:4:15: organisation: organisation file 'scenarios/organisations/frontier-lab.yaml' is outside "
        "this "
        "scenario's folder (tests/corpus/broken) and the folders allowed (tests/corpus); move it there, or "
        "allow "
        "its folder with --allow-organisation-from scenarios/organisations"
    ),
    "broken/organisation-absolute-path.yaml": ok(
        "{f}:4:15: organisation: organisation file '/etc/drillsim/organisation.yaml' is outside this "
        "scenario's "
        "folder (tests/corpus/broken) and the folders allowed (tests/corpus); move it there, or allow its "
        "folder "
        "with --allow-organisation-from /etc/drillsim"
    ),
    "broken/organisation-number.yaml": ok(
        "{f}:4:15: organisation: expected the path of an organisation file or a mapping, got 5"
    ),
    # Problems in an organisation file are reported in that file, even when found through a scenario.
    "broken/uses-broken-organisation.yaml": ok(
        "tests/corpus/broken/org-unknown-person.yaml:19:17: people.alice.reports_to: unknown person 'carl'; "
        "did you mean 'carol'?"
    ),
    # ---- structure -------------------------------------------------------------------------------
    "broken/playbook-cycle.yaml": ok(
        "{f}:25:16: incidents.weights-leak.playbook.triage.after: tasks wait for each other in a cycle: "
        "triage waits for rotate-keys waits for take-offline waits for triage"
    ),
    "broken/self-dependency.yaml": ok(
        "{f}:25:17: incidents.weights-leak.playbook.triage.after[0]: a task cannot come after itself"
    ),
    "broken/org-reporting-cycle.yaml": ok(
        "{f}:19:17: people.alice.reports_to: reporting lines form a cycle: alice reports to carol, "
        "who reports to erin, who reports to alice"
    ),
    "broken/role-nobody-holds.yaml": ok(
        "{f}:36:15: incidents.weights-leak.playbook.notify.role: no one in the organisation has the role "
        "'general-counsel'"
    ),
    "broken/org-authority-nobody-holds.yaml": ok(
        "{f}:46:12: authorities.shutdown.roles: nobody can take this decision: no person holds any "
        "of these roles",
        "{f}:46:13: warning: authorities.shutdown.roles[0]: nobody holds the role 'general-counsel'",
    ),
    "broken/decision-unreachable.yaml": ok(
        "{f}:32:19: incidents.weights-leak.playbook.take-offline.decision: no one who can take 'shutdown' is "
        "reachable from escalation policy 'default' (its levels and reporting lines)"
    ),
    "broken/org-level-reaches-nobody.yaml": ok(
        "{f}:14:3: warning: teams.legal: the team has no members and no on-call rotation",
        "{f}:56:18: escalation.default.levels[1].targets: no target in this level reaches anyone",
    ),
    "broken/org-on-call-without-rotation.yaml": ok(
        "{f}:54:42: escalation.default.levels[1].targets[1]: team 'leadership' has no on-call rotation"
    ),
    "broken/arrivals-without-end.yaml": ok(
        "{f}:45:5: arrivals[0]: arrivals at a rate need an end: set 'until' here or the scenario's 'horizon'"
    ),
    "broken/notify-objective-without-clock.yaml": ok(
        "{f}:68:3: objectives.notify-in-time: a clock is needed with time_to_notify, and only with it"
    ),
    "broken/no-policy-applies.yaml": ok(
        "{f}:11:15: incidents.weights-leak.severity: no escalation policy applies to incident "
        "'weights-leak' (sev1)"
    ),
    "broken/ambiguous-policies.yaml": ok(
        "{f}:11:15: incidents.weights-leak.severity: escalation policies default, fallback all apply to "
        "'weights-leak' (sev1); make one more specific"
    ),
    # ---- smells: no error, one warning -----------------------------------------------------------
    "smells/single-role-holder.yaml": ok(
        "{f}:36:15: warning: incidents.weights-leak.playbook.notify.role: only one person holds the "
        "role 'ciso'"
    ),
    "smells/short-level-timeout.yaml": ok(
        "{f}:51:18: warning: escalation.default.levels[0].timeout: the timeout 10s is shorter than "
        "the fastest "
        "acknowledgement of anyone in this level (36s): it will almost always escalate"
    ),
    "smells/clock-never-notified.yaml": ok(
        "{f}:21:45: warning: incidents.weights-leak.regulatory[1]: no playbook task notifies "
        "'ca-sb53/imminent-risk': its deadline is always missed"
    ),
    "smells/resolved-before-contained.yaml": ok(
        "{f}:33:20: warning: incidents.weights-leak.playbook.take-offline.milestone: the incident can be "
        "resolved before it is contained: no task marked resolved comes after this one"
    ),
    "smells/incident-never-occurs.yaml": ok(
        "{f}:8:3: warning: incidents.weights-leak: never occurs: no inject or arrival brings this incident"
    ),
}


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds`` (a hang is a bug, not a stuck suite)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(name: str) -> CheckResult:
    with time_limit(TIME_LIMIT):
        return check_file(Path("tests/corpus") / name, organisation_folders=[Path("tests/corpus")])


@pytest.mark.parametrize(
    ("name", "case"), [pytest.param(name, case, id=name) for name, case in PROBLEMS.items()]
)
def test_corpus_file(name: str, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # printed paths are relative to the working folder
    result = check(name)
    printed = [str(p) for p in result.problems]
    expected = [line.replace("{f}", f"tests/corpus/{name}") for line in case.problems]
    assert printed == expected
    folder = name.split("/")[0]
    if folder == "broken":
        assert result.errors, "a broken file must have at least one error"
    else:
        assert not result.errors
    if folder == "smells":
        assert len(result.warnings) == 1


def test_every_corpus_file_is_in_the_table() -> None:
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert on_disk == set(PROBLEMS)


def test_valid_base_files_are_what_the_corpus_copies() -> None:
    """The valid scenario uses every construct the broken copies break."""
    result = check_file(CORPUS / "valid" / "base.yaml")
    scenario = result.model
    assert scenario is not None and not result.problems
    org = scenario.organisation
    assert 4 <= len(org.people) <= 6
    assert any(t.on_call for t in org.teams.values())
    assert len(org.authorities) == 1 and len(org.escalation) == 1
    (incident,) = scenario.incidents.values()
    assert 3 <= len(incident.playbook) <= 4 and any(t.decision for t in incident.playbook.values())
    assert len(scenario.injects) == 3 and len(scenario.objectives) == 2


# ---- the command line ------------------------------------------------------------------------------


def drillsim(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("drillsim")
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from drillsim.cli import main; main()"]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_validate_valid_files_exits_0() -> None:
    run = drillsim(
        "validate", *ALLOW_CORPUS, "tests/corpus/valid", "tests/corpus/orgs", "tests/corpus/smells"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "10 file(s) checked: 10 valid, 0 invalid, 5 warning(s)" in run.stdout


def test_validate_strict_fails_on_smells() -> None:
    run = drillsim("validate", *ALLOW_CORPUS, "--strict", "tests/corpus/smells")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "warning:" in run.stdout and " error" not in run.stdout
    clean = drillsim("validate", "--strict", "tests/corpus/valid", "tests/corpus/orgs")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_validate_broken_folder_exits_2_without_traceback() -> None:
    files = sorted(n for n in PROBLEMS if n.startswith("broken/"))
    run = drillsim("validate", *ALLOW_CORPUS, "tests/corpus/broken", timeout=60)
    output = run.stdout + run.stderr
    assert run.returncode == 2, output
    assert "Traceback" not in output
    assert f"{len(files)} file(s) checked: 0 valid, {len(files)} invalid" in run.stdout
    for name in files:
        assert f"✗ tests/corpus/{name} " in run.stdout


def test_validate_prints_no_python_warning_for_a_reused_anchor(tmp_path: Path) -> None:
    org = (CORPUS / "valid" / "org.yaml").read_text(encoding="utf-8")
    for name in ("Acme AI", "Leadership"):  # the same anchor twice
        org = org.replace(f"name: {name}", f"name: &name {name}")
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    run = drillsim("validate", str(tmp_path / "org.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""
