"""Problems found in input files, and the one exception type the scenario package raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or smelly) in a file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = (
            f"{self.file}:" if self.line == 0 else f"{self.file}:{self.line}:{self.column}:"
        )  # 0: not in a file
        label = "" if self.severity == "error" else " warning:"
        return (
            f"{where}{label} {self.path}: {self.message}" if self.path else f"{where}{label} {self.message}"
        )


def dotted_path(path: tuple[object, ...]) -> str:
    """``("injects", 2, "at")`` → ``injects[2].at``."""
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else str(segment))
    return text


class ScenarioError(Exception):
    """Input that cannot be used. ``problems`` holds every error found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
