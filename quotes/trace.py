"""Where a statement travelled: the stored statements (sentences and quotes, quotes/statements.py)
that say the same thing, in any language, found by their vectors.

A statement (a text in any language, or a stored quote) is encoded with the store's encoder and
compared, by cosine, with every stored statement vector (an exact scan over an index kept beside
the tables, quotes/vector_index.py). A stored statement says the same (``same_statement``) when
its cosine reaches the threshold — ``Encoder.thresholds()`` gives one across languages (a
translation against a topic neighbour) and a higher one within a language, where e5's cosines run
higher; ``threshold`` overrides both — and the two texts agree where a topic neighbour in a
dense news story gives itself away: the numbers they both state are not disjoint ("2019" is not
"2023"), and neither is more than ``LENGTH_RATIO`` times as long as the other (a translation or
a close paraphrase keeps its length). Each document is represented by its best statement.
The same rule links statements into claims (quotes/claims.py).

The index is a cache: a folder ``_index/statements`` in a local store (for object storage, under
~/.cache/quotes), rebuilt from the statements table when the store has changed since it was
built, and kept in memory for the life of the process.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import polars as pl

from .errors import QuotesError
from .store import UNKNOWN_OUTLET

if TYPE_CHECKING:
    from .store import Store, Tables
    from .vector_index import VectorIndex

MAX_CHARS = 2_000  # a statement is a sentence or a quote: a longer text is an article, not a statement
LENGTH_RATIO = 1.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEIGHBOURS = 200  # stored statements looked at per statement (matches are those above the threshold)
_INDEXES: dict[tuple[str, str], tuple[tuple, "VectorIndex"]] = {}


class TraceError(QuotesError):
    """A statement that cannot be traced as given, or a store that cannot be searched yet."""


@dataclass(frozen=True)
class Thresholds:
    across: float  # statement and match in different languages
    within: float  # the same language

    @classmethod
    def of(cls, encoder, threshold: float | None = None) -> "Thresholds":
        if threshold is not None:
            if not 0.0 < threshold <= 1.0:
                raise TraceError(f"--threshold must be a cosine above 0 and at most 1, not {threshold}")
            return cls(threshold, threshold)
        return cls(*encoder.thresholds())


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", m) for m in _NUMBER.findall(text)}


def texts_agree(a: str, b: str) -> bool:
    """What a cosine cannot see: two statements that state numbers share one, and neither is more
    than LENGTH_RATIO times as long as the other."""
    if max(len(a), len(b)) > LENGTH_RATIO * max(1, min(len(a), len(b))):
        return False
    na, nb = _numbers(a), _numbers(b)
    return not (na and nb and not na & nb)


def agreeing(frame: pl.LazyFrame, left: str, right: str) -> pl.LazyFrame:
    """The rows of ``frame`` whose texts in columns ``left`` and ``right`` agree (texts_agree)."""
    return frame.filter(pl.struct(left, right).map_elements(lambda r: texts_agree(r[left], r[right]),
                                                            return_dtype=pl.Boolean))


def neighbours(index: "StatementIndex", vectors, k: int) -> pl.DataFrame:
    """The ``k`` nearest stored statements of each query vector: ``query`` (its position),
    ``neighbour`` (a statement id) and ``score`` (cosine), one row each."""
    ids, scores = index.vectors.search(vectors, k)
    return pl.DataFrame({
        "query": [i for i, row in enumerate(ids) for _ in row],
        "neighbour": [str(x) for row in ids for x in row],
        "score": [float(x) for row in scores for x in row],
    }, schema={"query": pl.Int64, "neighbour": pl.String, "score": pl.Float64})


def same_statement(pairs: pl.LazyFrame, thresholds: Thresholds, languages: tuple[str, str],
                   texts: tuple[str, str]) -> pl.LazyFrame:
    """The pairs (with a ``score``) that say the same thing, by the rule trace and claims share:
    the cosine reaches the threshold of the pair's languages (``languages``: two columns), and the
    texts (``texts``: two columns) agree where a cosine is blind."""
    first, second = languages
    return agreeing(pairs.filter(pl.col("score") >= pl.when(pl.col(first) == pl.col(second))
                                 .then(thresholds.within).otherwise(thresholds.across)), *texts)


# --- the index -----------------------------------------------------------------------------------


def _index_folder(store: "Store") -> Path:
    if store.local:
        return Path(store.uri) / "_index" / "statements"
    key = hashlib.sha1(store.uri.encode()).hexdigest()[:16]
    return Path(os.path.expanduser("~/.cache/quotes/index")) / key


def _source_versions(store: "Store") -> tuple:
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


def statement_index(store: "Store", encoder: str) -> StatementIndex:
    """The statement index of the store (``encoder``'s vectors): from memory, from its folder, or
    rebuilt from the statements table when the store changed since it was built."""
    from .vector_index import VectorIndex, VectorIndexError

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


def _build_index(store: "Store", encoder: str) -> StatementIndex:
    from .statements import as_matrix
    from .vector_index import VectorIndex

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


def check_embedded(store: "Store", index: StatementIndex, encoder: str) -> None:
    """TraceError when some statements carry no vector of ``encoder`` (never search a mix), or when
    the store's documents have no statements at all (written before statements existed)."""
    if not store.exists("statements") and store.exists("documents"):
        raise TraceError("this store has no statements: it was written by a version of quotes before cross-lingual "
                         "trace; run `quotes upgrade`, then `quotes run` over its inputs again (the extractor "
                         "changed, so every document is processed again and gets its statements)")
    if index.missing:
        raise TraceError(
            f"{index.missing:,} of {index.total:,} stored statements have no vector of the encoder {encoder} "
            "(stored with --no-embed, or by another encoder): run `quotes embed` on this store first")


# --- matching ------------------------------------------------------------------------------------


def _query_languages(texts: Sequence[str], lang: str | None) -> list[str | None]:
    from .language import identify_language

    return [lang or (identify_language(t)[0] if t.strip() else None) for t in texts]


def check_statement(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise TraceError("the statement is empty")
    if len(text) > MAX_CHARS:
        raise TraceError(f"the statement is {len(text):,} characters long; a statement (a sentence or a quote) "
                         f"is traced up to {MAX_CHARS:,}")
    return text


def match(tables: "Tables", index: StatementIndex, vectors, texts: Sequence[str], languages: Sequence[str | None],
          thresholds: Thresholds) -> list[pl.DataFrame]:
    """For each query (vector, text, language): the documents holding a statement that says the
    same, one row each (its best statement), best first."""
    hits = neighbours(index, vectors, min(NEIGHBOURS, max(1, len(index.vectors)))).rename(
        {"neighbour": "statement_id"})
    hits = hits.join(pl.DataFrame({"query": range(len(languages)), "query_language": list(languages),
                                   "query_text": list(texts)},
                                  schema={"query": pl.Int64, "query_language": pl.String, "query_text": pl.String}),
                     on="query")
    found = same_statement(
        hits.lazy().join(index.statements.lazy(), on="statement_id"), thresholds, ("language", "query_language"),
        ("query_text", "text"),
    ).sort(["query", "score"], descending=[False, True]).unique(["query", "doc_id"], keep="first",
                                                                 maintain_order=True)
    found = found.collect()
    speakers = tables.quotes.filter(pl.col("quote_id").is_in(found["quote_id"].drop_nulls().unique().to_list())).select(
        "quote_id", speaker=pl.col("speaker_name"))
    sources = (tables.citations.filter(pl.col("doc_id").is_in(found["doc_id"].unique().to_list()), ~pl.col("in_comments"))
               .group_by("doc_id").agg(sources=pl.col("source").unique().sort()))
    out = (
        found.lazy().join(speakers, on="quote_id", how="left").join(sources, on="doc_id", how="left")
        .select("query", "doc_id", pl.col("score").round(3), "published", pl.col("outlet").fill_null(UNKNOWN_OUTLET),
                "language", "kind", "speaker", pl.col("text").alias("statement"), pl.col("sources").fill_null([]),
                "statement_id")
        .sort(["query", "score"], descending=[False, True])
        .collect()
    )
    return [out.filter(pl.col("query") == i).drop("query") for i in range(len(languages))]


def in_publication_order(matches: pl.DataFrame) -> pl.DataFrame:
    """The matches as a trace reads: earliest first (undated last), the first marked as such."""
    ordered = matches.sort(["published", "doc_id"], nulls_last=True)
    return ordered.with_columns(
        appeared=pl.Series(["first" if i == 0 else "repeated" for i in range(ordered.height)], dtype=pl.String)
    ).select("appeared", *[c for c in ordered.columns])


def trace_texts(store: "Store", texts: Sequence[str], *, lang: str | None = None,
                threshold: float | None = None) -> list[pl.DataFrame]:
    """Where each statement (any language) appeared: its matches, best first."""
    from .embed import STATEMENT_KIND, load_encoder

    texts = [check_statement(t) for t in texts]
    encoder = load_encoder()
    index = statement_index(store, encoder.name)
    check_embedded(store, index, encoder.name)
    vectors = encoder.encode(texts, STATEMENT_KIND)
    return match(store.tables(), index, vectors, texts, _query_languages(texts, lang),
                 Thresholds.of(encoder, threshold))


def trace_quote(store: "Store", quote_id: str, *, threshold: float | None = None) -> tuple[dict, pl.DataFrame]:
    """(the stored quote, the documents that carry what it says, its own among them): a trace from
    a stored quote."""
    from .embed import STATEMENT_KIND, load_encoder
    from .statements import as_matrix

    tables = store.tables()
    quote = tables.quotes.filter(pl.col("quote_id") == quote_id).collect()
    if quote.is_empty():
        raise TraceError(f"no quote {quote_id} in the store")
    quote = quote.row(0, named=True)
    encoder = load_encoder()
    index = statement_index(store, encoder.name)
    check_embedded(store, index, encoder.name)
    own = live_vectors(tables, encoder.name).filter(pl.col("quote_id") == quote_id).select("vector").collect()
    if own.height:
        vectors = as_matrix(own["vector"].to_list()[:1])
    else:  # too short to be a statement of its own: encode its words
        vectors = encoder.encode([check_statement(quote["text"])], STATEMENT_KIND)
    (found,) = match(tables, index, vectors, [quote["text"]], [quote["language"]], Thresholds.of(encoder, threshold))
    return quote, found
