"""Readable terminal output: one panel per document with its quotes and cited sources."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from .records import DocumentResult

# Piped into a file or pager, a table of 80 columns wraps every name: give it room.
console = Console(width=None if sys.stdout.isatty() else 180)


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_document(result: DocumentResult, out: Console | None = None) -> None:
    out = out or console
    outlet = f"{result.outlet.name} [dim]({result.outlet.evidence[:60]})[/dim]" if result.outlet else "[dim]unknown[/dim]"
    out.rule(f"[bold]{result.doc_id}[/bold]  {result.language or '?'}  outlet: {outlet}")
    if result.title:
        out.print(f"[bold]{_short(result.title)}[/bold]")
    quotes = Table(show_lines=False, expand=True, title=f"{len(result.quotes)} quotes", title_justify="left")
    quotes.add_column("kind", no_wrap=True)
    quotes.add_column("speaker", ratio=2)
    quotes.add_column("cue", no_wrap=True)
    quotes.add_column("quote", ratio=5)
    quotes.add_column("conf", justify="right")
    for q in result.quotes:
        sp = q.speaker
        who = "[dim]—[/dim]"
        if sp is not None:
            who = sp.name + (f" [dim]({sp.role})[/dim]" if sp.role else "")
            if sp.mention != sp.name:
                who += f" [dim]«{_short(sp.mention, 30)}»[/dim]"
        kind = q.kind + (" [yellow]comment[/yellow]" if q.in_comments else "")
        quotes.add_row(kind, who, q.cue.text if q.cue else "", _short(q.text), f"{q.confidence:.2f}")
    out.print(quotes)
    if result.citations:
        cites = Table(expand=False, title=f"{len(result.citations)} cited sources", title_justify="left")
        for col in ("source", "kind", "mention", "where"):
            cites.add_column(col)
        for c in result.citations:
            cites.add_row(c.source, c.kind, c.mention, "comments" if c.in_comments else "article")
        out.print(cites)
    else:
        out.print("[dim]no cited sources[/dim]")
