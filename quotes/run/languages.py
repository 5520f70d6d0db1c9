"""A document that mixes the supported languages, processed one language at a time and merged back.

``quotes.ingest.language.split_by_language`` gives one copy of the document per language, each
holding its language's paragraphs and blanks elsewhere (every offset stays the document's); the
pipeline runs its processors over the copies like any documents, so each paragraph gets its own
language's rules and models (a German quote in a mostly Norwegian article keeps its German speaker),
and ``merge_parts`` makes them one document again: segments, quotes, citations and statements in text
order, the parses merged, the language of the document's main part, and a warning that says so.
"""

from __future__ import annotations

from typing import Sequence

from quotes.parse.parser import merge_parses
from quotes.records import Document


def merge_parts(original: Document, parts: Sequence):
    """One pipeline item for ``original`` from the items of its language parts (the first is the
    main language's); a part that failed fails the document."""
    main = parts[0]
    counts = ", ".join(f"{p.document.language} ({sum(bool(line.strip()) for line in p.document.text.splitlines())} "
                       "paragraphs)" for p in parts)
    note = (f"written in {len(parts)} languages, {counts}: each paragraph was read with its own language's "
            f"rules; the document's language is {main.document.language}, its main part's")
    item = type(main)(original.model_copy(update={"warnings": [*original.warnings, note]}))
    item.language = main.language
    failed = next((p for p in parts if p.failure is not None), None)
    if failed is not None:
        item.failure = failed.failure.model_copy(update={"doc_id": original.doc_id, "path": original.path})
        return item
    item.segments = sorted((s for p in parts for s in p.segments), key=lambda s: (s.start, s.end))
    item.outlet = next((p.outlet for p in parts if p.outlet is not None), None)
    item.quotes = sorted((q for p in parts for q in p.quotes), key=lambda q: (q.start, q.end))
    item.citations = sorted((c for p in parts for c in p.citations), key=lambda c: (c.start, c.end))
    item.statements = sorted((s for p in parts for s in p.statements), key=lambda s: (s.start, s.end))
    parses = [p.parsed for p in parts if p.parsed is not None]
    if parses:
        item.parsed = merge_parses(original.text, main.language, parses)
    return item


def merged(documents: Sequence[Document], parts: Sequence[Sequence[Document]], items: Sequence) -> list:
    """The items of ``documents``, in order: those split by language (``parts``) merged back."""
    out, position = [], 0
    for document, pieces in zip(documents, parts):
        group = items[position:position + len(pieces)]
        position += len(pieces)
        out.append(group[0] if len(pieces) == 1 else merge_parts(document, group))
    return out
