"""A small report document rendered twice: Markdown for reading anywhere, and self-contained HTML
(inline CSS and SVG charts, nothing fetched from the network) for looking at."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from drillsim.scoring import RATINGS

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430; max-width: 1100px;
       margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d9dee7; }
.meta { color: #5b6577; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #d9dee7; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f2f4f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rating { font-weight: 700; padding: 0 .4rem; border-radius: 3px; color: white; }
.rating-P { background: #2e7d32; } .rating-S { background: #00838f; } .rating-M { background: #b26a00; }
.rating-U { background: #c62828; }
figure { margin: 1rem 0; } figcaption { color: #5b6577; font-size: .9rem; }
figure svg { max-width: 100%; height: auto; }
"""


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class TableBlock:
    """A table of text cells; ``numeric`` columns are right-aligned."""

    headers: list[str]
    rows: list[list[str]]
    numeric: set[int]  # columns right-aligned as numbers


@dataclass(frozen=True)
class Figure:
    """An inline SVG chart and its caption."""

    svg: str
    caption: str


Block = Heading | Paragraph | TableBlock | Figure


@dataclass
class Document:
    """A report as a list of blocks, rendered as Markdown (:meth:`markdown`) or HTML (:meth:`html`)."""

    title: str
    meta: list[str] = field(default_factory=list)
    _blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self._blocks.append(Heading(text))

    def paragraph(self, text: str) -> None:
        self._blocks.append(Paragraph(text))

    def table(self, headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> None:
        self._blocks.append(TableBlock(headers, rows, numeric or set()))

    def figure(self, svg: str, caption: str) -> None:
        self._blocks.append(Figure(svg, caption))

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", *(f"{m}  " for m in self.meta), ""]
        for block in self._blocks:
            match block:
                case Heading(text):
                    lines += [f"## {text}", ""]
                case Paragraph(text):
                    lines += [text, ""]
                case TableBlock(headers, rows):
                    lines += ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
                    lines += [
                        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
                    ]
                    lines.append("")
                case Figure(_, caption):
                    lines += [f"*Figure: {caption} (drawn in report.html).*", ""]
        return "\n".join(lines)

    def html(self) -> str:
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta "
            f"charset='utf-8'><title>{html.escape(self.title)}</title>",
            f"<style>{CSS}</style></head><body><h1>{html.escape(self.title)}</h1>",
        ]
        parts += [f"<div class='meta'>{html.escape(m)}</div>" for m in self.meta]
        for block in self._blocks:
            match block:
                case Heading(text):
                    parts.append(f"<h2>{html.escape(text)}</h2>")
                case Paragraph(text):
                    parts.append(f"<p>{html.escape(text)}</p>")
                case TableBlock(headers, rows, numeric):
                    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
                    body = "".join(
                        "<tr>" + "".join(_cell(c, i in numeric) for i, c in enumerate(row)) + "</tr>"
                        for row in rows
                    )
                    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
                case Figure(svg, caption):
                    parts.append(f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</body></html>")
        return "\n".join(parts)


def _cell(text: str, numeric: bool) -> str:
    if text in RATINGS:
        return f"<td><span class='rating rating-{text}'>{text}</span></td>"
    return f"<td class='num'>{html.escape(text)}</td>" if numeric else f"<td>{html.escape(text)}</td>"
