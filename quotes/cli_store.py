"""The store's commands: run, serve, query, audit, trace, sql (registered on ``quotes.cli.app``).

Only typer and the standard library are imported here at module level, so ``quotes --help``
stays fast; polars, Prefect and stanza load inside the commands that need them.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

STORE_HELP = "the store: a folder, or s3://… / az://… / gs://… (env QUOTES_STORE; default .quotes-store)"
TABLE_ROWS = 100


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class AuditFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _store_option():
    return typer.Option(None, "--store", envvar="QUOTES_STORE", help=STORE_HELP)


def _tables(store: Optional[str]):
    from .store import Store

    return Store(store).tables()


def _err():
    from .cli import err

    return err


def _flat(df):
    """Lists as '; '-joined text: for CSV and for the terminal."""
    import polars as pl

    lists = [name for name, dtype in df.schema.items() if isinstance(dtype, pl.List)]
    return df.with_columns(pl.col(name).list.join("; ") for name in lists) if lists else df


def emit(df, fmt: str, out: Optional[Path] = None, title: Optional[str] = None, limit: int = TABLE_ROWS) -> None:
    """Print (or write to ``out``) a frame as a table, CSV, JSON lines, a JSON list or Parquet."""
    if fmt == "parquet":
        if out is None and sys.stdout.isatty():
            raise typer.BadParameter("parquet is binary: give --out FILE or redirect stdout")
        df.write_parquet(out or sys.stdout.buffer)
        return
    if fmt == "table" and out is None:
        _print_table(df, title, limit)
        return
    if fmt == "csv":
        body = _flat(df).write_csv()
    elif fmt == "jsonl":
        body = df.write_ndjson()
    elif fmt == "json":
        body = df.write_json() + "\n"
    else:
        body = str(_flat(df)) + "\n"
    if out:
        out.write_text(body, encoding="utf-8")
    else:
        sys.stdout.write(body)


def _print_table(df, title: Optional[str], limit: int) -> None:
    from rich.table import Table

    from .report import _short, console

    shown = _flat(df).head(limit) if limit else _flat(df)
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in shown.columns:
        table.add_column(name, overflow="fold")
    for row in shown.iter_rows():
        table.add_row(*("" if v is None else _short(str(v), 90) for v in row))
    console.print(table)
    if df.height > shown.height:
        console.print(f"[dim]… {df.height - shown.height} more rows (--limit 0, or --format csv/jsonl/parquet)[/dim]")


# --- run and serve -------------------------------------------------------------------------------


def _quiet_prefect() -> None:
    """No analytics or telemetry from Prefect unless the user asked for them (set before it loads)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def run(
    paths: list[Path] = typer.Argument(..., help="text, JSONL or HTML files, or folders of them"),
    store: Optional[str] = _store_option(),
    lang: str = typer.Option("auto", "--lang", help="auto, or a language code (de, nb)"),
    batch_size: int = typer.Option(16, help="documents per stanza batch"),
    rules_only: bool = typer.Option(False, "--rules-only", help="run the rules alone, even when a trained model exists"),
) -> None:
    """Process the inputs into the store once (a Prefect flow run): unchanged documents are skipped."""
    import time

    from .cli_train import model_notice, use_rules_only

    use_rules_only(rules_only)  # the flow's pipeline and the stored fingerprint read it as the setting
    _err().print(model_notice(rules_only), style="dim")

    from rich.table import Table

    from .cli import _progress

    _quiet_prefect()
    from flows.process_corpus import add_progress_listener, process_corpus

    err = _err()
    started = time.perf_counter()
    with _progress(None) as bar:
        task = bar.add_task("processing", total=None)
        remove = add_progress_listener(lambda n, total: bar.update(task, advance=n, total=total))
        try:
            summary = process_corpus(paths=[str(p) for p in paths], store=store, lang=lang, batch_size=batch_size)
        finally:
            remove()
    summary["seconds"] = round(time.perf_counter() - started, 1)  # with Prefect's start-up
    table = Table(title="quotes run", title_justify="left")
    for key in ("documents", "processed", "skipped", "quotes", "citations", "failures", "seconds"):
        table.add_column(key, justify="right")
    table.add_row(*(str(summary[k]) for k in ("documents", "processed", "skipped", "quotes", "citations", "failures",
                                              "seconds")))
    err.print(table)
    if summary["failures"]:
        err.print("[yellow]failures are in the store's failures table:[/yellow] quotes sql \"SELECT * FROM failures\"")


def serve(
    inbox: Path = typer.Option(..., "--inbox", file_okay=False, help="folder where new articles arrive"),
    interval: Optional[float] = typer.Option(None, "--interval", help="seconds between runs (default 60)"),
    cron: Optional[str] = typer.Option(None, "--cron", help="a cron schedule instead, e.g. '*/10 * * * *'"),
    store: Optional[str] = _store_option(),
    name: str = typer.Option("inbox", "--name", help="deployment name (process-inbox/NAME)"),
    lang: str = typer.Option("auto", "--lang"),
) -> None:
    """Serve a Prefect deployment that processes new files in the inbox on a schedule (blocks).

    Watch runs in the UI of a Prefect server (`prefect server start`, then set PREFECT_API_URL);
    trigger one at once with `prefect deployment run process-inbox/NAME`.
    """
    from .store import Store

    if interval is not None and cron is not None:
        raise typer.BadParameter("give --interval or --cron, not both")
    if interval is None and cron is None:
        interval = 60.0
    inbox.mkdir(parents=True, exist_ok=True)
    _quiet_prefect()
    from flows.process_corpus import serve_inbox

    where = Store(store).uri
    schedule = f"every {interval:g} s" if interval is not None else f"cron '{cron}'"
    _err().print(f"serving process-inbox/{name}: {inbox} → {where}, {schedule}")
    serve_inbox(str(inbox), where, interval=interval, cron=cron, name=name, lang=lang)


# --- asking the tables ---------------------------------------------------------------------------

query_app = typer.Typer(no_args_is_help=True, help="Ask the store: quotes, speakers.")


def _quote_filters(tables, speaker, outlet, source, lang, since, contains, include_comments):
    from .ask import query_quotes

    return query_quotes(tables, speaker=speaker, outlet=outlet, source=source, lang=lang, since=since,
                        contains=contains, include_comments=include_comments)


@query_app.command("quotes")
def query_quotes_command(
    speaker: Optional[str] = typer.Option(None, help="part of the speaker's name, any case"),
    outlet: Optional[str] = typer.Option(None, help="the publishing outlet ('(unknown)' for undetected)"),
    source: Optional[str] = typer.Option(None, help="only documents that cite this source"),
    lang: Optional[str] = typer.Option(None, "--lang", help="language code"),
    since: Optional[str] = typer.Option(None, help="published on or after this date (YYYY-MM-DD)"),
    contains: Optional[str] = typer.Option(None, help="text the quote contains, any case"),
    include_comments: bool = typer.Option(False, "--include-comments", help="also quotes in reader comments"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out", help="write to this file"),
    limit: int = typer.Option(0, help="at most this many quotes (0: all; a table shows 100)"),
    store: Optional[str] = _store_option(),
) -> None:
    """Quotes matching every filter, in publication order."""
    q = _quote_filters(_tables(store), speaker, outlet, source, lang, since, contains, include_comments)
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
    since: Optional[str] = typer.Option(None, help="published on or after this date"),
    include_comments: bool = typer.Option(False, "--include-comments"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    store: Optional[str] = _store_option(),
) -> None:
    """Who is quoted how often, in how many documents, and by which outlets."""
    from .ask import speakers

    q = _quote_filters(_tables(store), None, outlet, source, lang, since, None, include_comments)
    emit(speakers(q).collect(), fmt.value, out, "speakers")


def audit(
    fmt: AuditFormat = typer.Option(AuditFormat.table, "--format"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="also draw a heat map into this PNG"),
    store: Optional[str] = _store_option(),
) -> None:
    """Outlet × cited source: documents citing it in the article (count) and in comments, with ids."""
    from .ask import audit as audit_frame, plot_audit

    frame = audit_frame(_tables(store))
    emit(frame, fmt.value, None, "outlet × cited source (documents)", 0)
    if plot:
        _err().print(f"plot: {plot_audit(frame, str(plot))}")


def trace(
    text: Optional[str] = typer.Argument(None, help="a statement (a stored quote's words, or a paraphrase)"),
    quote_id: Optional[str] = typer.Option(None, "--quote-id", help="start from this stored quote"),
    lang: Optional[str] = typer.Option(None, "--lang", help="language of TEXT (default: detected)"),
    threshold: float = typer.Option(0.5, help="least similarity, 0..1"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    store: Optional[str] = _store_option(),
) -> None:
    """Where a statement appeared first and who repeated it (documents with a near statement).

    In publication order, with outlet, language, speaker and the sources each document cites.
    TEXT found inside a stored quote starts from that quote; any other TEXT is parsed once.
    """
    from .ask import find_anchor, text_statement, trace as trace_frame

    if bool(text) == bool(quote_id):
        raise typer.BadParameter("give TEXT or --quote-id")
    tables = _tables(store)
    anchor = find_anchor(tables, text=text, quote_id=quote_id)
    if anchor is not None:
        lemmas, language, speaker = anchor["lemmas"], anchor["language"], anchor["speaker_key"]
    elif quote_id:
        _err().print(f"[red]no quote {quote_id} in the store[/red]")
        raise typer.Exit(1)
    else:  # a paraphrase: parse it once to get its lemmas
        (lemmas, language), speaker = text_statement(text, lang), None
    frame = trace_frame(tables, lemmas, language, speaker, threshold)
    if fmt is TableFormat.table:
        frame = frame.drop("quote_id")
    emit(frame, fmt.value, None, f"trace ({language}; lemmas: {' '.join(lemmas)})", 0)


def sql(
    query: str = typer.Argument(..., help="polars SQL; tables: documents, quotes, citations, entities, failures"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    store: Optional[str] = _store_option(),
) -> None:
    """Polars SQL over the store's tables."""
    emit(_tables(store).sql(query), fmt.value, out, None, TABLE_ROWS)


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(serve)
    app.add_typer(query_app, name="query")
    app.command()(audit)
    app.command()(trace)
    app.command()(sql)
