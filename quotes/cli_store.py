"""The store's commands: run, serve, query, audit, trace, sql, report, export (registered on ``quotes.cli.app``).

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
    json = "json"
    parquet = "parquet"


class Runner(str, Enum):
    local = "local"
    dask = "dask"


RUNNER_HELP = "local: the batches one after another in this process; dask: on Dask worker processes"
WORKERS_HELP = "with --runner dask: a local cluster of this many worker processes (default: one per core)"
ADDRESS_HELP = "with --runner dask: the scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786"


class AuditFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _store_option():
    return typer.Option(None, "--store", envvar="QUOTES_STORE", help=STORE_HELP)


def _checked_store(store: Optional[str], write: bool = False):
    """The store for a command that reads it (and, with ``write``, adds to it): a missing or
    outdated store is an error, not an empty answer."""
    if write:
        from .store import Store

        target = Store(store)
    else:
        from .reader import StoreReader  # reading needs no pydantic (see quotes/reader.py)

        target = StoreReader(store)
    target.check_readable()
    return target


def _tables(store: Optional[str]):
    return _checked_store(store).tables()


def _err():
    from .cli import err

    return err


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


def emit(df, fmt: str, out: Optional[Path] = None, title: Optional[str] = None, limit: int = TABLE_ROWS) -> None:
    """Print (or write to ``out``) a frame as a table, CSV, JSON lines, a JSON list or Parquet."""
    if fmt == "parquet":
        if out is None and sys.stdout.isatty():
            raise typer.BadParameter("parquet is binary: give --out FILE or redirect stdout")
        if out:
            _write_out(out, lambda: df.write_parquet(out))
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
        _write_out(out, lambda: out.write_text(body, encoding="utf-8"))
    else:
        sys.stdout.write(body)


def _binary_as_text(df):
    """Binary columns (statement vectors) as base64 text: JSON has no bytes."""
    import polars as pl

    binary = [name for name, dtype in df.schema.items() if dtype == pl.Binary]
    return df.with_columns(pl.col(name).bin.encode("base64") for name in binary) if binary else df


def _write_out(out: Path, write) -> None:
    from .errors import QuotesError

    if not out.parent.is_dir():
        raise QuotesError(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        write()
    except OSError as exc:
        raise QuotesError(f"cannot write {out}: {exc.strerror or exc}") from None


def _print_table(df, title: Optional[str], limit: int) -> None:
    from .report import print_frame

    shown = _flat(df).head(limit) if limit else _flat(df)
    print_frame(list(shown.iter_rows()), shown.columns, title, df.height - shown.height)


# --- run and serve -------------------------------------------------------------------------------


def _quiet_prefect() -> None:
    """No analytics or telemetry from Prefect unless the user asked for them (set before it loads)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def run(
    paths: list[Path] = typer.Argument(..., help="text, JSONL or HTML files, or folders of them", readable=False),
    store: Optional[str] = _store_option(),
    lang: str = typer.Option("auto", "--lang", help="auto, or a language code (de, nb)"),
    batch_size: int = typer.Option(16, help="documents per stanza batch"),
    retry_failures: bool = typer.Option(False, "--retry-failures",
                                        help="try inputs that failed before again, even when unchanged"),
    rules_only: bool = typer.Option(False, "--rules-only", help="run the rules alone, even when a trained model exists"),
    embed: bool = typer.Option(True, "--embed/--no-embed",
                               help="give statements their vectors now (--no-embed: later, with `quotes embed`)"),
    runner: Runner = typer.Option(Runner.local, "--runner", help=RUNNER_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", help=WORKERS_HELP),
    address: Optional[str] = typer.Option(None, "--address", help=ADDRESS_HELP),
) -> None:
    """Process the inputs into the store once (a Prefect flow run): unchanged documents are skipped.

    With --runner dask the batches are parsed on Dask workers (a local cluster, or --address);
    the results are the same. Exit status 1 when any input failed (its reason is in the store's
    failures table)."""
    import time

    from .cli_train import model_notice, use_rules_only

    from rich.table import Table

    from .cli import _progress, warn
    from .language import check_language
    from .store import Store

    check_language(lang)
    Store(store).check_writable()  # before Prefect starts: a wrong --store is one line, not three retries
    _check_cluster(runner.value, workers, address)
    use_rules_only(rules_only)  # the flow's pipeline and the stored fingerprint read it as the setting
    _quiet_prefect()
    from flows.ephemeral import exit_on_sigterm, prefect_api
    from flows.process_corpus import add_progress_listener, corpus_flow

    exit_on_sigterm()
    started = time.perf_counter()
    prefect_api()
    warn(model_notice(rules_only), "dim")
    with _progress(None) as bar:
        task = bar.add_task("processing", total=None)
        remove = add_progress_listener(lambda n, total: bar.update(task, advance=n, total=total))
        try:
            summary = corpus_flow(runner.value, workers, address)(
                paths=[str(p) for p in paths], store=store, lang=lang, batch_size=batch_size,
                retry_failures=retry_failures, embed=embed, runner=runner.value, workers=workers, address=address)
        finally:
            remove()
    summary["seconds"] = round(time.perf_counter() - started, 1)  # with Prefect's start-up
    if _err().is_terminal:
        columns = ("documents", "processed", "skipped", "failures", "quotes", "citations", "store_quotes", "seconds")
        table = Table(title="quotes run", title_justify="left")
        for key in columns:
            table.add_column(key.replace("_", " "), justify="right")
        table.add_row(*(str(summary[k]) for k in columns))
        _err().print(table)
    warn(f"{summary['line']} ({summary['seconds']} s)", "")
    if summary["failures"]:
        warn(f"{summary['failures']} inputs failed; their reasons: quotes sql \"SELECT path, stage, error FROM failures\"")
        raise typer.Exit(code=1)


def _check_cluster(runner: str, workers: Optional[int], address: Optional[str]) -> None:
    """Before Prefect starts: a runner option that makes no sense, or a scheduler that does not
    answer (or has no workers), is one line."""
    from .cluster import check_runner, check_scheduler

    check_runner(runner, workers, address)
    if address:
        check_scheduler(address)


def serve(
    inbox: Path = typer.Option(..., "--inbox", file_okay=False, help="folder where new articles arrive"),
    interval: Optional[float] = typer.Option(None, "--interval", help="seconds between runs (default 60)"),
    cron: Optional[str] = typer.Option(None, "--cron", help="a cron schedule instead, e.g. '*/10 * * * *'"),
    store: Optional[str] = _store_option(),
    name: str = typer.Option("inbox", "--name", help="deployment name (process-inbox/NAME)"),
    lang: str = typer.Option("auto", "--lang"),
    runner: Runner = typer.Option(Runner.local, "--runner", help=RUNNER_HELP + " (the deployment's parameter)"),
    workers: Optional[int] = typer.Option(None, "--workers", help=WORKERS_HELP),
    address: Optional[str] = typer.Option(None, "--address", help=ADDRESS_HELP),
) -> None:
    """Serve a Prefect deployment that processes new files in the inbox on a schedule (blocks).

    Watch runs in the UI of a Prefect server (`prefect server start`, then set PREFECT_API_URL);
    trigger one at once with `prefect deployment run process-inbox/NAME`. --runner, --workers and
    --address are the deployment's parameters (a run may override them).
    """
    from .cli import warn
    from .language import check_language
    from .store import Store

    if interval is not None and cron is not None:
        raise typer.BadParameter("give --interval or --cron, not both")
    if interval is None and cron is None:
        interval = 60.0
    check_language(lang)
    target = Store(store)
    target.check_writable()
    _check_cluster(runner.value, workers, address)
    inbox.mkdir(parents=True, exist_ok=True)
    _quiet_prefect()
    from flows.ephemeral import exit_on_sigterm, prefect_api
    from flows.process_corpus import serve_inbox

    exit_on_sigterm()
    prefect_api()
    schedule = f"every {interval:g} s" if interval is not None else f"cron '{cron}'"
    on = ""
    if runner is Runner.dask:
        on = f", on Dask ({address or (f'{workers} local workers' if workers else 'a local worker per core')})"
    warn(f"serving process-inbox/{name}: {inbox} → {target.uri}, {schedule}{on}", "")
    serve_inbox(str(inbox), target.uri, interval=interval, cron=cron, name=name, lang=lang, runner=runner.value,
                workers=workers, address=address)


# --- asking the tables ---------------------------------------------------------------------------

query_app = typer.Typer(no_args_is_help=True, help="Ask the store: quotes, speakers.")


def _quote_filters(tables, speaker, outlet, source, lang, since, contains, include_comments):
    """The quotes the filters keep; with --since, a line on stderr says how many documents the
    date left out (undated ones among them)."""
    from .ask import query_quotes
    from .dates import as_utc

    start = as_utc(since) if since else None
    q = query_quotes(tables, speaker=speaker, outlet=outlet, source=source, lang=lang, since=start,
                     contains=contains, include_comments=include_comments)
    if start is not None:
        from .ask import left_out_by_date
        from .cli import warn

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
    since: Optional[str] = typer.Option(None, help="published on or after this date (as for query quotes)"),
    include_comments: bool = typer.Option(False, "--include-comments"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    store: Optional[str] = _store_option(),
) -> None:
    """Who is quoted how often, in how many documents, and by which outlets: one row per entity
    (its name, aliases and id; see `quotes entities`). Unresolved speakers are left out."""
    from .ask import speakers

    tables = _tables(store)
    q = _quote_filters(tables, None, outlet, source, lang, since, None, include_comments)
    emit(speakers(q, tables.entities).collect(), fmt.value, out, "speakers")


def entities(
    show: int = typer.Option(20, "--show", help="print this many of the largest entities (0: none)"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    store: Optional[str] = _store_option(),
) -> None:
    """Rebuild the store's corpus entities from its documents' mentions (every run does this at its
    end; run it after changing your alias file, the setting 'aliases')."""
    from .cli import warn
    from .entities import build_entities

    target = _checked_store(store, write=True)
    built = build_entities(target)
    warn(f"{target.uri}: {built['entities']} entities from {built['links']} document names", "")
    if show:
        frame = target.tables().entities.drop("build_id", "rules_version").head(show).collect()
        emit(frame, fmt.value, None, "entities", show)


def audit(
    fmt: AuditFormat = typer.Option(AuditFormat.table, "--format"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="also draw a heat map into this file (.png, .svg or .pdf)"),
    store: Optional[str] = _store_option(),
) -> None:
    """Outlet × cited source: documents citing it in the article (count) and in comments, with ids."""
    from .ask import audit as audit_frame, plot_audit
    from .errors import QuotesError

    if plot is not None and plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise QuotesError(f"--plot {plot}: the heat map is written as .png, .svg or .pdf (an HTML page of the "
                          "store is `quotes report`)")
    frame = audit_frame(_tables(store))
    emit(frame, fmt.value, None, "outlet × cited source (documents)", 0)
    if plot is not None:
        from .cli import warn

        if frame.is_empty():
            raise QuotesError("nothing to plot: the store holds no citations")
        _write_out(plot, lambda: plot_audit(frame, str(plot)))
        warn(f"plot: {plot}", "")


def trace(
    text: Optional[str] = typer.Argument(None, help="a statement, in any language"),
    quote_id: Optional[str] = typer.Option(None, "--quote-id", help="start from this stored quote"),
    file: Optional[Path] = typer.Option(None, "--file", help="one statement per line (use --format jsonl)"),
    lang: Optional[str] = typer.Option(None, "--lang", help="language of the statement (default: detected)"),
    threshold: Optional[float] = typer.Option(None, help="least cosine for a match (default: the encoder's, "
                                                         "higher within one language)"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    store: Optional[str] = _store_option(),
) -> None:
    """Where a statement (or its translation) appeared, in publication order: the first row is where
    it appeared first; each row a document with its outlet, language, speaker (when it was a quote),
    the matched statement, its score and the sources the document cites.

    With --file and --format jsonl: one JSON object per line of the file, in order, each with
    `matches` (doc_id, score, …) best first."""
    import json

    from .errors import QuotesError
    from .trace import in_publication_order, trace_quote, trace_texts

    if sum(x is not None for x in (text, quote_id, file)) != 1:
        raise typer.BadParameter("give TEXT, --quote-id or --file")
    if lang is not None:
        from .language import known_language

        lang = known_language(lang)
    target = _checked_store(store)
    if file is not None:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise QuotesError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from None
        statements = [line for line in lines if line.strip()]
        found = trace_texts(target, statements, lang=lang, threshold=threshold) if statements else []
        if fmt is TableFormat.jsonl:
            for statement, matches in zip(statements, found):
                rows = matches.with_columns(pl_date("published")).to_dicts()
                sys.stdout.write(json.dumps({"statement": statement, "matches": rows}, ensure_ascii=False,
                                            default=str) + "\n")
            return
        for statement, matches in zip(statements, found):
            emit(in_publication_order(matches), fmt.value, None, f"trace: {statement}", 0)
            _no_match(matches, threshold, fmt)
        return
    if quote_id is not None:
        quote, matches = trace_quote(target, quote_id, threshold=threshold)
        title = f"trace of quote {quote_id}: {quote['text']}"
    else:
        (matches,) = trace_texts(target, [text], lang=lang, threshold=threshold)
        title = f"trace: {text}"
    if fmt is TableFormat.jsonl:
        sys.stdout.write(matches.with_columns(pl_date("published")).write_ndjson())
        return
    emit(in_publication_order(matches), fmt.value, None, title, 0)
    _no_match(matches, threshold, fmt)


def _no_match(matches, threshold: Optional[float], fmt: TableFormat) -> None:
    """A line on stderr for an empty table: no match, and how to look wider."""
    if matches.is_empty() and fmt is TableFormat.table:
        from .cli import warn

        warn(f"no stored statement reaches cosine {threshold:g}" if threshold is not None else
             "no stored statement matches at the encoder's thresholds; a lower --threshold shows near misses", "dim")


def pl_date(column: str):
    import polars as pl

    return pl.col(column).dt.to_string("%Y-%m-%dT%H:%M:%S%z")


def embed_command(
    store: Optional[str] = _store_option(),
    batch: int = typer.Option(2_000, help="statements encoded per batch"),
) -> None:
    """Give the stored statements their vectors: those stored with --no-embed, and those of another
    encoder (after `quotes config set encoder …`); then update the claims."""
    from .cli import _progress, warn
    from .statements import embed_missing

    target = _checked_store(store, write=True)
    with _progress(None) as bar:
        task = bar.add_task("embedding", total=None)
        done = embed_missing(target, batch, progress=lambda n, total: bar.update(task, advance=n, total=total))
    warn(f"{done['statements']} statements embedded ({done['encoded']} texts encoded, the rest known); "
         f"claims: {done['searched']} statements searched, {done['linked']} links", "")


def claims(
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    limit: int = typer.Option(0, help="at most this many claims (0: all; a table shows 100)"),
    store: Optional[str] = _store_option(),
) -> None:
    """Claims: statements that say the same thing in two documents or more (across languages too),
    with where each appeared first and who repeated it; the members are the `claims` table of `sql`."""
    from .claims import claims_summary

    frame = claims_summary(_tables(store).claims)
    if limit:
        frame = frame.head(limit)
    emit(frame.collect(), fmt.value, out, "claims (statements in two documents or more)", limit or TABLE_ROWS)


def sql(
    query: str = typer.Argument(..., help="polars SQL; tables: documents, quotes, citations, mentions, entities, "
                                          "entity_links, failures"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    out: Optional[Path] = typer.Option(None, "--out"),
    store: Optional[str] = _store_option(),
) -> None:
    """Polars SQL over the store's tables."""
    emit(_tables(store).sql(query), fmt.value, out, None, TABLE_ROWS)


def upgrade(store: Optional[str] = _store_option()) -> None:
    """Bring a store written by an older version of quotes up to the current table layout."""
    from .cli import warn
    from .errors import QuotesError
    from .store import Store

    target = Store(store)
    if target.local and not Path(target.uri).is_dir():
        raise QuotesError(f"no store at {target.uri}")
    added = target.upgrade()
    if not added:
        warn(f"{target.uri}: already up to date", "")
    for table, columns in added.items():
        warn(f"{target.uri}: {table} gained {', '.join(columns)}", "")


# --- the report and exports ----------------------------------------------------------------------


def report(
    out: Path = typer.Option(Path("report.html"), "--out", help="the HTML file to write"),
    max_quotes: int = typer.Option(50_000, "--max-quotes", min=0, help="quotes the page's table holds (most recent)"),
    store: Optional[str] = _store_option(),
) -> None:
    """One self-contained HTML page (works offline): who cites whom, who is quoted, statements that
    travelled, every quote in a searchable table, and the failures."""
    from .cli import warn
    from .report_html import write_report

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
    store: Optional[str] = _store_option(),
) -> None:
    """A whole table for spreadsheets, R or pandas (CSV joins lists with '; ')."""
    from .cli import warn
    from .reader import TABLES

    if table not in TABLES:
        raise typer.BadParameter(f"no table {table!r}; tables: {', '.join(TABLES)}", param_hint="--table")
    frame = _tables(store)[table].collect()
    emit(frame, fmt.value, out)
    if out:
        warn(f"{table}: {frame.height:,} rows → {out}", "")


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(upgrade)
    app.command()(serve)
    app.add_typer(query_app, name="query")
    app.command()(audit)
    app.command()(entities)
    app.command()(trace)
    app.command("embed")(embed_command)
    app.command()(claims)
    app.command()(sql)
    app.command()(report)
    app.command()(export)
