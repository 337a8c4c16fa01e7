"""PagerDuty's Terraform resources → the PagerDuty shapes :mod:`pagerduty` maps.

The ``.tf`` files are parsed with python-hcl2. Read: ``pagerduty_user``, ``pagerduty_team``,
``pagerduty_team_membership``, ``pagerduty_schedule`` (``layer`` and ``restriction`` blocks),
``pagerduty_escalation_policy`` (``rule`` and ``target`` blocks), ``pagerduty_service`` and the
``pagerduty_user`` / ``pagerduty_team`` data sources. A resource's address (``pagerduty_user.ana``)
is its id; references such as ``pagerduty_user.ana.id`` are resolved to it, ``var.NAME`` to the
variable's default and ``local.NAME`` to the local's value. A reference to anything else, an
expression drillsim does not evaluate, ``count`` or ``for_each`` refuse the import (naming file and
address); other ``pagerduty_*`` resources are noted. Layers apply in the order of their blocks,
lowest first, as the provider sends them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillsim.importers.common import SOURCE, Draft, ImportRefused, Note, Source, files_in
from drillsim.importers.pagerduty import TOOL, Export, build
from drillsim.scenario.loader import display_path

_REFERENCE = re.compile(r"\$\{([^{}]*)\}")
_ADDRESS = re.compile(r"^(data\.)?(pagerduty_[a-z_]+)\.([A-Za-z0-9_-]+)(?:\.id)?$")
READ = {
    "pagerduty_user",
    "pagerduty_team",
    "pagerduty_team_membership",
    "pagerduty_schedule",
    "pagerduty_escalation_policy",
    "pagerduty_service",
}
DATA_READ = {"pagerduty_user", "pagerduty_team"}  # data sources that name a person or a team
NOT_REPRESENTED = {
    "pagerduty_user_notification_rule": "a notification rule (how PagerDuty reaches a person)",
    "pagerduty_user_contact_method": "a contact method (how PagerDuty reaches a person)",
    "pagerduty_user_handoff_notification_rule": "a handoff notification rule",
}


@dataclass
class _Block:
    """One resource or data source: its type, body and where it stands."""

    kind: str
    body: dict[str, Any]
    where: Source


def read(paths: Sequence[Path]) -> Draft:
    """The organisation in the Terraform files named (or found in folders named)."""
    draft = Draft(f"{TOOL} (Terraform)")
    build(read_terraform(paths), draft)
    return draft


def read_terraform(paths: Sequence[Path]) -> Export:
    """The PagerDuty objects the ``.tf`` files define, in the shapes of the REST API."""
    blocks: dict[str, _Block] = {}
    variables: dict[str, Any] = {}
    export = Export(layers_listed_in_order=True)
    problems: list[Note] = []
    for path in files_in(paths, {".tf"}, "Terraform files (.tf)"):
        shown = display_path(path)
        export.files.append(shown)
        for kind, name, body, prefix in _top_level(_parse(path, shown)):
            if kind == "variable":
                variables[f"var.{name}"] = body.get("default", _NO_DEFAULT)
            elif kind == "locals":
                variables[f"local.{name}"] = body
            else:
                address = f"{prefix}{kind}.{name}"
                if address in blocks:
                    problems.append(
                        Note(Source(shown, address), f"defined twice (also in {blocks[address].where.file})")
                    )
                blocks[address] = _Block(kind, body, Source(shown, address))
    if problems:
        raise ImportRefused(problems)
    resolver = _Resolver(blocks, variables)
    memberships_last = sorted(blocks.items(), key=lambda item: item[1].kind == "pagerduty_team_membership")
    for address, block in memberships_last:
        data = address.startswith("data.")
        if not block.kind.startswith("pagerduty_") or (data and block.kind not in DATA_READ):
            continue
        if "count" in block.body or "for_each" in block.body:
            resolver.problems.append(
                Note(block.where, "count and for_each are not expanded by drillsim: write the resources out")
            )
        elif block.kind in READ:
            _shape(export, address, block, resolver)
        else:
            what = NOT_REPRESENTED.get(block.kind)
            export.notes.append(Note(block.where, f"{what} is not represented" if what else "not read"))
    if resolver.problems:
        raise ImportRefused(resolver.problems)
    return export


_NO_DEFAULT = object()


def _parse(path: Path, shown: str) -> dict[str, Any]:
    import hcl2
    from hcl2 import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    try:
        text = path.read_text(encoding="utf-8-sig")
        parsed: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(
            [Note(Source(shown), f"cannot be read: {getattr(exc, 'strerror', None) or exc}")]
        ) from None
    except Exception as exc:  # lark's parse errors name the line and column
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImportRefused([Note(Source(shown), f"not HCL: {first}")]) from None
    return parsed


def _top_level(parsed: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(type, name, body, address prefix) of each resource, data source, variable and local."""
    found: list[tuple[str, str, Any, str]] = []
    for section, prefix in (("resource", ""), ("data", "data.")):
        for group in parsed.get(section, []):
            for kind, named in group.items():
                found += [(kind, name, body, prefix) for name, body in named.items()]
    for group in parsed.get("variable", []):
        found += [("variable", name, body, "") for name, body in group.items()]
    for group in parsed.get("locals", []):
        found += [("locals", name, value, "") for name, value in group.items()]
    return found


class _Resolver:
    """Resolves ``${…}`` references: resources and data sources to their address, variables and
    locals to their values. What it cannot resolve is a problem naming the file and path."""

    def __init__(self, blocks: dict[str, _Block], variables: dict[str, Any]) -> None:
        self.blocks, self.variables = blocks, variables
        self.problems: list[Note] = []

    def value(self, value: Any, where: Source) -> Any:
        if isinstance(value, list):
            return [self.value(v, where.at(i)) for i, v in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return self._reference(whole.group(1).strip(), where)
        return _REFERENCE.sub(lambda m: str(self._reference(m.group(1).strip(), where)), value)

    def _reference(self, expression: str, where: Source) -> Any:
        if expression in self.variables:
            found = self.variables[expression]
            if found is _NO_DEFAULT:
                self.problems.append(
                    Note(where, f"{expression} has no default: drillsim cannot know its value")
                )
                return None
            return self.value(found, where)
        match = _ADDRESS.match(expression)
        if match:
            address = f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}"
            if address in self.blocks:
                return address
            self.problems.append(Note(where, f"unknown reference {expression}: no {address} in these files"))
            return None
        self.problems.append(
            Note(where, f"${{{expression}}}: an expression drillsim does not evaluate (write the value)")
        )
        return None

    def text(self, body: dict[str, Any], key: str, where: Source) -> Any:
        return self.value(body.get(key), where.at(key))


def _blocks(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    found = body.get(key) or []
    return [b for b in (found if isinstance(found, list) else [found]) if isinstance(b, dict)]


def _shape(export: Export, address: str, block: _Block, resolve: _Resolver) -> None:
    """Add the API-shaped object a resource defines to ``export``."""
    body, where = block.body, block.where
    kind = block.kind
    named = {"id": address, SOURCE: where, "name": resolve.text(body, "name", where)}
    if kind == "pagerduty_user":
        named["name"] = named["name"] or resolve.text(body, "email", where)
        teams = resolve.text(body, "teams", where) or []
        named["teams"] = [{"id": t, SOURCE: where.at("teams", i)} for i, t in enumerate(teams)]
        export.users[address] = named
    elif kind == "pagerduty_team":
        export.teams[address] = named
    elif kind == "pagerduty_team_membership":  # read after the users (see read_terraform)
        user, team = resolve.text(body, "user_id", where), resolve.text(body, "team_id", where)
        if user in export.users:
            export.users[user]["teams"].append({"id": team, SOURCE: where.at("team_id")})
        else:
            export.notes.append(
                Note(where.at("user_id"), f"{user} is not among the users read: membership left out")
            )
    elif kind == "pagerduty_schedule":
        named["time_zone"] = resolve.text(body, "time_zone", where)
        named["schedule_layers"] = [
            _layer(resolve, layer, where.at("layer", i)) for i, layer in enumerate(_blocks(body, "layer"))
        ]
        export.schedules[address] = named
    elif kind == "pagerduty_escalation_policy":
        named["num_loops"] = resolve.text(body, "num_loops", where)
        named["escalation_rules"] = [
            _rule(resolve, rule, where.at("rule", i)) for i, rule in enumerate(_blocks(body, "rule"))
        ]
        export.escalation_policies[address] = named
    elif kind == "pagerduty_service":
        policy = resolve.text(body, "escalation_policy", where)
        named["escalation_policy"] = {"id": policy, SOURCE: where.at("escalation_policy")}
        urgency = _blocks(body, "incident_urgency_rule")
        if urgency:
            named["incident_urgency_rule"] = {**urgency[0], SOURCE: where.at("incident_urgency_rule")}
        export.services[address] = named


def _layer(resolve: _Resolver, layer: dict[str, Any], where: Source) -> dict[str, Any]:
    users = resolve.text(layer, "users", where) or []
    return {
        SOURCE: where,
        "name": resolve.text(layer, "name", where),
        "start": resolve.text(layer, "start", where),
        "end": resolve.text(layer, "end", where) or None,
        "rotation_virtual_start": resolve.text(layer, "rotation_virtual_start", where),
        "rotation_turn_length_seconds": resolve.text(layer, "rotation_turn_length_seconds", where),
        "users": [{"user": {"id": u, SOURCE: where.at("users", i)}} for i, u in enumerate(users)],
        "restrictions": [
            {
                **{k: resolve.value(v, where.at("restriction", i, k)) for k, v in r.items()},
                SOURCE: where.at("restriction", i),
            }
            for i, r in enumerate(_blocks(layer, "restriction"))
        ],
    }


def _rule(resolve: _Resolver, rule: dict[str, Any], where: Source) -> dict[str, Any]:
    strategy = _blocks(rule, "escalation_rule_assignment_strategy")
    return {
        SOURCE: where,
        "escalation_delay_in_minutes": resolve.text(rule, "escalation_delay_in_minutes", where),
        "escalation_rule_assignment_strategy": strategy[0].get("type") if strategy else None,
        "targets": [
            {
                SOURCE: where.at("target", i),
                "type": resolve.text(target, "type", where.at("target", i)) or "user_reference",
                "id": resolve.text(target, "id", where.at("target", i)),
            }
            for i, target in enumerate(_blocks(rule, "target"))
        ],
    }
