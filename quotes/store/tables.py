"""The store's tables: the records of their rows and their polars schemas.

Every table's polars schema is derived from the pydantic records (``polars_dtype`` maps a field's
type to a polars dtype; nested records such as a quote's speaker and cue are flattened into
``speaker_name``, ``cue_lemma``, … columns), so a field added to a record is a column added here.
Besides the extraction records (quotes/records.py) the store keeps records of its own: a
document's provenance, its statements, the mentions, entities and links the corpus layer
computes, claim members, and the marks of writes and builds.

The read side (quotes/store/reader.py) loads no pydantic: it takes the tables' schemas from
quotes/store/table_schemas.py, generated from ``SPECS`` by ``python -m quotes.store.tables`` (a
test fails when it is stale).
"""

from __future__ import annotations

import time
import types
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Sequence, Union, get_args, get_origin

import polars as pl
from pydantic import BaseModel, Field

from quotes.records import Citation, DocumentResult, EntityType, Failure, Quote, Record

TABLES = ("documents", "quotes", "citations", "mentions", "entities", "entity_links", "statements", "claim_members",
          "claim_links", "failures")
# Tables whose rows belong to a document's version: visible only with their documents row.
CHILD_TABLES = ("quotes", "citations", "mentions", "statements")


class Provenance(Record):
    """Which input and which software made a document's rows: the key that makes re-runs free."""

    content_hash: str | None = None
    extractor_version: str
    model_version: str
    processed_at: datetime
    encoder: str | None = None  # the sentence encoder of the document's statement vectors (None: not embedded)


class StatementRow(Record):
    """A sentence the document says or a quote it carries, with its vector (float16 bytes, unit
    length) from ``encoder``; ``text_hash`` keys the vector to the text, so equal texts share it."""

    statement_id: str
    kind: Literal["sentence", "quote"]
    start: int
    end: int
    text: str
    quote_id: str | None = None
    text_hash: str
    encoder: str | None = None
    vector: bytes | None = None


class ClaimMember(Record):
    """A statement's claim: statements that say the same thing, across documents and languages,
    share a ``claim_id`` (quotes/corpus/claims.py); the ``claims`` view adds what readers ask about."""

    statement_id: str
    claim_id: str


class ClaimLink(Record):
    """Why a statement joined its claim: a stored statement it says the same as (quotes/corpus/claims.py),
    the cosine, and what the verifier found to agree (quotes/corpus/verify.py: names, numbers)."""

    statement_id: str
    neighbour: str = Field(description="the statement it was linked to")
    score: float = Field(description="the cosine of the two statements' vectors")
    why: str = Field(description="what agrees: 'names Putin, Nordkorea; numbers 2023'")


class WriteMark(Record):
    """The write a row belongs to: ``<milliseconds since 1970>-<random>``, ordered by time."""

    write_id: str


class DocumentCounts(Record):
    n_quotes: int
    n_citations: int
    chars: int


class CitationKey(Record):
    citation_id: str


class Mention(Record):
    """A name one document quotes, cites or names, under the document's canonical name."""

    mention_id: str
    name: str
    entity_type: EntityType | None = None
    roles: list[str] = Field(default_factory=list, description="roles the document gives the speaker")
    surfaces: list[str] = Field(default_factory=list, description="the name's forms as the text writes them")
    mentions: int = Field(0, description="named-entity mentions of the name")
    quoted: int = Field(0, description="quotes of the name outside reader comments")
    quoted_in_comments: int = 0
    cited: int = Field(0, description="citations of the name as a source")
    in_registry: bool | None = Field(None, description="for a cited source: whether the outlet registry knows it")


class Entity(Record):
    """One speaker or cited source across the corpus."""

    entity_id: str
    name: str = Field(description="canonical name: a curated name, the registry's, else the fullest, most frequent form")
    entity_type: EntityType | None = None
    kind: Literal["speaker", "source", "both"]
    scope: Literal["corpus", "document"] = Field(description="'document': a generic name, its document's own entity")
    aliases: list[str] = Field(description="every surface name seen")
    languages: list[str]
    roles: list[str]
    documents: int = Field(description="documents that quote or cite it")
    quotes: int = Field(description="quotes outside reader comments")
    citations: int
    first_seen: datetime | None = Field(None, description="earliest publication time of those documents")
    last_seen: datetime | None = None
    in_registry: bool | None = Field(None, description="for a source: whether the outlet registry knows it")


class EntityLink(Record):
    """Which entity a document's name belongs to: quotes join on (doc_id, speaker_name), citations
    on (doc_id, source)."""

    doc_id: str
    name: str
    entity_id: str


class BuildMark(Record):
    build_id: str
    rules_version: str = Field(description="digest of the merging rules and their data, the user's alias file included")


# --- ids of rows, writes and builds --------------------------------------------------------------


def short_hash(*parts: object) -> str:
    """A 16-hex-digit key from its parts (a citation's or a mention's id)."""
    import hashlib

    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def new_write_id() -> str:
    """A new write (or build) id: milliseconds since 1970, then random hex; ordered by time."""
    import uuid

    return f"{time.time_ns() // 1_000_000:013d}-{uuid.uuid4().hex[:8]}"


# --- schema derivation ---------------------------------------------------------------------------


def polars_dtype(annotation: Any) -> pl.DataType:
    """The polars dtype for a pydantic field annotation (optional types are nullable columns)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"no single polars dtype for the union {annotation}")
        return polars_dtype(args[0])
    if origin is Literal:
        if not all(isinstance(v, str) for v in get_args(annotation)):
            raise TypeError(f"only string literals map to a polars dtype: {annotation}")
        return pl.String()
    if origin is list:
        (item,) = get_args(annotation)
        return pl.List(polars_dtype(item))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pl.Struct({name: polars_dtype(f.annotation) for name, f in annotation.model_fields.items()})
    simple = {str: pl.String(), int: pl.Int64(), float: pl.Float64(), bool: pl.Boolean(), bytes: pl.Binary(),
              datetime: pl.Datetime("us", "UTC"), date: pl.Date()}
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"no polars dtype for {annotation!r}")


def _nested_model(annotation: Any) -> type[BaseModel]:
    args = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    model = args[0]
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"cannot flatten {annotation!r}: not a record")
    return model


@dataclass(frozen=True)
class Part:
    """The columns one record contributes to a table: nested records in ``flatten`` become
    ``<field>_<subfield>`` columns, ``rename`` renames columns, ``only``/``drop`` pick them."""

    model: type[BaseModel]
    flatten: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)
    only: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()

    def _fields(self) -> list[tuple[tuple[str, ...], str, pl.DataType]]:
        """(attribute path, column name, dtype) of every column, in field order."""
        out = []
        for name, f in self.model.model_fields.items():
            if name in self.flatten:
                nested = _nested_model(f.annotation)
                out += [((name, sub), f"{name}_{sub}", polars_dtype(sf.annotation))
                        for sub, sf in nested.model_fields.items()]
            else:
                out.append(((name,), name, polars_dtype(f.annotation)))
        out = [(path, self.rename.get(col, col), dtype) for path, col, dtype in out]
        return [(p, c, d) for p, c, d in out
                if c not in self.drop and p[0] not in self.drop and (self.only is None or c in self.only)]

    def schema(self) -> dict[str, pl.DataType]:
        return {col: dtype for _, col, dtype in self._fields()}

    def row(self, record: BaseModel) -> dict[str, Any]:
        if not isinstance(record, self.model):
            raise TypeError(f"expected {self.model.__name__}, got {type(record).__name__}")
        out = {}
        for path, col, _ in self._fields():
            value: Any = record
            for attr in path:
                value = getattr(value, attr) if value is not None else None
            out[col] = _cell(value)
        return out


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        # naive times are taken as UTC: a column holds one time zone
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):  # a list of records (a quote's direct_spans): polars reads dicts, not models
        return [_cell(v) for v in value]
    return value


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: str
    parts: tuple[Part, ...]

    @property
    def schema(self) -> pl.Schema:
        columns: dict[str, pl.DataType] = {}
        for part in self.parts:
            for col, dtype in part.schema().items():
                if col in columns:
                    raise ValueError(f"table {self.name}: column {col} comes from two records")
                columns[col] = dtype
        return pl.Schema(columns)

    def frame(self, rows: Iterable[Sequence[BaseModel]]) -> pl.DataFrame:
        """A frame from one tuple of records (one per part) per row, validated against the schema."""
        schema = self.schema
        dicts = []
        for records in rows:
            row: dict[str, Any] = {}
            for part, record in zip(self.parts, records, strict=True):
                row.update(part.row(record))
            if set(row) != set(schema):
                raise ValueError(f"table {self.name}: row columns {sorted(set(row) ^ set(schema))} do not fit")
            dicts.append(row)
        return pl.DataFrame(dicts, schema=schema, orient="row") if dicts else pl.DataFrame(schema=schema)


_OUTLET = dict(flatten=("outlet",), rename={"outlet_name": "outlet"})


# The columns every row repeats about its document, so one table answers most questions alone.
DOC_COLUMNS = Part(DocumentResult, only=("doc_id", "path", "language", "published", "outlet"), **_OUTLET)


SPECS: dict[str, TableSpec] = {
    "documents": TableSpec("documents", "doc_id", (
        Part(DocumentResult, drop=("segments", "quotes", "citations"), **_OUTLET),
        Part(Provenance), Part(DocumentCounts), Part(WriteMark))),
    "quotes": TableSpec("quotes", "quote_id", (
        DOC_COLUMNS, Part(Quote, flatten=("speaker", "cue")), Part(WriteMark))),
    "citations": TableSpec("citations", "citation_id", (DOC_COLUMNS, Part(CitationKey), Part(Citation),
                                                        Part(WriteMark))),
    "mentions": TableSpec("mentions", "mention_id", (DOC_COLUMNS, Part(Mention), Part(WriteMark))),
    "entities": TableSpec("entities", "entity_id", (Part(Entity), Part(BuildMark))),
    "entity_links": TableSpec("entity_links", "doc_id", (Part(EntityLink), Part(BuildMark))),
    "statements": TableSpec("statements", "statement_id", (DOC_COLUMNS, Part(StatementRow), Part(WriteMark))),
    "claim_members": TableSpec("claim_members", "statement_id", (Part(ClaimMember),)),
    "claim_links": TableSpec("claim_links", "statement_id", (Part(ClaimLink),)),
    "failures": TableSpec("failures", "doc_id", (Part(Failure), Part(Provenance))),
}


def table_schema(name: str) -> pl.Schema:
    return SPECS[name].schema


SCHEMAS_MODULE = Path(__file__).with_name("table_schemas.py")


def table_schemas_source() -> str:
    """quotes/store/table_schemas.py as the records make it: the tables and their polars schemas, so
    that reading (quotes/store/reader.py) needs no pydantic."""
    dtypes = sorted({type(d).__name__ for spec in SPECS.values() for d in _all_dtypes(spec.schema)})
    lines = ['"""The store\'s tables and their polars schemas, for the read side (quotes/store/reader.py).',
             "",
             "Generated from the records by `python -m quotes.store.tables` (SPECS there): do not edit;",
             'a test fails when it is out of date."""',
             "",
             f"from polars import {', '.join(dtypes)}",
             "",
             f"TABLES = {TABLES!r}",
             f"CHILD_TABLES = {CHILD_TABLES!r}",
             "SCHEMAS = {"]
    for name in TABLES:
        lines.append(f"    {name!r}: {{")
        lines += [f"        {column!r}: {dtype!r}," for column, dtype in SPECS[name].schema.items()]
        lines.append("    },")
    return "\n".join(lines + ["}", ""])


def _all_dtypes(schema: pl.Schema) -> list[pl.DataType]:
    out, todo = [], list(schema.values())
    while todo:
        dtype = todo.pop()
        out.append(dtype)
        if isinstance(dtype, pl.List):
            todo.append(dtype.inner)
        elif isinstance(dtype, pl.Struct):
            todo += [f.dtype for f in dtype.fields]
    return out


if __name__ == "__main__":
    SCHEMAS_MODULE.write_text(table_schemas_source(), encoding="utf-8")
    print(f"wrote {SCHEMAS_MODULE}")
