"""Hypothesis strategies for scenarios: random small valid ones, and structural mutations of them.

``small_scenarios()`` draws a valid scenario as plain data (what a YAML file holds);
``mutated_scenarios()`` draws one and breaks it the way people and tools break files: a key
deleted or misspelt, a value of the wrong type, a reference to an id that does not exist, an id
used twice, a negative or huge duration, a cycle in a playbook, an empty collection.
``yaml_text()`` writes such data as a block-style YAML file.

Imported by the tests as ``from scenario_strategies import ...`` (tests/ is on the path).
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

DISTS = st.one_of(
    st.integers(0, 30).map(lambda m: f"{m}m"),
    st.integers(1, 20).map(lambda m: {"exponential": {"mean": f"{m}m"}}),
    st.tuples(st.integers(0, 10), st.integers(1, 30)).map(
        lambda t: {"uniform": {"min": f"{t[0]}m", "max": f"{t[0] + t[1]}m"}}
    ),
)
DURATIONS = st.one_of(
    st.integers(1, 240).map(lambda m: f"{m}m"),
    st.integers(5, 180).map(lambda m: {"exponential": {"mean": f"{m}m"}}),
    st.tuples(st.integers(1, 60), st.integers(1, 120)).map(
        lambda t: {
            "triangular": {"min": f"{t[0]}m", "mode": f"{t[0] + t[1] // 2}m", "max": f"{t[0] + t[1]}m"}
        }
    ),
)
PROB = st.sampled_from([0, 0.5, 0.9, 1])


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid scenario as plain data (organisation inline): 1–4 people, 1–2 incident kinds
    with 1–4 playbook tasks, 1–3 levels, scripted injects, complications (some conditional) and maybe an
    arrival.

    Fixed times are whole minutes: times like 1m20s trigger the floating-point bug pinned (xfail)
    in test_engine_cases.py."""
    n = draw(st.integers(1, 4))
    names = [f"p{i}" for i in range(n)]
    roles = ["r0", "r1", "r2"]
    people: dict[str, Any] = {}
    for name in names:
        person: dict[str, Any] = {
            "name": name.upper(),
            "teams": ["all"],
            "roles": draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2, unique=True)),
            "reachability": draw(st.one_of(PROB, st.fixed_dictionaries({"on_duty": PROB, "off_duty": PROB}))),
            "ack_delay": draw(DISTS),
        }
        if draw(st.booleans()):
            person["skills"] = ["k0"]
        if draw(st.integers(0, 3)) == 0:
            start, end = draw(st.sampled_from([("09:00", "17:00"), ("22:00", "06:00"), ("00:00", "12:00")]))
            days = draw(st.sampled_from(["mon-fri", "sat-mon", ["tue"]]))
            person["working_hours"] = {"days": days, "start": start, "end": end}
        people[name] = person
    held = sorted({r for p in people.values() for r in p["roles"]})
    skilled = any("skills" in p for p in people.values())
    team: dict[str, Any] = {"name": "All"}
    rotation = draw(st.booleans())
    if rotation:
        team["on_call"] = {
            "members": draw(st.lists(st.sampled_from(names), min_size=1, max_size=3)),
            "shift": draw(st.sampled_from(["4h", "8h", "1d"])),
            "start": "2026-01-04T06:00:00Z",
        }
    target = st.one_of(
        st.sampled_from(names).map(lambda p: {"person": p}),
        st.sampled_from(held).map(lambda r: {"role": r}),
        st.just({"team": "all"}),
        st.just({"round_robin": "all"}),
        *([st.just({"on_call": "all"})] if rotation else []),
    )
    levels = [
        {"timeout": f"{draw(st.integers(1, 30))}m", "targets": draw(st.lists(target, min_size=1, max_size=2))}
        for _ in range(draw(st.integers(1, 3)))
    ]
    levels[-1]["targets"].append({"team": "all"})  # everyone reachable: any decision can be taken
    deciders = draw(st.lists(st.sampled_from(held), min_size=1, max_size=2, unique=True))
    authorities = {"a0": {"title": "Decide", "roles": deciders}}
    incidents: dict[str, Any] = {}
    sources_all: list[str] = []
    for k in range(draw(st.integers(1, 2))):
        sources = {
            f"s{k}{j}": {"probability": draw(PROB), "delay": draw(DISTS)}
            for j in range(draw(st.integers(1, 2)))
        }
        sources_all += list(sources)
        detection: dict[str, Any] = {"sources": sources}
        if draw(st.booleans()):
            detection["fallback"] = {
                "delay": draw(st.sampled_from(["2h", "1d", {"exponential": {"mean": "6h"}}]))
            }
        regulatory = draw(
            st.sampled_from(
                [[], ["ny-raise/safety-incident"], ["ca-sb53/imminent-risk", "ny-raise/safety-incident"]]
            )
        )
        playbook: dict[str, Any] = {}
        for i in range(draw(st.integers(1, 4))):
            task: dict[str, Any] = {"duration": draw(DURATIONS)}
            if skilled and draw(st.integers(0, 3)) == 0:
                task["skill"] = "k0"
            else:
                task["role"] = draw(st.sampled_from(held))
            if i:
                task["after"] = draw(
                    st.lists(st.sampled_from([f"t{j}" for j in range(i)]), max_size=2, unique=True)
                )
            if draw(st.integers(0, 2)) == 0:
                task["decision"] = "a0"
            milestone = draw(st.sampled_from([None, None, "contained", "resolved"]))
            if milestone:
                task["milestone"] = milestone
            playbook[f"t{i}"] = task
        for clock in regulatory:
            playbook[draw(st.sampled_from(sorted(playbook)))].setdefault("notifies", []).append(clock)
        incidents[f"k{k}"] = {
            "title": f"Kind {k}",
            "risk_area": "other",
            "severity": draw(st.sampled_from(["sev1", "sev2", "sev3", "sev4"])),
            "detection": detection,
            "playbook": playbook,
            "regulatory": regulatory,
        }
    kinds = sorted(incidents)
    injects: list[dict[str, Any]] = [
        {
            "id": f"i{i}",
            "at": f"{draw(st.integers(0, 36 * 60))}m",
            "kind": "incident",
            "incident": draw(st.sampled_from(kinds)),
            "text": "go",
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    for i in range(draw(st.integers(0, 2))):
        effect = draw(st.sampled_from(["unavailable", "paging_delay", "disable_source"]))
        at = f"{draw(st.integers(0, 24 * 60))}m"
        inject: dict[str, Any] = {"id": f"c{i}", "at": at, "kind": "complication", "text": "x"}
        inject[effect] = {
            "unavailable": {"person": draw(st.sampled_from(names))},
            "paging_delay": "10m",
            "disable_source": draw(st.sampled_from(sources_all)),
        }[effect]
        if draw(st.booleans()):
            inject["for"] = f"{draw(st.integers(1, 12 * 60))}m"
        if draw(st.booleans()):
            happening: dict[str, Any] = {"incident": draw(st.sampled_from(kinds))}
            if draw(st.booleans()):
                happening["milestone"] = draw(st.sampled_from(["detected", "acknowledged"]))
            else:
                happening["acknowledged"] = {"person": draw(st.sampled_from(names))}
            inject["condition"] = {draw(st.sampled_from(["if", "unless"])): happening}
        injects.append(inject)
    policy = {"levels": levels, "repeat": draw(st.integers(0, 2))}
    scenario: dict[str, Any] = {
        "id": "random",
        "title": "Random",
        "start": "2026-01-05T00:00:00Z",
        "horizon": draw(st.sampled_from(["1d", "2d", "3d"])),
        "organisation": {
            "id": "org",
            "name": "Org",
            "teams": {"all": team},
            "people": people,
            "authorities": authorities,
            "escalation": {"main": policy},
        },
        "incidents": incidents,
        "injects": injects,
    }
    if draw(st.booleans()):
        rate = draw(st.sampled_from(["1/6h", "1/2h", "1/h"]))
        scenario["arrivals"] = [{"incident": draw(st.sampled_from(kinds)), "rate": rate}]
    return scenario


# --- structural mutations ------------------------------------------------------------------------

Path_ = tuple[Any, ...]

WRONG_TYPES = st.sampled_from(
    [None, True, 0, -1, 2.5, "", "x", "soon", [], {}, ["x"], {"x": 1}, "2026-13-45T99:00:00Z"]
)
HUGE = st.sampled_from(
    [
        10**30,
        -(10**30),
        2**63,
        1e308,
        float("inf"),
        float("nan"),
        "99999999999999d",
        "1e400m",
        "1000000000/s",
        10**400,
    ]
)
DURATION = re.compile(r"^\d+[smhdw]$")


def nodes(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every place in ``data`` and its value, the root first."""
    yield path, data
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from nodes(value, (*path, key))


def parent_of(data: Any, path: Path_) -> Any:
    """The mapping or list holding the value at ``path`` (not the root)."""
    for segment in path[:-1]:
        data = data[segment]
    return data


def _pick(draw: st.DrawFn, data: dict[str, Any], accept: Callable[[Path_, Any], bool]) -> Path_ | None:
    """A place (not the root) whose value ``accept`` takes, or None when there is none."""
    places = [path for path, value in nodes(data) if path and accept(path, value)]
    return draw(st.sampled_from(places)) if places else None


def _replace(data: dict[str, Any], path: Path_, change: Callable[[Any], Any]) -> None:
    """Put ``change(value)`` in place of the value at ``path``."""
    parent = parent_of(data, path)
    parent[path[-1]] = change(parent[path[-1]])


def _is_amount(path: Path_, value: Any) -> bool:
    """A number or a plain duration such as ``5m``."""
    return (isinstance(value, str) and bool(DURATION.match(value))) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    )


def delete_entry(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A field or a list item goes missing."""
    path = _pick(draw, data, lambda path, value: True)
    if path is not None:
        del parent_of(data, path)[path[-1]]


def wrong_type(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A value of the wrong type (a list for a mapping, text for a number, ...)."""
    path = _pick(draw, data, lambda path, value: True)
    if path is not None:
        _replace(data, path, lambda value: draw(WRONG_TYPES))


def dangling_reference(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A reference (to a person, team, role, task, incident, source, ...) names an id that does not exist."""
    keys = {path[-1] for path, _ in nodes(data) if path and isinstance(path[-1], str)}
    texts = [value for _, value in nodes(data) if isinstance(value, str)]
    ids = keys | {text for text in texts if texts.count(text) > 1}
    path = _pick(draw, data, lambda path, value: isinstance(value, str) and value in ids)
    if path is not None:
        _replace(data, path, lambda value: f"ghost-{value}")


def duplicate_id(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Two injects share an id (the one list whose entries have ids)."""
    injects = data.get("injects")
    if isinstance(injects, list) and injects:
        injects.append(copy.deepcopy(draw(st.sampled_from(injects))))


def negative_duration(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A duration, delay or number below zero."""
    path = _pick(draw, data, _is_amount)
    if path is not None:
        _replace(data, path, lambda value: f"-{value}" if isinstance(value, str) else -abs(value) - 1)


def huge_value(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A number or duration far beyond anything sensible (or infinite, or not a number)."""
    path = _pick(draw, data, _is_amount)
    if path is not None:
        _replace(data, path, lambda value: draw(HUGE))


def playbook_cycle(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """Two tasks of a playbook wait for each other (or one for itself)."""
    path = _pick(
        draw,
        data,
        lambda path, value: (
            path[-1] == "playbook"
            and isinstance(value, dict)
            and any(isinstance(task, dict) for task in value.values())
        ),
    )
    if path is None:
        return
    playbook = parent_of(data, path)[path[-1]]
    tasks = [name for name, task in playbook.items() if isinstance(task, dict)]
    first, second = draw(st.sampled_from(tasks)), draw(st.sampled_from(tasks))
    for waiting, waited_for in ((first, second), (second, first)):
        after = playbook[waiting].get("after")
        playbook[waiting]["after"] = [*(after if isinstance(after, list) else []), waited_for]


def misspelt_key(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A field name with a letter missing (an unknown field, close to a known one)."""
    path = _pick(draw, data, lambda path, value: isinstance(path[-1], str) and len(path[-1]) > 2)
    if path is not None:
        parent = parent_of(data, path)
        parent[path[-1][:-1]] = parent.pop(path[-1])


def empty_collection(draw: st.DrawFn, data: dict[str, Any]) -> None:
    """A mapping or list with nothing in it."""
    path = _pick(draw, data, lambda path, value: isinstance(value, dict | list) and bool(value))
    if path is not None:
        _replace(data, path, lambda value: type(value)())


MUTATIONS = [
    delete_entry,
    wrong_type,
    dangling_reference,
    duplicate_id,
    negative_duration,
    huge_value,
    playbook_cycle,
    misspelt_key,
    empty_collection,
]


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A small valid scenario with one to three structural mutations (each from MUTATIONS)."""
    data = copy.deepcopy(draw(small_scenarios()))  # its parts may be strategy constants, shared by every draw
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        mutation(draw, data)
    return data


def yaml_text(data: Any) -> str:
    """``data`` as a block-style YAML file, as a person would write it."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()
