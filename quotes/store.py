"""The store: Delta Lake tables of documents, quotes, citations, entities and failures.

Every table's polars schema is derived from the pydantic records (``polars_dtype`` maps a field's
type to a polars dtype; nested records such as a quote's speaker and cue are flattened into
``speaker_name``, ``cue_lemma``, … columns), so a field added to a record is a column added here.

Writes are upserts keyed by document id: one batch replaces, table by table, every row of its
documents in a single Delta commit (``overwrite`` with a ``doc_id IN (…)`` predicate: delete and
append in one transaction). Processing a document twice never duplicates a row. Concurrent
writers to the same store lose nothing: a commit that conflicts with another writer's raises
``CommitFailedError`` and is re-run on the new table version. The ``documents`` row of a batch
is written last, so a run that dies half-way leaves its documents to be processed again.

The embedded default is a local folder; the same code runs on object storage (``s3://…``,
``az://…``, ``gs://…``) with deltalake ``storage_options`` (or the environment variable
``QUOTES_STORAGE_OPTIONS``, a JSON object; AWS_* variables are read by deltalake itself).
"""

from __future__ import annotations

import json
import os
import random
import time
import types
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Sequence, Union, get_args, get_origin

import polars as pl
from pydantic import BaseModel

from .records import Citation, DocumentResult, EntityType, Failure, Quote, Record

DEFAULT_STORE = ".quotes-store"
TABLES = ("documents", "quotes", "citations", "entities", "failures")
UNKNOWN_OUTLET = "(unknown)"


# --- store-only records: what the store keeps beside the extraction records ---------------------


class Provenance(Record):
    """Which input and which software made a document's rows: the key that makes re-runs free."""

    content_hash: str | None = None
    extractor_version: str
    model_version: str
    processed_at: datetime


class DocumentCounts(Record):
    n_quotes: int
    n_citations: int
    chars: int


class QuoteIndex(Record):
    """What ``quotes trace`` compares: content-word lemmas and the speaker's surname, made at write time."""

    lemmas: list[str]
    speaker_key: str | None = None


class CitationKey(Record):
    citation_id: str


class Entity(Record):
    """A person or organisation a document names or quotes."""

    entity_id: str
    name: str
    entity_type: EntityType | None = None
    role: str | None = None
    mentions: int = 0
    quoted: int = 0


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
    simple = {str: pl.String(), int: pl.Int64(), float: pl.Float64(), bool: pl.Boolean(),
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
        Part(Provenance), Part(DocumentCounts))),
    "quotes": TableSpec("quotes", "quote_id", (
        DOC_COLUMNS, Part(Quote, flatten=("speaker", "cue")), Part(QuoteIndex))),
    "citations": TableSpec("citations", "citation_id", (DOC_COLUMNS, Part(CitationKey), Part(Citation))),
    "entities": TableSpec("entities", "entity_id", (DOC_COLUMNS, Part(Entity))),
    "failures": TableSpec("failures", "doc_id", (Part(Failure), Part(Provenance))),
}


def table_schema(name: str) -> pl.Schema:
    return SPECS[name].schema


# --- what one batch writes -----------------------------------------------------------------------


@dataclass
class Processed:
    """One document, extracted and indexed, ready to store."""

    result: DocumentResult
    provenance: Provenance
    chars: int
    index: dict[str, QuoteIndex] = field(default_factory=dict)  # by quote_id
    entities: list[Entity] = field(default_factory=list)


@dataclass
class Failed:
    failure: Failure
    provenance: Provenance

    @property
    def key(self) -> str:
        """The failure's row key: its document id, or its path where there was no document."""
        return self.failure.doc_id or self.failure.path


def short_hash(*parts: object) -> str:
    import hashlib

    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def batch_frames(items: Sequence[Processed | Failed]) -> dict[str, pl.DataFrame]:
    """One frame per table for a batch of processed and failed documents."""
    rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
    for item in items:
        if isinstance(item, Failed):
            failure = item.failure
            if failure.doc_id is None:
                failure = failure.model_copy(update={"doc_id": item.key})
            rows["failures"].append((failure, item.provenance))
            continue
        r = item.result
        counts = DocumentCounts(n_quotes=len(r.quotes), n_citations=len(r.citations), chars=item.chars)
        rows["documents"].append((r, item.provenance, counts))
        for q in r.quotes:
            rows["quotes"].append((r, q, item.index.get(q.quote_id) or QuoteIndex(lemmas=[])))
        for c in r.citations:
            rows["citations"].append((r, CitationKey(citation_id=short_hash(r.doc_id, c.start, c.end, c.source)), c))
        rows["entities"] += [(r, e) for e in item.entities]
    frames = {name: SPECS[name].frame(rows[name]) for name in TABLES}
    return {name: f.unique(subset=SPECS[name].key, keep="last", maintain_order=True) for name, f in frames.items()}


def batch_ids(items: Sequence[Processed | Failed]) -> list[str]:
    return list(dict.fromkeys(i.key if isinstance(i, Failed) else i.result.doc_id for i in items))


# --- the store -----------------------------------------------------------------------------------


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _env_storage_options() -> dict[str, str] | None:
    raw = os.environ.get("QUOTES_STORAGE_OPTIONS", "").strip()
    return json.loads(raw) if raw else None


class Store:
    """Delta tables under one folder or object-storage prefix."""

    def __init__(self, uri: str | os.PathLike | None = None, storage_options: Mapping[str, str] | None = None):
        from .settings import get

        uri = str(uri or get("store") or DEFAULT_STORE)
        self.local = "://" not in uri or uri.startswith("file://")
        self.uri = str(Path(uri.removeprefix("file://")).resolve()) if self.local else uri.rstrip("/")
        self.storage_options = dict(storage_options) if storage_options else _env_storage_options()

    def __repr__(self) -> str:
        return f"Store({self.uri!r})"

    def table_uri(self, name: str) -> str:
        return f"{self.uri}/{name}"

    def exists(self, name: str) -> bool:
        from deltalake import DeltaTable

        return DeltaTable.is_deltatable(self.table_uri(name), storage_options=self.storage_options)

    def scan(self, name: str) -> pl.LazyFrame:
        """The table as a LazyFrame; an empty one with the table's schema before the first write."""
        if name not in SPECS:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        if not self.exists(name):
            return pl.LazyFrame(schema=SPECS[name].schema)
        return pl.scan_delta(self.table_uri(name), storage_options=self.storage_options)

    def tables(self) -> "Tables":
        return Tables(self, {name: self.scan(name) for name in TABLES})

    def stored_keys(self) -> dict[str, tuple[str | None, str, str]]:
        """doc_id → (content_hash, extractor_version, model_version) of every stored document."""
        frame = self.scan("documents").select("doc_id", "content_hash", "extractor_version", "model_version").collect()
        return {row[0]: tuple(row[1:]) for row in frame.iter_rows()}

    def write(self, items: Sequence[Processed | Failed], attempts: int = 30) -> dict[str, int]:
        """Upsert a batch: every row of these documents is replaced, in every table. Rows per table."""
        if not items:
            return {name: 0 for name in TABLES}
        frames = batch_frames(items)
        ids = batch_ids(items)
        # documents last: its row marks the document done (see the module doc)
        for name in ("quotes", "citations", "entities", "failures", "documents"):
            self._replace(name, frames[name], ids, attempts)
        return {name: frames[name].height for name in TABLES}

    def _replace(self, name: str, frame: pl.DataFrame, ids: list[str], attempts: int) -> None:
        from deltalake.exceptions import CommitFailedError, DeltaError

        uri = self.table_uri(name)
        for attempt in range(attempts):
            try:
                if not self.exists(name):
                    if frame.is_empty():
                        return
                    frame.write_delta(uri, mode="append", storage_options=self.storage_options)
                else:
                    frame.write_delta(uri, mode="overwrite", storage_options=self.storage_options,
                                      delta_write_options={"predicate": f"doc_id IN ({_sql_list(ids)})"})
                return
            except (CommitFailedError, DeltaError) as exc:
                if attempt + 1 == attempts or not _is_conflict(exc):
                    raise
                time.sleep(random.uniform(0.02, 0.1) * min(attempt + 1, 10))

    def compact(self, min_files: int = 64) -> list[str]:
        """Merge the small files many small batches leave (tables with at least ``min_files``)."""
        from deltalake import DeltaTable
        from deltalake.exceptions import CommitFailedError

        done = []
        for name in TABLES:
            if not self.exists(name):
                continue
            table = DeltaTable(self.table_uri(name), storage_options=self.storage_options)
            if len(table.file_uris()) < min_files:
                continue
            try:
                table.optimize.compact()
                done.append(name)
            except CommitFailedError:  # a writer got there first; the next run compacts
                continue
        return done


def _is_conflict(exc: Exception) -> bool:
    """A commit lost a race with another writer (or a table's creation did): worth re-running."""
    from deltalake.exceptions import CommitFailedError

    if isinstance(exc, CommitFailedError):
        return True
    text = str(exc).lower()
    return any(word in text for word in ("conflict", "already exists", "concurrent"))


class Tables:
    """The store's tables as LazyFrames: ``tables.quotes``, ``tables["citations"]``, ``tables.sql(…)``."""

    def __init__(self, store: Store, frames: dict[str, pl.LazyFrame]):
        self.store = store
        self.frames = frames

    def __getattr__(self, name: str) -> pl.LazyFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(name)

    def __getitem__(self, name: str) -> pl.LazyFrame:
        return self.frames[name]

    def __iter__(self):
        return iter(self.frames)

    def sql(self, query: str) -> pl.DataFrame:
        """Polars SQL over the tables (each registered under its name)."""
        return pl.SQLContext(self.frames, eager=False).execute(query).collect()


def open_store(path: str | os.PathLike | None = None, storage_options: Mapping[str, str] | None = None) -> Tables:
    """The store's tables as LazyFrames (``.documents``, ``.quotes``, ``.citations``, ``.entities``,
    ``.failures``), plus ``.sql(query)``."""
    return Store(path, storage_options).tables()
