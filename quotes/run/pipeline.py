"""The pipeline: ingest → segment → parse → extract → resolve, as small processors over batches.

Like stanza's pipeline, each processor has one job and a name in ``PROCESSORS``; the pipeline
runs them in order over a batch of documents. Parsing is batched per language (one stanza
pipeline per language, loaded once). A document that fails in any processor becomes a
``Failure`` for that document; the rest of the batch goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from quotes.embed.statements import Statement, embed_statements, statements_of
from quotes.extract.citations import extract_citations
from quotes.extract.extractor import extract_candidates
from quotes.extract.outlets import detect_outlet, load_registry
from quotes.ingest.language import resolve_language, split_by_language
from quotes.ingest.read import read_documents
from quotes.ingest.segment import segment_document, title_of
from quotes.parse.parser import ParsedDocument, parse_documents
from quotes.records import Citation, Document, DocumentResult, Failure, Outlet, Quote, Segment
from quotes.resolve.speakers import resolve_candidates, to_quotes
from quotes.run.languages import merged

log = logging.getLogger(__name__)

# Segments whose text is not the article's: never parsed, never quoted.
BLANKED = ("boilerplate", "related", "caption")
# Segments whose quotes are reported (comments with in_comments=True).
QUOTABLE = ("body", "title", "comments")
# Segments whose sentences the document itself says: its statements.
SAID = ("body", "title")

EXTRACTOR_VERSION = "0.4.0"


def extractor_fingerprint(include_model: bool = True) -> str:
    """EXTRACTOR_VERSION plus a digest of the extraction code and language data, so a changed rule
    or data file re-processes stored documents even when nobody bumped the version; plus the hash
    of the learned model when one is in use (``quotes train``; not with the rules alone)."""
    import hashlib
    from importlib import resources

    root = resources.files("quotes")
    digest = hashlib.sha256()
    sources = [root / "extract", root / "data", root / "learn", root / "parse", root / "resolve"]
    files = [root / "ingest" / "segment.py", root / "run" / "pipeline.py", root / "embed" / "statements.py",
             root / "embed" / "e5.py"]
    for folder in sources:
        files += [f for f in folder.iterdir() if f.name.endswith((".py", ".json"))]
        files += [f for sub in folder.iterdir() if sub.is_dir() for f in sub.iterdir() if f.name.endswith(".json")]
    # the entity merging rules' data (quotes/corpus/entities.py) re-builds entities, not documents
    files = [f for f in files if f.name not in ("transliteration.json", "people.json", "entities.json")]
    for f in sorted(files, key=lambda f: str(f)):
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    fingerprint = f"{EXTRACTOR_VERSION}+{digest.hexdigest()[:10]}"
    if include_model:
        from quotes.learn.model import active_model

        model = active_model()
        if model is not None:
            fingerprint += f"+model-{model.digest}"
    return fingerprint


@dataclass
class Item:
    """One document on its way through the processors."""

    document: Document
    language: str | None = None
    segments: list[Segment] = field(default_factory=list)
    parsed: ParsedDocument | None = None
    outlet: Outlet | None = None
    quotes: list[Quote] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    encoded: dict = field(default_factory=dict)  # sentence index → EncodedText (quotes/embed/e5.py)
    failure: Failure | None = None

    def fail(self, stage: str, exc: BaseException) -> None:
        msg = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
        self.failure = Failure(doc_id=self.document.doc_id, path=self.document.path, stage=stage, error=msg)

    def spans(self, kinds: Iterable[str]) -> list[tuple[int, int]]:
        if not self.segments:  # not segmented: all of it is article text
            return [(0, len(self.document.text))] if "body" in kinds else []
        return [(s.start, s.end) for s in self.segments if s.kind in kinds]

    def result(self) -> DocumentResult | Failure:
        if self.failure is not None:
            return self.failure
        d = self.document
        return DocumentResult(
            doc_id=d.doc_id, path=d.path, language=self.language,
            title=d.title or title_of(d.text, self.segments), published=d.published,
            outlet=self.outlet, encoding=d.encoding, id_from=d.id_from, warnings=d.warnings,
            segments=self.segments, quotes=self.quotes, citations=self.citations,
        )


PROCESSORS: dict[str, type["Processor"]] = {}


def register(name: str):
    def wrap(cls):
        cls.name = name
        PROCESSORS[name] = cls
        return cls
    return wrap


class Processor:
    """Works on a batch; per-document errors become that document's failure."""

    name = "processor"
    stage = "extract"

    def __init__(self, config: "PipelineConfig"):
        self.config = config

    def __call__(self, batch: list[Item]) -> None:
        for item in batch:
            if item.failure is None:
                try:
                    self.process(item)
                except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
                    # recorded as the document's failure, which the caller reports: logged for debugging only
                    log.debug("%s failed on %s: %s", self.name, item.document.path, exc)
                    item.fail(self.stage, exc)

    def process(self, item: Item) -> None:
        raise NotImplementedError


@register("language")
class LanguageProcessor(Processor):
    """Metadata language, else the identified one; unsupported languages fail clearly."""

    stage = "language"

    def process(self, item: Item) -> None:
        item.language = resolve_language(item.document, self.config.language)


@register("segment")
class SegmentProcessor(Processor):
    """Marks title, boilerplate, related links, captions and comments."""

    stage = "extract"

    def process(self, item: Item) -> None:
        item.segments = segment_document(item.document.text, item.language)


@register("outlet")
class OutletProcessor(Processor):
    """The publishing outlet, with its evidence."""

    def process(self, item: Item) -> None:
        item.outlet = detect_outlet(item.document, item.document.text, load_registry())


@register("parse")
class ParseProcessor(Processor):
    """Stanza over the article text, batched per language."""

    stage = "parse"

    def __call__(self, batch: list[Item]) -> None:
        by_lang: dict[str, list[Item]] = {}
        for item in batch:
            if item.failure is None:
                by_lang.setdefault(item.language, []).append(item)
        for lang, items in by_lang.items():
            try:
                parsed = self.parse([i.document.text for i in items], lang, [i.spans(BLANKED) for i in items])
            except Exception:  # noqa: BLE001 - one at a time, so only the bad document fails
                super().__call__(items)
                continue
            for item, p in zip(items, parsed):
                item.parsed = p

    def process(self, item: Item) -> None:
        item.parsed = self.parse([item.document.text], item.language, [item.spans(BLANKED)])[0]

    def parse(self, texts: list[str], lang: str, blanks: list) -> list[ParsedDocument]:
        """How texts of one language are parsed: stanza, in batches."""
        return parse_documents(texts, lang, blanks, batch_size=self.config.batch_size)


@register("encode")
class EncodeProcessor(Processor):
    """Each sentence of the parse through the torch e5 (quotes/embed/e5.py), once, when a trained
    model applies to the document's language: its pieces' states for the tagger, and its vector,
    which the ``embed`` processor stores as the sentence's statement vector instead of encoding it
    again. With the rules alone nothing is encoded here."""

    stage = "extract"

    def __init__(self, config: "PipelineConfig"):
        super().__init__(config)
        from quotes.learn.model import active_model

        self.model = active_model(config.rules_only)

    def __call__(self, batch: list[Item]) -> None:
        if self.model is None:
            return
        items = [i for i in batch if i.failure is None and i.parsed is not None and self.model.applies_to(i.language)]
        sentences = [(item, s) for item in items for s in item.parsed.sentences if s.words]
        if not sentences:
            return
        try:
            from quotes.embed.e5 import load_e5
            from quotes.learn.tokens import LAYERS

            encoded = load_e5().encode_spans([(item.parsed.text, s.start, s.end) for item, s in sentences],
                                           layers=LAYERS)
        except Exception as exc:  # noqa: BLE001 - no encoder for this batch: its documents fail, the run goes on
            for item in items:
                item.fail(self.stage, exc)
            return
        for (item, s), e in zip(sentences, encoded):
            item.encoded[s.index] = e


@register("quotes")
class QuoteProcessor(Processor):
    """Quotes, their cues and speakers, with speakers resolved across the document; the learned
    layer (``quotes/learn``) re-decides the rules' candidates when a trained model applies to the
    document's language (its sentences were encoded by the ``encode`` processor)."""

    def __init__(self, config: "PipelineConfig"):
        super().__init__(config)
        from quotes.learn.model import active_model

        self.model = active_model(config.rules_only)

    def process(self, item: Item) -> None:
        candidates = extract_candidates(item.parsed, item.spans(QUOTABLE))
        if self.model is not None and item.encoded:
            candidates = self.model.apply(item.parsed, candidates, item.spans(QUOTABLE), item.encoded)
        resolve_candidates(item.parsed, candidates)
        item.quotes = to_quotes(item.document.doc_id, item.document.text, candidates, item.spans(["comments"]))


@register("citations")
class CitationProcessor(Processor):
    """Cited outlets and agencies."""

    def process(self, item: Item) -> None:
        own = item.outlet.name if item.outlet else None
        item.citations = extract_citations(item.document.text, item.segments, item.language, load_registry(), own,
                                           item.parsed)


@register("statements")
class StatementProcessor(Processor):
    """The document's statements (title and body sentences, quotes outside the comments): what a
    claim is traced by."""

    def process(self, item: Item) -> None:
        item.statements = statements_of(item.document.doc_id, item.parsed, item.quotes, item.spans(SAID))


@register("embed")
class EmbedProcessor(Processor):
    """A vector for every statement of the batch from the multilingual encoder, loaded once per
    process; texts whose vector is known (``config.known_vectors``) or repeated are not encoded again."""

    stage = "extract"

    def __call__(self, batch: list[Item]) -> None:
        from quotes.embed.encoders import load_encoder

        statements = [s for item in batch if item.failure is None for s in item.statements]
        if not statements:
            return
        try:
            encoder = load_encoder(self.config.encoder)
            for item in batch:
                if item.failure is None and item.encoded:
                    _vectors_from_encode(item, encoder.name)
            embed_statements(statements, encoder, self.config.known_vectors)
        except Exception as exc:  # noqa: BLE001 - no vectors for this batch: its documents fail, the run goes on
            for item in batch:
                if item.failure is None and item.statements:
                    item.fail(self.stage, exc)


def _vectors_from_encode(item: Item, encoder: str) -> None:
    """The sentence statements' vectors the ``encode`` processor already computed, when the store's
    encoder is the model they come from (the same e5 weights: tests/test_e5.py)."""
    import numpy as np

    from quotes.embed.e5 import ENCODER_NAME

    if encoder != ENCODER_NAME:
        return
    by_span = {(s.start, s.end): item.encoded[s.index] for s in item.parsed.sentences if s.index in item.encoded}
    for st in item.statements:
        e = by_span.get((st.start, st.end)) if st.kind == "sentence" else None
        if e is not None and st.vector is None:
            st.vector, st.encoder = e.vector.astype(np.float16).tobytes(), encoder


# What `quotes extract` runs; the store adds the statements and their vectors.
EXTRACT_PROCESSORS = ("language", "segment", "outlet", "parse", "encode", "quotes", "citations")
STORE_PROCESSORS = EXTRACT_PROCESSORS + ("statements", "embed")


@dataclass
class PipelineConfig:
    language: str = "auto"
    batch_size: int = 16
    processors: tuple[str, ...] = EXTRACT_PROCESSORS
    rules_only: bool = False  # the rules alone, even when a trained model exists (also the setting rules_only)
    encoder: str | None = None  # the sentence encoder's name (default: the encoder setting)
    # text hashes → vectors already stored (the store's lookup), so a known text is not encoded again
    known_vectors: Callable[[list[str]], dict[str, bytes]] | None = None


class Pipeline:
    def __init__(self, config: PipelineConfig | None = None):
        self.config = config or PipelineConfig()
        self.processors = [PROCESSORS[name](self.config) for name in self.config.processors]

    def process_items(self, documents: list[Document],
                      progress: Callable[[int], None] | None = None) -> list[Item]:
        """Every processor over the documents, ``batch_size`` at a time (one stanza batch); each
        item keeps its parse for callers that index it. ``progress(n)`` follows each batch. A
        document in two languages is processed as one part per language, merged back
        (quotes/run/languages.py)."""
        parts = [split_by_language(d, self.config.language) for d in documents]
        items = [Item(p) for pieces in parts for p in pieces]
        firsts = {id(pieces[0]) for pieces in parts}
        size = max(1, self.config.batch_size)
        for i in range(0, len(items), size):
            batch = items[i:i + size]
            for processor in self.processors:
                processor(batch)
            if progress:
                progress(sum(id(item.document) in firsts for item in batch))
        return merged(documents, parts, items)

    def process_documents(self, documents: list[Document],
                          progress: Callable[[int], None] | None = None) -> list[DocumentResult | Failure]:
        return [item.result() for item in self.process_items(documents, progress)]

    def run(self, paths: Iterable[str], progress: Callable[[int], None] | None = None,
            on_skip: Callable[[str], None] | None = None) -> Iterator[DocumentResult | Failure]:
        """Results for every input document, in input order, a stanza batch at a time; unreadable
        inputs as failures in their place; ``on_skip`` hears what a folder walk left out."""
        pending: list[Document] = []
        for entry in read_documents(paths, lang=None if self.config.language == "auto" else self.config.language,
                                    on_skip=on_skip):
            if isinstance(entry, Failure):
                yield from self.process_documents(pending, progress)
                pending = []
                if progress:
                    progress(1)
                yield entry
                continue
            pending.append(entry)
            if len(pending) >= self.config.batch_size:
                yield from self.process_documents(pending, progress)
                pending = []
        yield from self.process_documents(pending, progress)


def extract_text(text: str, language: str, doc_id: str = "text") -> DocumentResult | Failure:
    """Everything found in one text: the library's simplest entry point."""
    doc = Document(doc_id=doc_id, path="<text>", text=text, language=language)
    return Pipeline(PipelineConfig(language=language)).process_documents([doc])[0]
