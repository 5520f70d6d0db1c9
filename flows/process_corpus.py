"""Prefect orchestration of ``quotes.run.runner.run_corpus``: the same steps, as tasks.

- ``read-inputs`` (I/O, retried): ingest the paths, read the store's keys, plan the run;
- ``process-batch`` (cached on the batch's content hashes plus the extractor and model
  versions): segment, parse (batched per language), extract, resolve, index;
- ``write-batch`` (I/O, retried): upsert the batch into the Delta tables;
- ``build-entities`` (I/O, retried): rebuild the corpus entities from the documents' mentions
  when the run changed the store or the merging rules changed (quotes/corpus/entities.py);
- ``compact-store`` (I/O, retried): merge small files;
- ``write-report``: the HTML report of the whole store (quotes/report/html.py), attached to the
  run as a link artifact (key ``quotes-report``). The report is a view: when it cannot be
  written, the run logs why and still succeeds, its data being stored.

The store is the cache of record: documents whose key is stored are skipped before any task
runs for them. The Prefect cache on ``process-batch`` only saves the parse when a write failed
after it. ``process_inbox`` is what ``quotes serve`` deploys: the same over an inbox folder.

Runners (``runner``): ``local`` (the default) runs the batches one after another in the flow's
process. ``dask`` hands ``process-batch`` to Prefect's ``DaskTaskRunner`` (prefect-dask): a
``LocalCluster`` of ``workers`` processes, or the scheduler at ``address``; the flow reads and
plans the inputs as it goes (``read-store`` reads the store's keys first), keeps a few batches
out per worker, and writes each batch itself when it is back (quotes/run/cluster.py). Call the flow
through ``corpus_flow(runner, workers, address)``, which gives it the matching task runner.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact
from prefect.cache_policies import NO_CACHE

from quotes.ingest.read import content_hash
from quotes.report import html as report_html
from quotes.run import cluster
from quotes.run import runner as corpus_runner
from quotes.store.writer import Store
from quotes.terminal import safe

_listeners: list[Callable[[int, int], None]] = []


def add_progress_listener(listener: Callable[[int, int], None]) -> Callable[[], None]:
    """Call ``listener(n, total)`` as inputs are done (in-process runs: ``quotes run``); returns its remover."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def _report(n: int, total: int) -> None:
    for listener in list(_listeners):
        listener(n, total)


def batch_cache_key(context: Any, parameters: dict[str, Any]) -> str:
    """The batch's documents (content hash and metadata) plus the versions and settings."""
    docs = [
        [d.model_dump(mode="json", exclude={"text"}), content_hash(d.text)] for d in parameters["documents"]
    ]
    versions = parameters["versions"]
    from quotes.settings import get

    embedded = get("encoder") if parameters.get("embed", True) else None
    body = json.dumps([docs, versions.extractor, versions.model, parameters["lang"], parameters["batch_size"],
                       embedded], sort_keys=True)
    return "process-batch-" + hashlib.sha256(body.encode()).hexdigest()


read_inputs = task(name="read-inputs", retries=2, retry_delay_seconds=[1, 5],
                   cache_policy=NO_CACHE)(corpus_runner.read_plan)
process_batch = task(name="process-batch", cache_key_fn=batch_cache_key, cache_expiration=timedelta(days=7),
                     persist_result=True)(corpus_runner.process_batch)
write_batch = task(name="write-batch", retries=3, retry_delay_seconds=[1, 5, 15],
                   cache_policy=NO_CACHE)(corpus_runner.write_items)
compact_store = task(name="compact-store", retries=2, retry_delay_seconds=[5, 30],
                     cache_policy=NO_CACHE)(corpus_runner.compact_store)

update_claims = task(name="update-claims", retries=2, retry_delay_seconds=[5, 30],
                     cache_policy=NO_CACHE)(corpus_runner.update_claims)
build_entities = task(name="build-entities", retries=2, retry_delay_seconds=[1, 5],
                      cache_policy=NO_CACHE)(corpus_runner.update_entities)

TASK_STEPS = corpus_runner.Steps(plan=read_inputs, process=process_batch, write=write_batch, finish=compact_store,
                          claims=update_claims, entities=build_entities)

# the Dask runner's tasks: the same batch task (name and cache key) run by a worker, which checks
# first that it extracts with the driver's versions; the store's keys read once, up front
process_batch_on_worker = task(name="process-batch", cache_key_fn=batch_cache_key, cache_expiration=timedelta(days=7),
                               persist_result=True)(cluster.process_on_worker)
read_store = task(name="read-store", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)(
    corpus_runner.StoredState.of)


def dask_task_runner(workers: int | None = None, address: str | None = None):
    """prefect-dask's runner: the scheduler at ``address``, else a LocalCluster of ``workers``
    processes (default: one per core) of one thread each, no dashboard."""
    import logging

    from prefect_dask import DaskTaskRunner

    logging.getLogger("distributed").setLevel(logging.WARNING)  # the scheduler's chatter, in this process
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs={
        "n_workers": workers or cluster.default_workers(), "threads_per_worker": 1, "processes": True,
        "dashboard_address": None, "silence_logs": logging.ERROR})


def corpus_flow(runner: str = "local", workers: int | None = None, address: str | None = None):
    """``process_corpus`` with the task runner ``runner`` needs (call it with the same
    ``runner``, ``workers`` and ``address`` parameters)."""
    cluster.check_runner(runner, workers, address)
    if runner == "local":
        return process_corpus
    return process_corpus.with_options(task_runner=dask_task_runner(workers, address))


def _run_on_dask(paths: list[str], where: Store, lang: str, batch_size: int, chunk: int,
                 retry_failures: bool, embed: bool) -> corpus_runner.Summary:
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect_dask import DaskTaskRunner

    runner = FlowRunContext.get().task_runner
    if not isinstance(runner, DaskTaskRunner):
        raise cluster.ClusterError("runner 'dask' needs the flow's Dask task runner: call "
                                   "flows.process_corpus.corpus_flow('dask', workers, address)(...)")
    threads = cluster.prepare(runner.client, corpus_runner.current_versions())
    logger = get_run_logger()
    logger.info("Dask: %d worker threads at %s", threads, runner.client.scheduler.address)
    # the workers report their task runs to this flow's API: an ephemeral server has no
    # PREFECT_API_URL of its own, so it is named here for the context the tasks carry along
    api = PREFECT_API_URL.value() or get_client(sync_client=True).api_url
    with temporary_settings(updates={PREFECT_API_URL: str(api)}):
        return cluster.run_streaming(
            paths, where, lang=lang, chunk=chunk, in_flight=2 * threads,
            submit=lambda docs, versions: process_batch_on_worker.submit(docs, versions, lang, batch_size, embed),
            result=lambda future: future.result(), steps=TASK_STEPS, stored=read_store,
            progress=_report, log=logger.info, retry_failures=retry_failures, embed=embed)


@task(name="write-report", cache_policy=NO_CACHE)
def write_report(store: Store, out: str | None, summary: dict) -> str | dict:
    """The store's HTML report, written to ``out`` (default: report.html in a local store's
    folder), and a link to it as the run's ``quotes-report`` artifact. A report that cannot be
    written (a full disk, a refused target) is a line in the log and in the summary, not a traceback:
    the run's data is stored."""
    from quotes.errors import QuotesError

    path = Path(out) if out else report_html.default_path(store)
    try:
        report_html.write_report(store.uri, path)
    except QuotesError as exc:
        get_run_logger().warning("no report for this run: %s", safe(str(exc)))
        return {"report_error": str(exc), "report_status": exc.exit_code}
    create_link_artifact(
        key="quotes-report", link=path.resolve().as_uri(), link_text=path.name,
        description=(f"Quotes report of `{store.uri}` after this run: {summary['processed']} documents processed, "
                     f"{summary['skipped']} unchanged, {summary['failures']} failed."))
    return str(path)


@flow(name="process-corpus")
def process_corpus(paths: list[str], store: str | None = None, lang: str = "auto", batch_size: int = 16,
                   chunk: int | None = None, retry_failures: bool = False, report: str | None = None,
                   embed: bool = True, runner: str = "local", workers: int | None = None,
                   address: str | None = None) -> dict:
    """Ingest → segment → parse → extract → resolve → write, skipping documents already stored
    under the same content hash and versions, and inputs that failed before unchanged (unless
    ``retry_failures``), then the report (to ``report``, default: report.html in the store's
    folder). Logs one line per batch; returns the run's summary. ``runner`` 'dask' processes the
    batches on Dask workers (see the module doc; call through ``corpus_flow``)."""
    cluster.check_runner(runner, workers, address)
    where = Store(store)
    if runner == "dask":
        summary = _run_on_dask(paths, where, lang, batch_size, chunk or cluster.CHUNK, retry_failures, embed).as_dict()
    else:
        summary = corpus_runner.run_corpus(paths, where, lang=lang, batch_size=batch_size,
                                           chunk=chunk or corpus_runner.CHUNK, progress=_report, steps=TASK_STEPS,
                                           log=get_run_logger().info, retry_failures=retry_failures,
                                           embed=embed).as_dict()
    if summary.get("stopped"):  # a full disk stopped the run: no report either (the summary says so)
        return summary
    state = write_report(where, report, summary, return_state=True)
    if state.is_failed():
        get_run_logger().warning("no report for this run: %s", state.message)
    elif isinstance(written := state.result(), dict):
        summary.update(written)
    return summary


list_inbox = task(name="list-inbox", retries=2, retry_delay_seconds=[1, 5],
                  cache_policy=NO_CACHE)(corpus_runner.input_files)


@flow(name="process-inbox")
def process_inbox(inbox: str, store: str | None = None, lang: str = "auto", batch_size: int = 16,
                  runner: str = "local", workers: int | None = None, address: str | None = None) -> dict:
    """Process what arrived in ``inbox``: files (or records) not yet stored under their current key.
    An input that failed is recorded once and tried again only when its bytes change. ``runner``
    'dask': the batches run on a LocalCluster of ``workers`` processes started for the run, or on
    the scheduler at ``address`` (whose workers keep their models loaded between runs)."""
    cluster.check_runner(runner, workers, address)
    if not list_inbox(inbox):
        return corpus_runner.Summary().as_dict()
    # the folder itself, so that a subfolder that cannot be listed is recorded as a failure
    return corpus_flow(runner, workers, address)([inbox], store=store, lang=lang, batch_size=batch_size,
                                                 runner=runner, workers=workers, address=address)


def serve_inbox(inbox: str, store: str, *, interval: float | None = None, cron: str | None = None,
                name: str = "inbox", lang: str = "auto", runner: str = "local", workers: int | None = None,
                address: str | None = None) -> None:
    """Serve the ``process-inbox`` deployment (blocks): runs on the schedule or when triggered."""
    process_inbox.serve(
        name=name,
        parameters={"inbox": str(Path(inbox).resolve()), "store": store, "lang": lang, "runner": runner,
                    "workers": workers, "address": address},
        interval=interval,
        cron=cron,
        limit=1,  # one run at a time: an overlapping run would only redo the same files
        description=f"Process new files in {inbox} into the store {store}",
    )
