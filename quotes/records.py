"""The pydantic records that tie a quote to its speaker, its cue, the outlet and the cited sources.

They are the one source of truth: the JSON Schema in ``schemas/`` and the polars schemas of the
store are derived from them. Every ``start``/``end`` is a Python character offset into
``Document.text`` (the exact input text after decoding), so ``text[start:end]`` is the span.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SegmentKind = Literal["body", "title", "boilerplate", "comments", "related", "caption"]
QuoteKind = Literal["direct", "indirect", "reported", "mixed"]
CitationKind = Literal["credit", "report", "according_to"]
EntityType = Literal["PER", "ORG", "LOC", "MISC", "PRON", "NOUN"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Record):
    start: int = Field(ge=0, description="character offset into Document.text (inclusive)")
    end: int = Field(ge=0, description="character offset into Document.text (exclusive)")

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} before start {self.start}")
        return self


IdSource = Literal["id", "url", "file", "record"]
ID_SOURCE_HELP = ("how doc_id was formed: 'id' given in the input, 'url' the article's URL, 'file' a whole file "
                  "(its name plus a hash of its text; a new version of the file replaces the stored one), "
                  "'record' a JSONL record with neither (the file's name plus a hash of the text)")


class Document(Record):
    """One input article, after decoding; the text every offset points into."""

    doc_id: str
    path: str = Field(description="the input file, as an absolute path ('<text>' for text given in code)")
    text: str
    language: str | None = Field(None, description="ISO 639-1 code, e.g. 'de' or 'nb'")
    title: str | None = None
    published: datetime | None = Field(None, description="publication time; its zone is kept when the input gives one")
    url: str | None = None
    outlet: str | None = Field(None, description="outlet given in the input metadata, if any")
    encoding: str = "utf-8"
    id_from: IdSource = Field("id", description=ID_SOURCE_HELP)
    warnings: list[str] = Field(default_factory=list,
                                description="what reading the input noticed: a date not understood, an encoding guessed")


class Segment(Span):
    kind: SegmentKind


class Speaker(Span):
    name: str | None = Field(description="canonical name in the document: the fullest form seen; a name or a noun "
                                         "phrase in base form, never a pronoun, article or adverb; null when the "
                                         "mention could not be resolved to one (the quote is then unresolved)")
    mention: str = Field(description="the words the sentence itself uses, text[start:end]")
    role: str | None = Field(None, description="title or role, e.g. 'Kremlsprecher'")
    entity_type: EntityType | None = None


class Cue(Span):
    text: str
    lemma: str


class Quote(Span):
    quote_id: str
    text: str
    kind: QuoteKind
    speaker: Speaker | None = None
    cue: Cue | None = None
    in_comments: bool = False
    confidence: float = Field(ge=0.0, le=1.0)
    direct_spans: list[Span] = Field(default_factory=list,
                                     description="for a mixed quote, the direct words (in marks) inside it; "
                                                 "a mixed quote is one record, not one per part")


class Citation(Span):
    source: str = Field(description="canonical outlet or agency name from the registry; for a source the "
                                    "registry does not know, the name as the citation frame gives it")
    mention: str
    kind: CitationKind
    in_comments: bool = False
    in_registry: bool = Field(True, description="false for a source found only by its citation frame "
                                                "('berichtete die Jakarta Post', 'ifølge NTB'): add it to the "
                                                "outlet registry to name, alias or merge it")


class Outlet(Record):
    name: str
    evidence: str = Field(description="why: 'metadata', 'url:<host>' or 'signature:<text>'")


class DocumentResult(Record):
    """One line of ``quotes extract --format jsonl``: everything found in one document."""

    doc_id: str
    path: str
    language: str | None
    title: str | None = None
    published: datetime | None = None
    outlet: Outlet | None = None
    encoding: str = "utf-8"
    id_from: IdSource = Field("id", description=ID_SOURCE_HELP)
    warnings: list[str] = []
    segments: list[Segment] = []
    quotes: list[Quote] = []
    citations: list[Citation] = []


class Failure(Record):
    """A document that could not be processed: recorded, never silently lost."""

    doc_id: str | None = None
    path: str
    stage: Literal["ingest", "language", "parse", "extract", "store"]
    error: str
    input_hash: str | None = Field(None, description="sha256 of what was read, when anything was: an unchanged "
                                                     "input that failed is not tried again")


RECORDS: dict[str, type[BaseModel]] = {
    "document": Document,
    "document_result": DocumentResult,
    "failure": Failure,
    "quote": Quote,
    "speaker": Speaker,
    "cue": Cue,
    "citation": Citation,
    "outlet": Outlet,
    "segment": Segment,
}
