"""Running a corpus on Dask: the driver's loop, the workers' set-up, and the checks a user gets
one line from.

The flow (``flows/process_corpus``) hands ``process-batch`` tasks to Prefect's
``DaskTaskRunner`` (prefect-dask): a ``LocalCluster`` of N worker processes, or an existing
scheduler. This module is what the driver does around that:

- ``run_streaming``: read and plan the inputs one at a time (``corpus.Planner``), submit a batch
  of ``chunk`` documents as soon as it is full, keep at most ``in_flight`` batches out, and write
  each batch's results as it comes back, in submission order. The driver never holds more than
  ``in_flight`` batches of texts and results, whatever the corpus size.
- Writes stay in the driver, one writer (see docs/operations.md, "Writers", for the
  measurement behind that choice): workers need no access to the store, and the Delta commits
  never race each other.
- ``process_on_worker``: what a worker runs, ``corpus.process_batch`` after checking that the
  worker's extractor and model fingerprints are the driver's (a worker on another machine with
  other code, model pack or settings would otherwise store results under the wrong key).
  Stanza is loaded once per worker process (quotes/parse/parser.py caches its pipelines per process),
  as is anything else ``process_batch`` loads the same way.
- ``WorkerSetup``: a worker plugin that gives each worker process one thread (or ``threads``)
  for torch and the sentence encoder, and the driver's settings that change results
  (``rules_only``, the models folder, the encoder).

Only the standard library is imported at module level; dask and distributed load when used.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Callable, Sequence

from quotes.errors import QuotesError
from quotes.run import runner as corpus
from quotes.terminal import safe

RUNNERS = ("local", "dask")
# Documents a batch task: smaller than one process's (corpus.CHUNK) so that, as a run ends, the last
# batches still spread over every worker (32 left one of two workers idle for a third of 150 articles).
CHUNK = 8
# settings of the driver that change what a worker extracts and encodes (quotes/settings.py)
RESULT_SETTINGS = ("rules_only", "models_dir", "encoder")


class ClusterError(QuotesError):
    """A runner, worker count or scheduler address that cannot be used; the message says why."""


def check_runner(runner: str, workers: int | None, address: str | None) -> None:
    """ClusterError for a combination that makes no sense (before anything starts)."""
    if runner not in RUNNERS:
        raise ClusterError(f"--runner {runner}: choose one of {', '.join(RUNNERS)}")
    if runner == "local" and (workers is not None or address is not None):
        given = "--workers" if workers is not None else "--address"
        raise ClusterError(f"{given} needs --runner dask (the local runner is one process)")
    if workers is not None and workers < 1:
        raise ClusterError(f"--workers {workers}: give at least 1 worker process")
    if workers is not None and address is not None:
        raise ClusterError("give --workers or --address, not both: the workers of an existing cluster are its own")
    if address is not None:
        check_address(address)


def check_address(address: str) -> None:
    """ClusterError unless ``address`` names a scheduler: a protocol, and for tcp or tls a host and
    a port (1-65535): a port left out would leave the client waiting, not failing."""
    from urllib.parse import urlsplit

    example = "e.g. tcp://10.0.0.5:8786"
    if "://" not in address:
        raise ClusterError(f"--address {address!r}: give the scheduler's address with its protocol, {example}")
    where = urlsplit(address.strip())
    if where.scheme in ("tcp", "tls"):
        try:
            port = where.port
        except ValueError:
            port = -1
        if not where.hostname or port is None or not 0 < port < 65536:
            raise ClusterError(f"--address {address!r}: give the scheduler's host and port (1-65535), {example}")


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def check_scheduler(address: str, timeout: float = 10.0) -> int:
    """Connect to the scheduler at ``address``: the number of worker threads it has. ClusterError
    (one line) when nothing answers there, or when it has no workers after ``timeout`` seconds."""
    import socket
    from urllib.parse import urlsplit

    check_address(address)
    where = urlsplit(address.strip())
    if where.scheme == "tcp" and where.hostname and where.port:
        try:  # a refused port is one line at once, not `timeout` seconds of retries
            socket.create_connection((where.hostname, where.port), timeout=min(timeout, 5)).close()
        except OSError as exc:
            raise ClusterError(f"no Dask scheduler answers at {address} ({exc.strerror or exc}); start one with "
                               "`dask scheduler`, or leave out --address for a local cluster") from None
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError(f"no Dask scheduler answers at {address} ({reason}); start one with "
                           "`dask scheduler`, or leave out --address for a local cluster") from None
    try:
        return wait_for_workers(client, address, timeout)
    finally:
        client.close()


def wait_for_workers(client, address: str, timeout: float) -> int:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        raise ClusterError(f"the Dask scheduler at {address} has no workers after {timeout:g} s: start some with "
                           f"`dask worker {address} --nthreads 1`") from None
    return worker_threads(client)


def worker_threads(client) -> int:
    """How many batches the cluster's workers run at once: their threads, together."""
    return sum(w.get("nthreads", 1) for w in client.scheduler_info(n_workers=-1)["workers"].values())


# --- the workers ---------------------------------------------------------------------------------


def _worker_plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class WorkerSetup(WorkerPlugin):
        """Each worker process: ``threads`` torch threads, and the driver's result settings."""

        name = "quotes-worker-setup"

        def __init__(self, threads: int = 1, settings: dict[str, str] | None = None):
            self.threads, self.settings = threads, dict(settings or {})

        def setup(self, worker) -> None:  # noqa: ARG002 - the plugin interface
            os.environ.update(self.settings)
            for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "QUOTES_THREADS"):  # torch, and the encoder
                os.environ[name] = str(self.threads)
            import torch

            torch.set_num_threads(self.threads)

    return WorkerSetup


def worker_setup(threads: int = 1):
    """The plugin instance to register: ``threads`` torch threads per worker process and the
    driver's settings that change results."""
    from quotes.settings import SETTINGS, get

    settings = {SETTINGS[key].env: get(key) for key in RESULT_SETTINGS if get(key)}
    return _worker_plugin_class()(threads, settings)


def worker_state() -> dict[str, Any]:
    """What a worker reports about itself: versions, torch threads, resident memory."""
    import resource

    import torch

    versions = corpus.current_versions()
    return {"extractor": versions.extractor, "model": versions.model, "torch_threads": torch.get_num_threads(),
            "pid": os.getpid(), "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def prepare(client, versions: corpus.Versions, threads: int = 1) -> int:
    """Set up every worker (plugin), check their versions against ``versions``; the number of
    worker threads (how many batches run at once)."""
    client.register_plugin(worker_setup(threads))
    states = client.run(worker_state)
    wrong = {w: s for w, s in states.items() if (s["extractor"], s["model"]) != (versions.extractor, versions.model)}
    if wrong:
        worker, state = next(iter(wrong.items()))
        raise ClusterError(
            f"{len(wrong)} of {len(states)} Dask workers run other software than this machine (e.g. {worker}: "
            f"extractor {state['extractor']}, model {state['model']}; here: {versions.extractor}, {versions.model}): "
            "install the same quotes, stanza model pack, trained model and settings on the workers")
    return worker_threads(client) or 1


_checked: dict[tuple[str, str], str | None] = {}


def process_on_worker(documents: Sequence, versions: corpus.Versions, lang: str = "auto", batch_size: int = 16,
                      embed: bool = True) -> list:
    """``corpus.process_batch`` on a worker, after checking (once per process) that this process
    extracts with the ``versions`` the driver stores the results under. A worker needs no access
    to the store, so it encodes every statement (the local runner skips texts whose vector the
    store holds)."""
    key = (versions.extractor, versions.model)
    if key not in _checked:
        here = corpus.current_versions()
        _checked[key] = None if (here.extractor, here.model) == key else (
            f"this worker (pid {os.getpid()}) runs extractor {here.extractor}, model {here.model}; the driver "
            f"{versions.extractor}, {versions.model}")
    if _checked[key]:
        raise ClusterError(_checked[key])
    return corpus.process_batch(documents, versions, lang, batch_size, embed=embed)


# --- the driver ----------------------------------------------------------------------------------


def run_streaming(paths: Sequence[str], store, *, submit: Callable[[list, corpus.Versions], Any],
                  result: Callable[[Any], list], in_flight: int, lang: str = "auto", chunk: int = CHUNK,
                  steps: corpus.Steps = corpus.Steps(), stored: Callable = corpus.StoredState.of,
                  progress: Callable[[int, int | None], None] | None = None,
                  log: Callable[[str], None] | None = None, retry_failures: bool = False,
                  embed: bool = True) -> corpus.Summary:
    """``corpus.run_corpus`` with the batches processed elsewhere: ``submit(documents, versions)``
    returns a future, ``result(future)`` its items. The inputs are read and planned as they are needed, at
    most ``in_flight`` batches are out at once, and each batch is written (by ``steps.write``, in this
    process) when its results are back, in the order of submission; then the run ends as a local one
    does (``corpus.finish_run``).

    ``progress(n, total)`` follows each written batch; ``total`` is None until every input was read.
    """
    from quotes.ingest.read import read_documents
    from quotes.store.writer import Store

    started = time.perf_counter()
    store = store if isinstance(store, Store) else Store(store)
    store.check_writable()
    versions = corpus.current_versions()
    planner = corpus.Planner(stored(store), versions, retry_failures)
    work = planner.plan
    # the lines name files and quote documents: shown escaped, as every line a person reads (quotes/terminal.py)
    say = (lambda line: log(safe(line))) if log else (lambda line: None)
    summary = corpus.Summary()
    pending: deque[tuple[int, Any]] = deque()
    read_all = [False]  # once every input is read, the total is known

    def total() -> int | None:
        return work.inputs if read_all[0] else None

    def report(n: int) -> None:
        if progress and n:
            progress(n, total())

    def collect() -> None:
        n, future = pending.popleft()
        items = result(future)
        corpus.write_batch(store, items, work, steps, summary, say, str(n))
        report(len(items))

    try:
        _stream(read_documents(list(paths), lang=lang, on_skip=work.warnings.append), planner, chunk, in_flight, pending, submit, versions, collect,
                report, work, read_all)
    except corpus.RunStopped as stop:  # a full disk: the batches out are left, the summary says what was written
        planner.finish()
        summary.count_plan(work)
        return corpus.stopped_run(store, work, summary, say, str(stop), started)
    planner.finish()
    summary.count_plan(work)
    for warning in work.warnings:
        say(f"warning: {warning}")
    return corpus.finish_run(store, work, summary, steps, report, say, embed, started)


def _stream(entries, planner, chunk, in_flight, pending, submit, versions, collect, report, work, read_all) -> None:
    """Plan the inputs as they are read, submit a batch at a time (at most ``in_flight`` out), and
    write each back as it comes (``collect``); ``read_all[0]`` turns true when every input is read."""
    number = 0
    skipped_reported = 0
    batch: list = []
    while True:
        entry = next(entries, None)
        if entry is None:
            read_all[0] = True
        else:
            document = planner.add(entry)
            if document is not None:
                batch.append(document)
        quiet = work.skipped + work.failed_before + work.duplicates
        if quiet - skipped_reported >= chunk or (read_all[0] and quiet > skipped_reported):
            report(quiet - skipped_reported)
            skipped_reported = quiet
        if batch and (len(batch) == chunk or read_all[0]):
            while len(pending) >= max(1, in_flight):
                collect()
            number += 1
            pending.append((number, submit(batch, versions)))
            batch = []
        if read_all[0]:
            break
    while pending:
        collect()
