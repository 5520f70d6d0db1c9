"""The store's index of statement vectors: what trace and claims search.

An exact cosine index (quotes/embed/vector_index.py) over the vectors of the store's live
statements (one encoder's), with what a match shows of each statement kept beside it, so that a
search reads no table. It is a cache: a folder ``_index/statements`` in a local store (for object
storage, under ~/.cache/quotes), rebuilt from the statements table when the store has changed
since it was built, and kept in memory for the life of the process.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from quotes.embed.vector_index import VectorIndex
    from quotes.store.reader import StoreReader, Tables


_INDEXES: dict[tuple[str, str], tuple[tuple, "VectorIndex"]] = {}


def neighbours(index: "StatementIndex", vectors, k: int) -> pl.DataFrame:
    """The ``k`` nearest stored statements of each query vector: ``query`` (its position),
    ``neighbour`` (a statement id) and ``score`` (cosine), one row each."""
    ids, scores = index.vectors.search(vectors, k)
    return pl.DataFrame({
        "query": [i for i, row in enumerate(ids) for _ in row],
        "neighbour": [str(x) for row in ids for x in row],
        "score": [float(x) for row in scores for x in row],
    }, schema={"query": pl.Int64, "neighbour": pl.String, "score": pl.Float64})


def _index_folder(store: "StoreReader") -> Path:
    if store.local:
        return Path(store.uri) / "_index" / "statements"
    key = hashlib.sha1(store.uri.encode()).hexdigest()[:16]
    return Path(os.path.expanduser("~/.cache/quotes/index")) / key


def _source_versions(store: "StoreReader") -> tuple:
    """The table versions an index was built from: any write or re-embedding changes them."""
    from deltalake import DeltaTable

    return tuple(DeltaTable(store.table_uri(name), storage_options=store.storage_options).version()
                 if store.exists(name) else -1 for name in ("documents", "statements"))


def live_vectors(tables: "Tables", encoder: str) -> pl.LazyFrame:
    """The readers' statements that carry a vector of ``encoder``."""
    return tables.statements.filter(pl.col("encoder") == encoder, pl.col("vector").is_not_null())


# What a match shows of the statement it found; kept beside the vectors, so a trace reads no table.
SHOWN = ("statement_id", "doc_id", "kind", "text", "quote_id", "language", "published", "outlet")


@dataclass
class StatementIndex:
    """The vectors of the store's statements (one encoder's), what a match shows of each, and how
    many stored statements have no vector of that encoder (a trace refuses to search a mix)."""

    vectors: "VectorIndex"
    statements: pl.DataFrame  # SHOWN columns, one row per indexed statement
    missing: int
    total: int


def statement_index(store: "StoreReader", encoder: str) -> StatementIndex:
    """The statement index of the store (``encoder``'s vectors): from memory, from its folder, or
    rebuilt from the statements table when the store changed since it was built."""
    from quotes.embed.vector_index import VectorIndex, VectorIndexError

    versions = _source_versions(store)
    cached = _INDEXES.get((store.uri, encoder))
    if cached and cached[0] == versions:
        return cached[1]
    folder = _index_folder(store)
    found = None
    try:
        source = json.loads((folder / "source.json").read_text())
        if source["versions"] == list(versions) and source["encoder"] == encoder:
            found = StatementIndex(VectorIndex.load(folder, encoder=encoder, mmap=True),
                                   pl.read_parquet(folder / "statements.parquet"), source["missing"], source["total"])
    except (OSError, ValueError, KeyError, VectorIndexError, pl.exceptions.PolarsError):
        found = None
    if found is None:
        found = _build_index(store, encoder)
        try:
            found.vectors.save(folder)
            found.statements.write_parquet(folder / "statements.parquet")
            (folder / "source.json").write_text(json.dumps({"versions": list(versions), "encoder": encoder,
                                                            "missing": found.missing, "total": found.total}))
        except OSError:
            pass  # a read-only store: the index lives in memory only
    _INDEXES[(store.uri, encoder)] = (versions, found)
    return found


def _build_index(store: "StoreReader", encoder: str) -> StatementIndex:
    from quotes.embed.statements import as_matrix
    from quotes.embed.vector_index import VectorIndex

    tables = store.tables()
    counts = tables.statements.select(
        total=pl.len(), current=((pl.col("encoder") == encoder) & pl.col("vector").is_not_null()).sum()
    ).collect().row(0, named=True)
    rows = live_vectors(tables, encoder).select(*SHOWN, "vector").collect()
    if rows.height:
        vectors = as_matrix(rows["vector"].to_list(), dtype="float16")  # as stored: half the memory
        index = VectorIndex.build(rows["statement_id"].to_numpy().astype(str), vectors, encoder=encoder)
    else:
        index = VectorIndex(384, encoder=encoder)
    return StatementIndex(index, rows.drop("vector"), int(counts["total"] - (counts["current"] or 0)),
                          int(counts["total"]))
