"""The commands that read the store: query, audit, trace, claims, sql, report, export.

Only typer and the standard library are imported here at module level; a read command loads
polars and deltalake, never pydantic, stanza, torch or Prefect (tests/test_read_path.py).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from quotes.cli.output import TABLE_ROWS, TableFormat, emit, warn, write_out
from quotes.cli.store import checked_store, store_option, store_tables


class AuditFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


query_app = typer.Typer(no_args_is_help=True, help="Ask the store: quotes, speakers.")


def _quote_filters(tables, speaker, outlet, source, lang, since, contains, include_comments):
    """The quotes the filters keep; with --since, a line on stderr says how many documents the
    date left out (undated ones among them)."""
    from quotes.ask.query import query_quotes
    from quotes.ingest.dates import as_utc

    start = as_utc(since) if since else None
    q = query_quotes(tables, speaker=speaker, outlet=outlet, source=source, lang=lang, since=start,
                     contains=contains, include_comments=include_comments)
    if start is not None:
        from quotes.ask.query import left_out_by_date

        earlier, undated = left_out_by_date(query_quotes(tables, speaker=speaker, outlet=outlet, source=source,
                                                         lang=lang, contains=contains,
                                                         include_comments=include_comments), start)
        if earlier or undated:
            warn(f"--since {start:%Y-%m-%d %H:%M} UTC left out {earlier + undated} documents: {earlier} published "
                 f"earlier, {undated} with no known date", "dim")
    return q


@query_app.command("quotes")
def query_quotes_command(
    speaker: Optional[str] = typer.Option(None, help="part of the speaker's name or of any alias of its entity, any case"),
    outlet: Optional[str] = typer.Option(None, help="the publishing outlet ('(unknown)' for undetected)"),
    source: Optional[str] = typer.Option(None, help="only documents that cite this source"),
    lang: Optional[str] = typer.Option(None, "--lang", help="language code"),
    since: Optional[str] = typer.Option(None, help="published on or after this date: 2024-01-16, 16.01.2024, "
                                                    "'16 January 2024', 'yesterday', '7 days ago'"),
    contains: Optional[str] = typer.Option(None, help="text the quote contains, any case"),
    include_comments: bool = typer.Option(False, "--include-comments", help="also quotes in reader comments"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out", help="write to this file"),
    limit: int = typer.Option(0, help="at most this many quotes (0: all; a table shows 100)"),
    store: Optional[str] = store_option(),
) -> None:
    """Quotes matching every filter, in publication order."""
    q = _quote_filters(store_tables(store), speaker, outlet, source, lang, since, contains, include_comments)
    if limit:
        q = q.head(limit)
    if fmt is TableFormat.table and out is None:
        q = q.select("published", "outlet", "doc_id", "speaker_name", "kind", "text")
    emit(q.collect(), fmt.value, out, "quotes", limit or TABLE_ROWS)


@query_app.command("speakers")
def query_speakers_command(
    outlet: Optional[str] = typer.Option(None, help="quoted by this outlet only"),
    source: Optional[str] = typer.Option(None, help="only documents that cite this source"),
    lang: Optional[str] = typer.Option(None, "--lang"),
    since: Optional[str] = typer.Option(None, help="published on or after this date (as for query quotes)"),
    include_comments: bool = typer.Option(False, "--include-comments"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    store: Optional[str] = store_option(),
) -> None:
    """Who is quoted how often, in how many documents, and by which outlets: one row per entity
    (its name, aliases and id; see `quotes entities`). Unresolved speakers are left out."""
    from quotes.ask.query import speakers

    tables = store_tables(store)
    q = _quote_filters(tables, None, outlet, source, lang, since, None, include_comments)
    emit(speakers(q, tables.entities).collect(), fmt.value, out, "speakers")


def audit(
    fmt: AuditFormat = typer.Option(AuditFormat.table, "--format"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="also draw a heat map into this file (.png, .svg or .pdf)"),
    store: Optional[str] = store_option(),
) -> None:
    """Outlet × cited source: documents citing it in the article (count) and in comments, with ids."""
    from quotes.ask.query import audit as audit_frame
    from quotes.ask.query import plot_audit
    from quotes.errors import QuotesError

    if plot is not None:
        from quotes.files import check_target

        check_target(plot)  # a link, a device or a place inside a store: refused before anything is read
    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise QuotesError(f"--plot {plot}: the heat map is written as .png, .svg or .pdf (an HTML page of the "
                          "store is `quotes report`)")
    frame = audit_frame(store_tables(store))
    emit(frame, fmt.value, None, "outlet × cited source (documents)", 0)
    if plot is not None:

        if frame.is_empty():
            raise QuotesError("nothing to plot: the store holds no citations")
        write_out(plot, lambda f: plot_audit(frame, f, plot.suffix.lower().lstrip(".")))
        warn(f"plot: {plot}", "")


def trace(
    text: Optional[str] = typer.Argument(None, help="a statement, in any language"),
    quote_id: Optional[str] = typer.Option(None, "--quote-id", help="start from this stored quote"),
    file: Optional[Path] = typer.Option(None, "--file", help="one statement per line (use --format jsonl)"),
    lang: Optional[str] = typer.Option(None, "--lang", help="language of the statement (default: detected)"),
    threshold: Optional[float] = typer.Option(None, help="least cosine for a match (default: the encoder's, "
                                                         "higher within one language)"),
    near_misses: bool = typer.Option(False, "--near-misses", help="also list statements on the same story that "
                                                                    "say something else, with what differs"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    store: Optional[str] = store_option(),
) -> None:
    """Where a statement (or its translation) appeared, in publication order: the first row is where
    it appeared first; each row a document with its outlet, language, speaker (when it was a quote),
    the matched statement, its score, why it matched (the names and numbers both state) and the
    sources the document cites. A match is a stored statement whose cosine reaches the threshold
    and in which the verifier finds no other person, place, number, date or polarity.

    --near-misses: also the statements above the threshold that the verifier vetoed, labelled by what
    differs ("different number", "negated", "different person", "different place").

    With --file and --format jsonl: one JSON object per line of the file, in order, each with
    `matches` (doc_id, score, why, …) best first (and `near_misses` with --near-misses)."""
    import json

    from quotes.ask.trace import in_publication_order, trace_quote, trace_with_near_misses

    if sum(x is not None for x in (text, quote_id, file)) != 1:
        raise typer.BadParameter("give TEXT, --quote-id or --file")
    if lang is not None:
        from quotes.ingest.language import known_language

        lang = known_language(lang)
    target = checked_store(store)
    if file is not None:
        from quotes.files import read_text
        from quotes.ingest.read import max_chars_setting

        # a regular file only, and no more than an article may hold (4 bytes a character)
        lines = read_text(file, 4 * max_chars_setting()).splitlines()
        statements = [line for line in lines if line.strip()]
        found = trace_with_near_misses(target, statements, lang=lang, threshold=threshold) if statements else []
        if fmt is TableFormat.jsonl:
            for statement, (matches, missed) in zip(statements, found):
                line = {"statement": statement, "matches": matches.with_columns(pl_date("published")).to_dicts()}
                if near_misses:
                    line["near_misses"] = missed.with_columns(pl_date("published")).to_dicts()
                sys.stdout.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
            return
        for statement, (matches, missed) in zip(statements, found):
            emit(in_publication_order(matches), fmt.value, None, f"trace: {statement}", 0)
            _no_match(matches, threshold, fmt)
            if near_misses:
                _emit_near_misses(missed, fmt)
        return
    if quote_id is not None:
        quote, matches = trace_quote(target, quote_id, threshold=threshold)
        missed = None
        title = f"trace of quote {quote_id}: {quote['text']}"
    else:
        ((matches, missed),) = trace_with_near_misses(target, [text], lang=lang, threshold=threshold)
        title = f"trace: {text}"
    if fmt is TableFormat.jsonl:
        sys.stdout.write(matches.with_columns(pl_date("published")).write_ndjson())
        if near_misses and missed is not None:
            sys.stdout.write(missed.with_columns(pl_date("published"), near_miss=True).write_ndjson())
        return
    emit(in_publication_order(matches), fmt.value, None, title, 0)
    _no_match(matches, threshold, fmt)
    if near_misses and missed is not None:
        _emit_near_misses(missed, fmt)


def _emit_near_misses(missed, fmt: TableFormat) -> None:
    """The near misses as a table of their own: what differs first."""
    import polars as pl

    shown = missed.with_columns(pl.col("differs").list.join("; ")).select(
        "differs", *[c for c in missed.columns if c != "differs"])
    if fmt is TableFormat.table and shown.is_empty():
        warn("no near misses: no statement above the threshold was vetoed", "dim")
        return
    emit(shown, fmt.value, None, "near misses: the same story, another claim", 0)


def _no_match(matches, threshold: Optional[float], fmt: TableFormat) -> None:
    """A line on stderr for an empty table: no match, and how to look wider."""
    if matches.is_empty() and fmt is TableFormat.table:

        warn(f"no stored statement reaches cosine {threshold:g}" if threshold is not None else
             "no stored statement matches at the encoder's thresholds; --near-misses shows statements on the same "
             "story that say something else, a lower --threshold looks wider", "dim")


def pl_date(column: str):
    import polars as pl

    return pl.col(column).dt.to_string("%Y-%m-%dT%H:%M:%S%z")


def claims(
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    limit: int = typer.Option(0, help="at most this many claims (0: all; a table shows 100)"),
    store: Optional[str] = store_option(),
) -> None:
    """Claims: statements that say the same thing in two documents or more (across languages too),
    with where each appeared first and who repeated it; the members are the `claims` table of `sql`."""
    from quotes.ask.claims import claims_summary

    frame = claims_summary(store_tables(store).claims)
    if limit:
        frame = frame.head(limit)
    emit(frame.collect(), fmt.value, out, "claims (statements in two documents or more)", limit or TABLE_ROWS)


def sql(
    query: str = typer.Argument(..., help="polars SQL; tables: documents, quotes, citations, mentions, entities, "
                                          "entity_links, failures"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    store: Optional[str] = store_option(),
) -> None:
    """Polars SQL over the store's tables."""
    emit(store_tables(store).sql(query), fmt.value, out, None, TABLE_ROWS)


def report(
    out: Path = typer.Option(Path("report.html"), "--out", help="the HTML file to write"),
    max_quotes: int = typer.Option(50_000, "--max-quotes", min=0, help="quotes the page's table holds (most recent)"),
    store: Optional[str] = store_option(),
) -> None:
    """One self-contained HTML page (works offline): who cites whom, who is quoted, statements that
    travelled, every quote in a searchable table, and the failures."""
    from quotes.report.html import write_report

    path = write_report(store, out, max_quotes)
    warn(f"report: {path} ({path.stat().st_size / 1024:,.0f} KiB)", "")


class ExportFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


def export(
    table: str = typer.Option(..., "--table", help="quotes, citations, mentions, entities, entity_links, documents "
                                                  "or failures"),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format"),
    out: Optional[Path] = typer.Option(None, "--out", help="write to this file (default: stdout, not for parquet)"),
    store: Optional[str] = store_option(),
) -> None:
    """A whole table for spreadsheets, R or pandas (CSV joins lists with '; ')."""
    from quotes.store.table_schemas import TABLES

    if table not in TABLES:
        raise typer.BadParameter(f"no table {table!r}; tables: {', '.join(TABLES)}", param_hint="--table")
    frame = store_tables(store)[table].collect()
    emit(frame, fmt.value, out)
    if out:
        warn(f"{table}: {frame.height:,} rows → {out}", "")
