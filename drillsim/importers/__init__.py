"""Importers: on-call configurations as their tools export them, turned into organisation files.

They sit at the edge, beside the scenario language: each reads one source (PagerDuty's REST API v2
JSON, PagerDuty's Terraform resources, GoAlert's GraphQL answers) and builds the same plain
organisation data a user could have written, which the scenario loader validates before anything is
written. Nothing downstream knows where an organisation came from. What cannot be represented is
listed with its file and path, on stderr and at the top of the file written; what would make the
result wrong refuses the import (``common.ImportRefused``) and nothing is written.

- ``common``: what they share: ``Source`` (a file and a path in it), the ``Draft`` organisation being
  built with its notes and provenance comments, reading files, and writing the YAML (validated,
  atomic, never over an existing file without ``force``);
- ``pagerduty``: PagerDuty objects (API JSON, or as ``terraform`` shapes them) → the organisation;
- ``terraform``: ``pagerduty_*`` resources in ``.tf`` files (python-hcl2), references resolved, given
  to ``pagerduty``;
- ``goalert``: GoAlert's users, rotations, schedules, escalation policies and services.

drillsim never calls a network: the user saves the files (docs/import.md says how).
"""
