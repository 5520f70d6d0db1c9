"""Process a corpus into the store, incrementally: the library under ``flows/process_corpus``.

Each document is keyed on its content hash plus the extractor and model versions; a document
whose key is already in the store's ``documents`` table is skipped, so a re-run over an
unchanged corpus only reads and hashes the inputs, and a new extractor or model version
processes everything again and replaces the rows. Failed documents are retried on every run
(their cause may have been fixed: a model installed, a file repaired).

While the parse of a document is at hand, each quote gets its bag of content-word lemmas and
its speaker's surname (``QuoteIndex``) and the document its named entities, so ``trace``
never has to parse again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import pipeline as _pipeline
from .ingest import content_hash, read_documents
from .parse import ParsedDocument, resources_dir
from .records import Document, DocumentResult, Failure
from .resolve import canonical_name
from .store import Entity, Failed, Processed, Provenance, QuoteIndex, Store, short_hash

# Parts of speech that carry what a statement says; negation is kept as a word of its own.
CONTENT_UPOS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"})
NER_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC", "GPE_LOC": "LOC", "GPE_ORG": "ORG"}


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


def lemma_bag(parsed: ParsedDocument, start: int, end: int) -> list[str]:
    """Sorted distinct lower-cased lemmas of the content words (and negations) in text[start:end]."""
    bag = set()
    for sentence in parsed.sentences:
        if sentence.end <= start or sentence.start >= end:
            continue
        for w in sentence.words:
            if start <= w.start < end and (w.upos in CONTENT_UPOS or w.feats.get("Polarity") == "Neg"):
                lemma = w.lemma.lower().strip()
                if any(ch.isalnum() for ch in lemma):
                    bag.add(lemma)
    return sorted(bag)


def words_of(text: str) -> list[str]:
    import re

    return re.findall(r"[\w'-]+", text.lower())


def speaker_key(name: str | None) -> str | None:
    """The speaker's surname, lower-cased: 'Dmitri Peskow' and 'Peskow' share it."""
    words = words_of(name or "")
    return words[-1] if words else None


def quote_index(result: DocumentResult, parsed: ParsedDocument | None) -> dict[str, QuoteIndex]:
    return {
        q.quote_id: QuoteIndex(lemmas=lemma_bag(parsed, q.start, q.end) if parsed else [],
                               speaker_key=speaker_key(q.speaker.name) if q.speaker else None)
        for q in result.quotes
    }


def document_entities(result: DocumentResult, parsed: ParsedDocument | None) -> list[Entity]:
    """People and organisations named (NER) or quoted (speakers), under their fullest name."""
    text = parsed.text if parsed else ""
    named = [(text[s:e], NER_TYPES.get(t, "MISC")) for s, e, t in (parsed.entities if parsed else [])]
    speakers = [q.speaker for q in result.quotes if q.speaker is not None and q.speaker.entity_type in ("PER", "ORG")]
    people = sorted({n for n, t in named if t == "PER"} | {s.name for s in speakers if s.entity_type == "PER"},
                    key=lambda n: (-len(words_of(n)), -len(n)))
    found: dict[str, dict] = {}

    def entry(name: str, etype: str | None) -> dict:
        name = canonical_name(name, people) if etype == "PER" else name
        return found.setdefault(name, {"name": name, "entity_type": etype, "role": None, "mentions": 0, "quoted": 0})

    for name, etype in named:
        if len(name) > 1:
            entry(name, etype)["mentions"] += 1
    for sp in speakers:
        e = entry(sp.name, sp.entity_type)
        e["quoted"] += 1
        e["role"] = e["role"] or sp.role
    return [Entity(entity_id=short_hash(result.doc_id, e["name"]), **e) for e in found.values()]


# --- processing ----------------------------------------------------------------------------------


def process_batch(documents: Sequence[Document], versions: Versions, lang: str = "auto",
                  batch_size: int = 16) -> list[Processed | Failed]:
    """Run the pipeline over a batch (parsed per language) and index each result with its parse."""
    pipeline = _pipeline.Pipeline(_pipeline.PipelineConfig(language=lang, batch_size=batch_size))
    batch = pipeline.process_items(list(documents))
    out: list[Processed | Failed] = []
    for item in batch:
        result = item.result()
        prov = versions.provenance(content_hash(item.document.text))
        if isinstance(result, Failure):
            out.append(Failed(result, prov))
        else:
            out.append(Processed(result, prov, chars=len(item.document.text),
                                 index=quote_index(result, item.parsed),
                                 entities=document_entities(result, item.parsed)))
        item.parsed = None  # the parse is large; only the index outlives the batch
    return out


@dataclass
class Plan:
    """What a run must do: documents to process (in order), failures to record, and how many
    inputs were skipped as unchanged."""

    todo: list[Document] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    skipped: int = 0

    @property
    def inputs(self) -> int:
        return len(self.todo) + len(self.failed) + self.skipped


def plan(entries: Iterable[Document | Failure], stored: dict[str, tuple], versions: Versions) -> Plan:
    """Split the inputs: unchanged (skipped), to process, or failed already at ingest."""
    out = Plan()
    seen: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, Failure):
            out.failed.append(Failed(entry, versions.provenance(None)))
            continue
        if entry.doc_id in seen:
            # the document id is the store's key: a second input with it would replace the first
            error = (f"{entry.path}: document id '{entry.doc_id}' is already used by {seen[entry.doc_id]} "
                     "in this run; give the inputs distinct ids (file names or 'id' fields)")
            dup = Failure(path=f"{entry.path}#{entry.doc_id}", stage="ingest", error=error)
            out.failed.append(Failed(dup, versions.provenance(content_hash(entry.text))))
            continue
        seen[entry.doc_id] = entry.path
        key = (content_hash(entry.text), versions.extractor, versions.model)
        if stored.get(entry.doc_id) == key:
            out.skipped += 1
        else:
            out.todo.append(entry)
    return out


def input_files(folder: str) -> list[str]:
    """The input files of a folder, by ingest's rule (suffixes, hidden files left out), sorted."""
    from .ingest import _directory_files

    return [str(p) for p in _directory_files(Path(folder))] if Path(folder).is_dir() else []


def read_plan(paths: Sequence[str], store: Store, versions: Versions, lang: str = "auto") -> Plan:
    return plan(read_documents(paths, lang=lang), store.stored_keys(), versions)


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class Summary:
    documents: int = 0  # inputs seen (documents and inputs that failed to read)
    processed: int = 0
    skipped: int = 0
    quotes: int = 0
    citations: int = 0
    failures: int = 0
    seconds: float = 0.0

    def add(self, written: dict[str, int], items: Sequence[Processed | Failed]) -> None:
        self.processed += sum(isinstance(i, Processed) for i in items)
        self.quotes += written["quotes"]
        self.citations += written["citations"]
        self.failures += written["failures"]

    def as_dict(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}

    def __str__(self) -> str:
        return json.dumps(self.as_dict())


def write_items(store: Store, items: Sequence[Processed | Failed]) -> dict[str, int]:
    return store.write(items)


def compact_store(store: Store) -> list[str]:
    return store.compact()


@dataclass(frozen=True)
class Steps:
    """The three steps of a run; the Prefect flow passes them wrapped as tasks (retried, cached)."""

    plan: Callable[[Sequence[str], Store, Versions, str], Plan] = read_plan
    process: Callable[[Sequence[Document], Versions, str, int], list[Processed | Failed]] = process_batch
    write: Callable[[Store, Sequence[Processed | Failed]], dict[str, int]] = write_items
    finish: Callable[[Store], list[str]] = compact_store


def run_corpus(paths: Sequence[str], store: Store | str | None = None, *, lang: str = "auto", batch_size: int = 16,
               chunk: int = 32, progress: Callable[[int, int], None] | None = None, steps: Steps = Steps()) -> Summary:
    """Process ``paths`` into ``store``: every input ends up in ``documents`` or ``failures``.
    ``progress(n, total)`` is called as inputs are done (skipped ones first)."""
    started = time.perf_counter()
    store = store if isinstance(store, Store) else Store(store)
    versions = current_versions()
    work = steps.plan(list(paths), store, versions, lang)
    summary = Summary(documents=work.inputs, skipped=work.skipped)
    def report(n: int) -> None:
        if progress:
            progress(n, work.inputs)

    report(work.skipped)
    for docs in chunks(work.todo, chunk):
        items = steps.process(list(docs), versions, lang, batch_size)
        summary.add(steps.write(store, items), items)
        report(len(docs))
    if work.failed:
        summary.add(steps.write(store, work.failed), work.failed)
        report(len(work.failed))
    if summary.processed or summary.failures:
        steps.finish(store)
    summary.seconds = time.perf_counter() - started
    return summary
