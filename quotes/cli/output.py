"""What the command line prints and writes: lines on stderr, progress bars, one panel per
document, tables of the store's frames, and frames as CSV, JSON, JSON lines or Parquet.

Everything that comes from a document (ids, paths, titles, names, quote text) is data, never
markup: it reaches rich only inside ``Text`` objects, so "[/red]" or "[link=…]" in an article
prints as it is written, and only through ``quotes.terminal.safe``, so an escape sequence or
another control character in it is shown escaped (``\x1b[2J``), never acted on by the terminal.
CSV, JSON and Parquet keep the exact text. rich loads on first use: a read command that prints no table and no
line on stderr does not load it.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the records load pydantic: not for printing a table of the store
    from rich.console import Console
    from rich.text import Text

    from quotes.records import DocumentResult

TABLE_ROWS = 100  # rows a table shows unless asked for more
_CONSOLES: dict[str, "Console"] = {}


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"


def stdout() -> Console:
    """The console for tables on stdout. Piped into a file or pager, a table of 80 columns wraps
    every name: give it room."""
    if "out" not in _CONSOLES:
        from rich.console import Console

        _CONSOLES["out"] = Console(width=None if sys.stdout.isatty() else 180, highlight=False, emoji=False)
    return _CONSOLES["out"]


def stderr() -> Console:
    """The console for lines and progress on stderr."""
    if "err" not in _CONSOLES:
        from rich.console import Console

        _CONSOLES["err"] = Console(stderr=True, highlight=False, emoji=False)
    return _CONSOLES["err"]


def warn(message: str, style: str = "yellow") -> None:
    """One line on stderr; ``message`` may hold document text, so it is never read as markup."""
    from rich.text import Text

    from quotes.terminal import safe

    stderr().print(Text(safe(message, newlines=False), style=style), soft_wrap=True)


def progress():
    """A progress bar on stderr (shown only when stderr is a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = stderr()
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


# --- a document, a frame -------------------------------------------------------------------------


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def plain(text: object, style: str = "", width: int | None = None) -> Text:
    """Text from data, shown as written (shortened to ``width`` characters when given)."""
    from rich.text import Text

    from quotes.terminal import safe

    value = "" if text is None else str(text)
    return Text(safe(_short(value, width) if width else value), style=style)


def joined(*parts: tuple[object, str] | Text) -> Text:
    """A Text made of (data, style) parts: styling without markup."""
    from rich.text import Text

    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else plain(*part))
    return out


def print_document(result: DocumentResult, out: Console | None = None) -> None:
    """One panel per document: its outlet, title and warnings, a table of its quotes and one of its
    cited sources."""
    from rich.table import Table

    out = out or stdout()
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
    from rich.table import Table

    out = out or stdout()
    table = Table(title=plain(title) if title else None, title_justify="left", show_lines=False)
    for name in columns:
        table.add_column(plain(name), overflow="fold")
    for row in rows:
        table.add_row(*(plain("" if v is None else v, width=90) for v in row))
    out.print(table)
    if more:
        out.print(plain(f"… {more} more rows (--limit 0, or --format csv/jsonl/parquet)", "dim"))


# --- frames as tables and files ------------------------------------------------------------


def _flat(df):
    """Nested columns as text, for CSV and the terminal: lists '; '-joined, records as JSON, bytes
    as base64."""
    import polars as pl

    def text(dtype) -> pl.Expr:
        element = pl.element()
        if isinstance(dtype, pl.Struct):
            return element.struct.json_encode()
        return element if dtype == pl.String else element.cast(pl.String)

    df = _binary_as_text(df)
    columns = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List):
            columns.append(pl.col(name).list.eval(text(dtype.inner)).list.join("; "))
        elif isinstance(dtype, pl.Struct):
            columns.append(pl.col(name).struct.json_encode())
    return df.with_columns(columns) if columns else df


def emit(df, fmt: str, out: Path | None = None, title: str | None = None, limit: int = TABLE_ROWS) -> None:
    """Print (or write to ``out``) a frame as a table, CSV, JSON lines, a JSON list or Parquet."""
    if fmt == "parquet":
        if out is None and sys.stdout.isatty():
            import typer

            raise typer.BadParameter("parquet is binary: give --out FILE or redirect stdout")
        if out:
            write_out(out, lambda f: df.write_parquet(f))
        else:
            df.write_parquet(sys.stdout.buffer)
        return
    if fmt == "table" and out is None:
        _print_table(df, title, limit)
        return
    if fmt == "csv":
        body = _flat(df).write_csv()
    elif fmt == "jsonl":
        body = _binary_as_text(df).write_ndjson()
    elif fmt == "json":
        body = _binary_as_text(df).write_json() + "\n"
    else:
        body = str(_flat(df)) + "\n"
    if out:
        write_out(out, body)
    else:
        sys.stdout.write(body)


def _binary_as_text(df):
    """Binary columns (statement vectors) as base64 text: JSON has no bytes."""
    import polars as pl

    binary = [name for name, dtype in df.schema.items() if dtype == pl.Binary]
    return df.with_columns(pl.col(name).bin.encode("base64") for name in binary) if binary else df


def write_out(out: Path, content) -> None:
    """An output file (--out, --plot) through quotes.files: atomic, a new or a regular file only, never
    inside a store, a full disk one line (exit 74)."""
    from quotes.files import write_file

    write_file(out, content)


def _print_table(df, title: str | None, limit: int) -> None:
    shown = _flat(df).head(limit) if limit else _flat(df)
    print_frame(list(shown.iter_rows()), shown.columns, title, df.height - shown.height)
