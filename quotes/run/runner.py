"""Process a corpus into the store, incrementally: the library under ``flows/process_corpus``.

Each document is keyed on its content hash plus the extractor and model versions; a document
whose key is already in the store's ``documents`` table is skipped, so a re-run over an
unchanged corpus only reads and hashes the inputs, and a new extractor or model version
processes everything again and replaces the rows. Failed documents are retried on every run
(their cause may have been fixed: a model installed, a file repaired).

While the parse of a document is at hand, the document gets its mentions (the names it quotes,
cites or names) and its statements (sentences and quotes, with their vectors), so nothing in the
store is parsed again. At the end of a run that changed the store (or when the merging rules
changed), the corpus entities are rebuilt from the mentions (quotes/corpus/entities.py; the ``entities``
step), and the new statements get their claims (quotes/corpus/claims.py; the ``claims`` step).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from quotes.corpus.entities import build_entities, entities_stale
from quotes.corpus.mentions import document_mentions
from quotes.ingest.read import content_hash, read_documents
from quotes.parse.parser import resources_dir
from quotes.records import Document, Failure
from quotes.run import pipeline as _pipeline
from quotes.store.tables import Provenance, StatementRow, short_hash
from quotes.store.writer import Failed, Processed, Store
from quotes.terminal import safe

CHUNK = 32  # documents a batch (a task of the flow): processed, written, logged and cached together


@dataclass(frozen=True)
class Versions:
    extractor: str
    model: str

    def provenance(self, content_hash: str | None) -> Provenance:
        return Provenance(content_hash=content_hash, extractor_version=self.extractor, model_version=self.model,
                          processed_at=datetime.now(timezone.utc))


@cache
def _model_fingerprint(directory: str | None, stanza_version: str) -> str:
    resources = Path(directory) / "resources.json" if directory else None
    body = resources.read_bytes() if resources and resources.is_file() else b""
    return f"stanza-{stanza_version}+{short_hash(body.decode('utf-8', 'replace'))[:10]}"


def model_version() -> str:
    """The stanza version plus a fingerprint of the model pack's resources.json (its md5 sums)."""
    from importlib.metadata import version

    return _model_fingerprint(resources_dir(), version("stanza"))


def current_versions() -> Versions:
    # read at call time, so a new extractor takes effect without a restart of the caller
    return Versions(extractor=_pipeline.extractor_fingerprint(), model=model_version())


# --- indexing while the parse is at hand ---------------------------------------------------------


# --- processing ----------------------------------------------------------------------------------


def process_batch(documents: Sequence[Document], versions: Versions, lang: str = "auto",
                  batch_size: int = 16, progress: Callable[[int], None] | None = None,
                  store: Store | None = None, embed: bool = True) -> list[Processed | Failed]:
    """Run the pipeline over a batch (parsed per language) and index each result with its parse.
    ``progress(n)`` is called as documents are done (after each stanza batch). With ``embed``, the
    statements get their vectors (texts whose vector ``store`` already holds are not encoded again)."""
    processors = _pipeline.STORE_PROCESSORS if embed else tuple(
        p for p in _pipeline.STORE_PROCESSORS if p != "embed")
    config = _pipeline.PipelineConfig(language=lang, batch_size=batch_size, processors=processors)
    if embed:
        from quotes.embed.encoders import load_encoder

        config.encoder = load_encoder().name
        config.known_vectors = store.known_vectors(config.encoder) if store is not None else None
    pipeline = _pipeline.Pipeline(config)
    out: list[Processed | Failed] = []
    for item in pipeline.process_items(list(documents), progress=progress):
        result = item.result()
        prov = versions.provenance(content_hash(item.document.text))
        if isinstance(result, Failure):
            out.append(Failed(result, prov))
        else:
            prov.encoder = config.encoder if embed else None
            out.append(Processed(result, prov, chars=len(item.document.text),
                                 mentions=document_mentions(result, item.parsed),
                                 statements=[StatementRow(**vars(s)) for s in item.statements]))
        item.parsed = None  # the parse is large; only the index outlives the batch
    return out


@dataclass
class StoredState:
    """What the store already holds, as far as planning a run needs it."""

    documents: dict[str, tuple] = field(default_factory=dict)  # doc_id → (content hash, extractor, model)
    files: dict[str, list[str]] = field(default_factory=dict)  # path → doc_ids stored as whole files
    failures: dict[str, tuple] = field(default_factory=dict)  # failure key → (input hash, extractor, model, path)
    paths: dict[str, str] = field(default_factory=dict)  # doc_id → path

    @classmethod
    def of(cls, store: Store) -> "StoredState":
        paths = dict(store.scan("documents").select("doc_id", "path").collect().iter_rows())
        return cls(store.stored_keys(), store.stored_files(), store.stored_failures(), paths)


@dataclass
class Plan:
    """What a run must do: documents to process (in order), failures to record, and what was
    skipped: unchanged documents, unchanged inputs that failed before, repeated texts."""

    todo: list[Document] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    skipped: int = 0
    failed_before: int = 0
    duplicates: int = 0
    replaces: dict[str, list[str]] = field(default_factory=dict)  # doc_id → earlier versions of its file
    resolved: list[str] = field(default_factory=list)  # failures of inputs read again that fail no more
    planned: int = 0  # documents to process (in ``todo``, unless a streaming caller took them)
    warnings: list[str] = field(default_factory=list)

    @property
    def inputs(self) -> int:
        return self.planned + len(self.failed) + self.skipped + self.failed_before + self.duplicates


def plan(entries: Iterable[Document | Failure], stored: StoredState, versions: Versions,
         retry_failures: bool = False) -> Plan:
    """Split the inputs: unchanged (skipped), to process, or failed already at ingest.

    A failed input whose bytes and software are unchanged is not tried again (``retry_failures``
    tries it anyway). A new version of a file replaces the versions stored under its path."""
    planner = Planner(stored, versions, retry_failures)
    for entry in entries:
        document = planner.add(entry)
        if document is not None:
            planner.plan.todo.append(document)
    return planner.finish()


class Planner:
    """``plan`` one input at a time: ``add`` returns the document when it is to be processed, so
    a caller can stream the inputs (the Dask runner keeps only a few batches of texts in memory);
    ``finish`` completes the plan (its counts, and the failures that were resolved)."""

    def __init__(self, stored: StoredState, versions: Versions, retry_failures: bool = False):
        self.stored, self.versions, self.retry_failures = stored, versions, retry_failures
        self.plan = Plan()
        self.seen: dict[str, tuple[str, str]] = {}  # doc_id → (path, content hash) in this run
        self.read: set[str] = set()  # input files read in this run
        self.failing: set[str] = set()  # failure keys of this run

    def _replaced(self, path: str, doc_id: str | None) -> list[str]:
        return [old for old in self.stored.files.get(path, []) if old != doc_id]

    def add(self, entry: Document | Failure) -> Document | None:
        stored, versions, out, seen = self.stored, self.versions, self.plan, self.seen
        self.read.add(entry.path)
        if isinstance(entry, Failure):
            failed = Failed(entry, versions.provenance(entry.input_hash), replaces=self._replaced(entry.path, None))
            self.failing.add(failed.key)
            if _unchanged_failure(failed, stored, versions) and not self.retry_failures:
                out.failed_before += 1
            else:
                out.failed.append(failed)
            return None
        digest = content_hash(entry.text)
        if entry.doc_id in seen:
            first_path, first_hash = seen[entry.doc_id]
            if first_hash == digest:
                out.duplicates += 1
                out.warnings.append(f"{entry.path}: the same text as {first_path}; stored once")
                return None
            # the document id is the store's key: a second input with it would replace the first
            error = (f"{entry.path}: document id '{entry.doc_id}' is already used by {first_path} "
                     "in this run for another text; give the inputs distinct 'id' fields")
            out.warnings.append(error)
            dup = Failure(doc_id=f"{entry.path}#{entry.doc_id}", path=entry.path, stage="ingest", error=error)
            out.failed.append(Failed(dup, versions.provenance(digest)))
            return None
        seen[entry.doc_id] = (entry.path, digest)
        before = stored.paths.get(entry.doc_id)
        if entry.id_from in ("id", "url") and before and before != entry.path and \
                stored.documents.get(entry.doc_id, (None,))[0] != digest:
            out.warnings.append(f"{entry.path}: document id '{entry.doc_id}' replaces the text stored from {before}")
        old_versions = self._replaced(entry.path, entry.doc_id) if entry.id_from == "file" else []
        if old_versions:
            out.replaces[entry.doc_id] = old_versions
        if stored.documents.get(entry.doc_id) == (digest, versions.extractor, versions.model) and not old_versions:
            out.skipped += 1
            return None
        out.planned += 1
        return entry

    def finish(self) -> Plan:
        # a file read again is the whole truth about its failures: those it no longer has go
        self.plan.resolved = [key for key, row in self.stored.failures.items()
                              if row[3] in self.read and key not in self.failing]
        return self.plan


def _unchanged_failure(failed: Failed, stored: StoredState, versions: Versions) -> bool:
    digest = failed.provenance.content_hash
    return digest is not None and stored.failures.get(failed.key, ())[:3] == (digest, versions.extractor,
                                                                           versions.model)


def input_files(folder: str) -> list[str]:
    """The input files of a folder, by ingest's rule (suffixes, hidden files left out), sorted."""
    from quotes.ingest.read import walk_inputs

    return [str(p) for p in walk_inputs(Path(folder)) if isinstance(p, Path)] if Path(folder).is_dir() else []


def read_plan(paths: Sequence[str], store: Store, versions: Versions, lang: str = "auto",
              retry_failures: bool = False) -> Plan:
    """The run's plan; what a folder walk left out (the store itself, reports, files that are no
    input) is among its warnings."""
    skipped: list[str] = []
    work = plan(read_documents(paths, lang=lang, on_skip=skipped.append), StoredState.of(store), versions,
                retry_failures)
    work.warnings[:0] = skipped
    return work


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class Summary:
    documents: int = 0  # inputs seen (documents and inputs that failed to read)
    processed: int = 0
    skipped: int = 0  # unchanged documents already stored
    failed: int = 0  # inputs that failed in this run
    failed_before: int = 0  # unchanged inputs that failed in an earlier run (not tried again)
    duplicates: int = 0  # inputs whose text another input of this run had
    quotes: int = 0  # written in this run
    citations: int = 0
    store_documents: int = 0  # what the store holds after the run
    store_quotes: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    # why the run stopped before the end (a full disk), and what it had not written then; "" when it ran through
    stopped: str = ""

    @property
    def failures(self) -> int:
        """Inputs that are in the failures table after this run: the exit status says so."""
        return self.failed + self.failed_before

    def count_plan(self, work: Plan) -> None:
        """The run's inputs as its plan counted them: those skipped, failed before or repeated."""
        self.documents, self.skipped, self.failed_before = work.inputs, work.skipped, work.failed_before
        self.duplicates, self.warnings = work.duplicates, work.warnings

    def add(self, written: dict[str, int], items: Sequence[Processed | Failed]) -> None:
        self.processed += sum(isinstance(i, Processed) for i in items)
        self.quotes += written["quotes"]
        self.citations += written["citations"]
        self.failed += written["failures"]

    def as_dict(self) -> dict:
        out = {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}
        out["failures"] = self.failures
        out["line"] = self.line()
        return out

    def line(self) -> str:
        """One sentence a person reads at the end of a run."""
        parts = [f"{self.documents} inputs: {self.processed} processed", f"{self.skipped} unchanged (skipped)"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.failed_before:
            parts.append(f"{self.failed_before} failed before and are unchanged (not retried)")
        if self.duplicates:
            parts.append(f"{self.duplicates} repeated another input's text")
        line = (", ".join(parts) + f"; {self.quotes} quotes and {self.citations} citations written; "
                f"the store holds {self.store_documents} documents and {self.store_quotes} quotes")
        return f"{line}; stopped: {self.stopped}" if self.stopped else line

    def __str__(self) -> str:
        return json.dumps(self.as_dict())


DISK_FULL = "disk_full"  # the key of a step's answer when the disk was full (see ``_disk_full_as_answer``)


def _disk_full_as_answer(step):
    """A step that answers ``{DISK_FULL: why}`` instead of raising when the disk is full: run as a
    Prefect task it then neither retries nor logs a traceback, and the run stops with its summary
    (``run_corpus``). Any other error is raised as before."""
    import functools

    from quotes.files import is_disk_full

    @functools.wraps(step)
    def answer(*args, **kwargs):
        try:
            return step(*args, **kwargs)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # deltalake's Rust panic on a full disk is a BaseException
            if not is_disk_full(exc):
                raise
            return {DISK_FULL: " ".join(str(exc).split())[:160] or type(exc).__name__}

    return answer


class RunStopped(Exception):
    """A step found the disk full: the run stops, its summary says what was not written."""


def _checked(answer, what: str):
    if isinstance(answer, dict) and DISK_FULL in answer:
        raise RunStopped(f"no space left on device while writing {what} ({answer[DISK_FULL]})")
    return answer


@_disk_full_as_answer
def write_items(store: Store, items: Sequence[Processed | Failed]) -> dict[str, int]:
    return store.write(items)


@_disk_full_as_answer
def compact_store(store: Store) -> list[str]:
    return store.compact()


@_disk_full_as_answer
def update_claims(store: Store) -> dict[str, int]:
    """The claims of the statements this run stored (quotes/corpus/claims.py)."""
    from quotes.corpus.claims import update_claims as update

    return update(store)


@_disk_full_as_answer
def update_entities(store: Store, changed: bool = True) -> dict[str, int]:
    """Rebuild the corpus entities when documents changed or the merging rules did; {} when not."""
    if not changed and not entities_stale(store):
        return {}
    return build_entities(store)


def store_totals(store: Store) -> tuple[int, int]:
    """(documents, quotes) the store's readers see."""
    import polars as pl

    docs = store.scan("documents").select(pl.len(), pl.col("n_quotes").sum()).collect().row(0)
    return int(docs[0]), int(docs[1] or 0)


@dataclass(frozen=True)
class Steps:
    """The steps of a run; the Prefect flow passes them wrapped as tasks (retried, cached)."""

    plan: Callable[..., Plan] = read_plan
    process: Callable[..., list[Processed | Failed]] = process_batch
    write: Callable[[Store, Sequence[Processed | Failed]], dict[str, int]] = write_items
    finish: Callable[[Store], list[str]] = compact_store
    claims: Callable[[Store], dict[str, int]] = update_claims
    entities: Callable[[Store, bool], dict[str, int]] = update_entities


def run_corpus(paths: Sequence[str], store: Store | str | None = None, *, lang: str = "auto", batch_size: int = 16,
               chunk: int = CHUNK, progress: Callable[[int, int], None] | None = None, steps: Steps = Steps(),
               log: Callable[[str], None] | None = None, retry_failures: bool = False, embed: bool = True) -> Summary:
    """Process ``paths`` into ``store``: every input ends up in ``documents`` or ``failures``.

    ``progress(n, total)`` is called as inputs are done (skipped ones first, then document by
    document); ``log(line)`` gets one line per batch written and one for the whole run. Without
    ``embed``, statements are stored without vectors (`quotes embed` adds them later) and claims
    are not updated."""
    started = time.perf_counter()
    store = store if isinstance(store, Store) else Store(store)
    store.check_writable()
    versions = current_versions()
    work = steps.plan(list(paths), store, versions, lang, retry_failures)
    summary = Summary()
    summary.count_plan(work)
    # the lines name files and quote documents: shown escaped, as every line a person reads (quotes/terminal.py)
    say = (lambda line: log(safe(line))) if log else (lambda line: None)
    for warning in work.warnings:
        say(f"warning: {warning}")

    def report(n: int) -> None:
        if progress and n:
            progress(n, work.inputs)

    report(work.skipped + work.failed_before + work.duplicates)
    batches = max(1, -(-len(work.todo) // chunk))
    try:
        for number, docs in enumerate(chunks(work.todo, chunk), 1):
            done = [0]

            def advance(n: int) -> None:
                done[0] += n
                report(n)

            items = steps.process(list(docs), versions, lang, batch_size, advance, store, embed)
            report(len(docs) - done[0])  # a batch the Prefect cache answered reports nothing itself
            write_batch(store, items, work, steps, summary, say, f"{number}/{batches}")
    except RunStopped as stop:
        return stopped_run(store, work, summary, say, str(stop), started)
    return finish_run(store, work, summary, steps, report, say, embed, started)


def stopped_run(store: Store, work: Plan, summary: Summary, say: Callable[[str], None], why: str,
                started: float) -> Summary:
    """The summary of a run a full disk stopped: what it wrote, what it did not, and what to do."""
    not_written = max(0, work.planned - summary.processed)
    summary.stopped = (f"{why}; not written: {not_written} of the {work.planned} documents to process, the "
                       f"failures of {len(work.failed)} inputs, the entities, claims and report; the store is "
                       "consistent (each document whole, in its old or new version): free space and run again "
                       "(what was written is skipped)")
    try:
        summary.store_documents, summary.store_quotes = store_totals(store) if store.exists("documents") else (0, 0)
    except Exception:  # noqa: BLE001 - the counts are a courtesy; the stop is what matters
        pass
    summary.seconds = time.perf_counter() - started
    say(summary.line())
    return summary


def write_batch(store: Store, items: list[Processed | Failed], work: Plan, steps: Steps, summary: Summary,
                say: Callable[[str], None], label: str) -> None:
    """Write a processed batch (each document replacing its file's earlier versions) and log its line."""
    for item in items:
        if isinstance(item, Processed):
            item.replaces = work.replaces.get(item.result.doc_id, [])
    written = _checked(steps.write(store, items), f"batch {label} into {store.uri}")
    summary.add(written, items)
    say(f"batch {label}: {len(items)} documents, {written['quotes']} quotes, "
        f"{written['citations']} citations, {written['failures']} failed")


def finish_run(store: Store, work: Plan, summary: Summary, steps: Steps, report: Callable[[int], None],
               say: Callable[[str], None], embed: bool, started: float) -> Summary:
    """What a run does after its batches are written, whichever runner processed them: record the
    failed inputs, forget the failures that were resolved, rebuild the entities, compact, link the
    new statements' claims, and count the store."""
    try:
        return _finish(store, work, summary, steps, report, say, embed, started)
    except RunStopped as stop:
        return stopped_run(store, work, summary, say, str(stop), started)


def _finish(store: Store, work: Plan, summary: Summary, steps: Steps, report: Callable[[int], None],
            say: Callable[[str], None], embed: bool, started: float) -> Summary:
    if work.failed:
        summary.add(_checked(steps.write(store, work.failed), f"the failures into {store.uri}"), work.failed)
        report(len(work.failed))
        say(f"{len(work.failed)} inputs failed: " + "; ".join(f.failure.error[:200] for f in work.failed[:5])
            + (" …" if len(work.failed) > 5 else ""))
    if work.resolved:
        store.forget_failures(work.resolved)
    changed = bool(summary.processed or summary.failed or work.resolved)
    if store.exists("documents"):
        built = _checked(steps.entities(store, changed), f"the entities into {store.uri}")
        if built:
            say(f"entities: {built['entities']} from {built['links']} document names")
    if summary.processed or summary.failed:
        _checked(steps.finish(store), f"the compacted tables of {store.uri}")
    if embed and summary.processed:
        linked = _checked(steps.claims(store), f"the claims into {store.uri}")
        say(f"claims: {linked['searched']} new statements searched, {linked['linked']} links to other documents")
    summary.store_documents, summary.store_quotes = store_totals(store) if store.exists("documents") else (0, 0)
    summary.seconds = time.perf_counter() - started
    say(summary.line())
    return summary
