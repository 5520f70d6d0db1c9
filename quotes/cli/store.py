"""The commands that fill and keep the store: run, serve, upgrade, entities, embed; and the
``--store`` option every store command takes (the read commands are in quotes/cli/ask.py).

Only typer and the standard library are imported here at module level, so ``quotes --help``
stays fast; polars, Prefect and stanza load inside the commands that need them.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from quotes.cli.output import TableFormat, emit, progress, stderr, warn

STORE_HELP = "the store: a folder, or s3://… / az://… / gs://… (env QUOTES_STORE; default .quotes-store)"


class Runner(str, Enum):
    local = "local"
    dask = "dask"


RUNNER_HELP = "local: the batches one after another in this process; dask: on Dask worker processes"
WORKERS_HELP = "with --runner dask: a local cluster of this many worker processes (default: one per core)"
ADDRESS_HELP = "with --runner dask: the scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786"


def store_option():
    return typer.Option(None, "--store", envvar="QUOTES_STORE", help=STORE_HELP)


def checked_store(store: Optional[str], write: bool = False):
    """The store for a command that reads it (and, with ``write``, adds to it): a missing or
    outdated store is an error, not an empty answer."""
    if write:
        from quotes.store.writer import Store

        target = Store(store)
    else:
        from quotes.store.reader import StoreReader  # reading needs no pydantic (see quotes/store/reader.py)

        target = StoreReader(store)
    target.check_readable()
    return target


def store_tables(store: Optional[str]):
    return checked_store(store).tables()


# --- run and serve -------------------------------------------------------------------------------


def _quiet_prefect() -> None:
    """No analytics or telemetry from Prefect unless the user asked for them (set before it loads)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def run(
    paths: list[Path] = typer.Argument(..., help="text, JSONL or HTML files, or folders of them", readable=False),
    store: Optional[str] = store_option(),
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

    from rich.table import Table

    from quotes.cli.train import model_notice, use_rules_only
    from quotes.ingest.language import check_language
    from quotes.store.writer import Store

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
    with progress() as bar:
        task = bar.add_task("processing", total=None)
        remove = add_progress_listener(lambda n, total: bar.update(task, advance=n, total=total))
        try:
            summary = corpus_flow(runner.value, workers, address)(
                paths=[str(p) for p in paths], store=store, lang=lang, batch_size=batch_size,
                retry_failures=retry_failures, embed=embed, runner=runner.value, workers=workers, address=address)
        finally:
            remove()
    summary["seconds"] = round(time.perf_counter() - started, 1)  # with Prefect's start-up
    if stderr().is_terminal:
        columns = ("documents", "processed", "skipped", "failures", "quotes", "citations", "store_quotes", "seconds")
        table = Table(title="quotes run", title_justify="left")
        for key in columns:
            table.add_column(key.replace("_", " "), justify="right")
        table.add_row(*(str(summary[k]) for k in columns))
        stderr().print(table)
    warn(f"{summary['line']} ({summary['seconds']} s)", "")
    if summary.get("stopped"):
        from quotes.errors import EXIT_IO

        warn(f"error: {summary['stopped']}", "red")
        raise typer.Exit(code=EXIT_IO)
    if summary.get("report_error"):
        warn(f"the report was not written: {summary['report_error']}", "red")
        if summary.get("report_status") == 74:  # a full disk: the next write would fail too
            raise typer.Exit(code=74)
    if summary["failures"]:
        warn(f"{summary['failures']} inputs failed; their reasons: quotes sql \"SELECT path, stage, error FROM failures\"")
        raise typer.Exit(code=1)


def _check_cluster(runner: str, workers: Optional[int], address: Optional[str]) -> None:
    """Before Prefect starts: a runner option that makes no sense, or a scheduler that does not
    answer (or has no workers), is one line."""
    from quotes.run.cluster import check_runner, check_scheduler

    check_runner(runner, workers, address)
    if address:
        check_scheduler(address)


def serve(
    inbox: Path = typer.Option(..., "--inbox", file_okay=False, help="folder where new articles arrive"),
    interval: Optional[float] = typer.Option(None, "--interval", help="seconds between runs (default 60)"),
    cron: Optional[str] = typer.Option(None, "--cron", help="a cron schedule instead, e.g. '*/10 * * * *'"),
    store: Optional[str] = store_option(),
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
    from quotes.ingest.language import check_language
    from quotes.store.writer import Store

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


# --- keeping the store: entities, vectors, upgrade ------------------------------------------------


def entities(
    show: int = typer.Option(20, "--show", help="print this many of the largest entities (0: none)"),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format"),
    store: Optional[str] = store_option(),
) -> None:
    """Rebuild the store's corpus entities from its documents' mentions (every run does this at its
    end; run it after changing your alias file, the setting 'aliases')."""
    from quotes.corpus.entities import build_entities

    target = checked_store(store, write=True)
    built = build_entities(target)
    warn(f"{target.uri}: {built['entities']} entities from {built['links']} document names", "")
    if show:
        frame = target.tables().entities.drop("build_id", "rules_version").head(show).collect()
        emit(frame, fmt.value, None, "entities", show)


def embed_command(
    store: Optional[str] = store_option(),
    batch: int = typer.Option(2_000, help="statements encoded per batch"),
) -> None:
    """Give the stored statements their vectors: those stored with --no-embed, and those of another
    encoder (after `quotes config set encoder …`); then update the claims."""
    from quotes.run.embedding import embed_missing

    target = checked_store(store, write=True)
    with progress() as bar:
        task = bar.add_task("embedding", total=None)
        done = embed_missing(target, batch, progress=lambda n, total: bar.update(task, advance=n, total=total))
    warn(f"{done['statements']} statements embedded ({done['encoded']} texts encoded, the rest known); "
         f"claims: {done['searched']} statements searched, {done['linked']} links", "")


def upgrade(
    store: Optional[str] = store_option(),
    dry_run: bool = typer.Option(False, "--dry-run", help="only say what the upgrade would change"),
) -> None:
    """Bring a store written by an older version of quotes up to the current table layout.

    It says what it will change before it does; each table's version before the upgrade stays in
    its Delta history (restorable with deltalake's DeltaTable(TABLE).restore(VERSION)). A folder
    that is not a quotes store, or a table with columns quotes never wrote, is refused unchanged."""
    from quotes.errors import QuotesError
    from quotes.run.upgrade import upgrade as upgrade_store
    from quotes.store.writer import Store

    target = Store(store)
    if target.local and not Path(target.uri).is_dir():
        raise QuotesError(f"no store at {target.uri}")
    if not any(target.exists(name) for name in _tables()):
        raise QuotesError(f"{target.uri} holds no quotes store (no Delta tables in it)")
    plan = target.upgrade_plan()
    if not plan:
        if not dry_run and target.marker() is None:
            target.write_marker(upgraded=True)
            warn(f"{target.uri}: already up to date; marked as a quotes store ({target.marker_path().name})", "")
            return
        warn(f"{target.uri}: already up to date", "")
        return
    versions = target.table_versions()
    for table, changes in plan.items():
        warn(f"{target.uri}: {table}: {'; '.join(changes)}", "")
    if dry_run:
        warn("--dry-run: nothing changed", "")
        return
    warn("the tables before the upgrade stay in their Delta history: "
         + ", ".join(f"{t} version {v}" for t, v in versions.items() if t in plan)
         + " (deltalake: DeltaTable(STORE/TABLE).restore(VERSION) brings one back)", "dim")
    upgrade_store(target)
    warn(f"{target.uri}: upgraded", "")


def _tables():
    from quotes.store.table_schemas import TABLES

    return TABLES
