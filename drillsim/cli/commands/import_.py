"""``drillsim import pagerduty|terraform|goalert``: an on-call configuration as an organisation file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drillsim.cli.console import errors

if TYPE_CHECKING:
    from drillsim.importers.common import Draft

app = typer.Typer(
    help="Import an on-call tool's configuration (PagerDuty, its Terraform, GoAlert) as an organisation "
    "file: validated, each part saying where it came from, what cannot be represented listed. "
    "drillsim never calls a network: save the files first (docs/import.md).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

Out = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="The organisation file to write (YAML); never replaced without --force."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")]
OrgId = Annotated[
    str | None, typer.Option("--id", help="The organisation's id (default: from --out's name).")
]
OrgName = Annotated[str | None, typer.Option("--name", help="The organisation's name.")]


@app.command("pagerduty")
def pagerduty(
    paths: Annotated[
        list[Path],
        typer.Argument(help="JSON files saved from PagerDuty's REST API v2, or folders of them."),
    ],
    out: Out,
    force: Force = False,
    org_id: OrgId = None,
    name: OrgName = None,
) -> None:
    """Import PagerDuty users, teams, schedules (with overrides), escalation policies and services.

    Each file is one API response: a list (`{"schedules": [...], "more": false}`, several pages
    welcome) or one object (`{"schedule": {...}}`). Exits 0 with a warning per construct drillsim
    cannot represent, 2 (nothing written) when the result would be wrong.
    """
    from drillsim.importers import pagerduty as source

    _import(source.read, paths, out, force, org_id, name)


@app.command("terraform")
def terraform(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Terraform files (.tf) with pagerduty_* resources, or folders of them."),
    ],
    out: Out,
    force: Force = False,
    org_id: OrgId = None,
    name: OrgName = None,
) -> None:
    """Import the `pagerduty_user`, `pagerduty_team`, `pagerduty_team_membership`, `pagerduty_schedule`,
    `pagerduty_escalation_policy` and `pagerduty_service` resources of Terraform files, references
    between them resolved. Exits as `import pagerduty` does."""
    from drillsim.importers import terraform as source

    _import(source.read, paths, out, force, org_id, name)


@app.command("goalert")
def goalert(
    paths: Annotated[
        list[Path], typer.Argument(help="GoAlert GraphQL answers saved as JSON (docs/import.md), or folders.")
    ],
    out: Out,
    force: Force = False,
    org_id: OrgId = None,
    name: OrgName = None,
) -> None:
    """Import GoAlert users, rotations, schedules (rules, temporary schedules), escalation policies and
    services. Exits as `import pagerduty` does."""
    from drillsim.importers import goalert as source

    _import(source.read, paths, out, force, org_id, name)


def _import(
    read: Callable[[Sequence[Path]], Draft],
    paths: Sequence[Path],
    out: Path,
    force: bool,
    org_id: str | None,
    name: str | None,
) -> None:
    """Read, build, validate, write; then the warnings and what was written on stderr."""
    from drillsim.importers.common import check_writable, organisation_text, slug, write_organisation

    check_writable(out, force=force)
    draft = read(paths)
    text = organisation_text(
        draft, org_id or slug(out.stem) or "imported", name or f"Imported from {draft.tool}"
    )
    write_organisation(text, out, force=force)
    for note in draft.notes:
        errors.print(f"warning: {note}", style="yellow", markup=False)
    counts = ", ".join(
        f"{len(getattr(draft, part))} {label}"
        for part, label in (
            ("people", "people"),
            ("teams", "teams"),
            ("schedules", "schedules"),
            ("escalation", "escalation policies"),
        )
    )
    missing = (
        f"; {len(draft.notes)} construct(s) not represented, listed at the top of the file"
        if draft.notes
        else ""
    )
    errors.print(
        f"wrote {out}: {counts}{missing}. Fill in the placeholders (fill-in): "
        f"`drillsim validate {out}` lists them.",
        markup=False,
    )
