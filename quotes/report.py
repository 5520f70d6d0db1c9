"""Readable terminal output: one panel per document with its quotes and cited sources, and
tables of the store's frames.

Everything that comes from a document (ids, paths, titles, names, quote text) is data, never
markup: it reaches rich only inside ``Text`` objects, so "[/red]" or "[link=…]" in an article
prints as it is written.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the records load pydantic: not for printing a table of the store
    from .records import DocumentResult

# Piped into a file or pager, a table of 80 columns wraps every name: give it room.
console = Console(width=None if sys.stdout.isatty() else 180, highlight=False, emoji=False)


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def plain(text: object, style: str = "", width: int | None = None) -> Text:
    """Text from data, shown as written (shortened to ``width`` characters when given)."""
    value = "" if text is None else str(text)
    return Text(_short(value, width) if width else value, style=style)


def joined(*parts: tuple[object, str] | Text) -> Text:
    """A Text made of (data, style) parts: styling without markup."""
    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else plain(*part))
    return out


def print_document(result: DocumentResult, out: Console | None = None) -> None:
    out = out or console
    outlet = (joined((result.outlet.name, ""), (f" ({result.outlet.evidence[:60]})", "dim")) if result.outlet
              else plain("unknown", "dim"))
    out.rule(joined((result.doc_id, "bold"), (f"  {result.language or '?'}  outlet: ", ""), outlet))
    if result.title:
        out.print(plain(result.title, "bold", 110))
    for warning in result.warnings:
        out.print(plain(f"note: {warning}", "yellow"))
    quotes = Table(show_lines=False, expand=True, title=f"{len(result.quotes)} quotes", title_justify="left")
    quotes.add_column("kind", no_wrap=True)
    quotes.add_column("speaker", ratio=2)
    quotes.add_column("cue", no_wrap=True)
    quotes.add_column("quote", ratio=5)
    quotes.add_column("conf", justify="right")
    for q in result.quotes:
        sp = q.speaker
        who = plain("—", "dim")
        if sp is not None:
            who = joined((sp.name, ""), (f" ({sp.role})" if sp.role else "", "dim"),
                         (f" «{_short(sp.mention, 30)}»" if sp.mention != sp.name else "", "dim"))
        kind = joined((q.kind, ""), (" comment" if q.in_comments else "", "yellow"))
        quotes.add_row(kind, who, plain(q.cue.text if q.cue else ""), plain(q.text, width=110),
                       plain(f"{q.confidence:.2f}"))
    out.print(quotes)
    if result.citations:
        cites = Table(expand=False, title=f"{len(result.citations)} cited sources", title_justify="left")
        for col in ("source", "kind", "mention", "where"):
            cites.add_column(col)
        for c in result.citations:
            cites.add_row(plain(c.source), plain(c.kind), plain(c.mention), plain("comments" if c.in_comments else "article"))
        out.print(cites)
    else:
        out.print(plain("no cited sources", "dim"))


def print_frame(rows: list[tuple], columns: list[str], title: str | None = None, more: int = 0,
                out: Console | None = None) -> None:
    """A table of plain values (a frame's rows); ``more`` rows were left out."""
    out = out or console
    table = Table(title=plain(title) if title else None, title_justify="left", show_lines=False)
    for name in columns:
        table.add_column(plain(name), overflow="fold")
    for row in rows:
        table.add_row(*(plain("" if v is None else v, width=90) for v in row))
    out.print(table)
    if more:
        out.print(plain(f"… {more} more rows (--limit 0, or --format csv/jsonl/parquet)", "dim"))
