"""Where a statement travelled: the stored statements (sentences and quotes, quotes/embed/statements.py)
that say the same thing, in any language, found by their vectors.

A statement (a text in any language, or a stored quote) is encoded with the store's encoder and
compared, by cosine, with every stored statement vector (the store's statement index,
quotes/store/statement_index.py). A stored statement matches when it says the same by the rule
claims use too (quotes/corpus/matching.py): the cosine reaches the threshold, then the verifier
(quotes/corpus/verify.py) finds no difference in names, numbers, dates, polarity; ``threshold``
overrides both cosines. Each document is represented by its best statement, with ``why`` it matched
(what agrees). The pairs above the threshold that the verifier vetoed are the **near misses**:
statements on the same story that say something else, labelled by what differs (``differs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import polars as pl

from quotes.corpus.matching import Thresholds, Verifier, above_threshold, judged, mention_names
from quotes.errors import QuotesError
from quotes.store.reader import UNKNOWN_OUTLET
from quotes.store.statement_index import StatementIndex, live_vectors, neighbours, statement_index

if TYPE_CHECKING:
    from quotes.store.reader import StoreReader, Tables

MAX_CHARS = 2_000  # a statement is a sentence or a quote: a longer text is an article, not a statement
NEIGHBOURS = 200  # stored statements looked at per statement (matches are those above the threshold)


class TraceError(QuotesError):
    """A statement that cannot be traced as given, or a store that cannot be searched yet."""


def trace_thresholds(encoder, threshold: float | None = None) -> Thresholds:
    """The encoder's thresholds, or ``threshold`` for both (a cosine in (0, 1])."""
    if threshold is None:
        return Thresholds.of(encoder)
    if not 0.0 < threshold <= 1.0:
        raise TraceError(f"--threshold must be a cosine above 0 and at most 1, not {threshold}")
    return Thresholds(threshold, threshold)


def check_embedded(store: "StoreReader", index: StatementIndex, encoder: str) -> None:
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
    from quotes.ingest.language import identify_language

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
          thresholds: Thresholds, verifier: Verifier | None = None) -> list[pl.DataFrame]:
    """For each query (vector, text, language): the documents holding a statement that says the
    same, one row each (its best statement), best first."""
    return [found for found, _ in match_and_near_misses(tables, index, vectors, texts, languages, thresholds, verifier)]


def match_and_near_misses(tables: "Tables", index: StatementIndex, vectors, texts: Sequence[str],
                          languages: Sequence[str | None], thresholds: Thresholds,
                          verifier: Verifier | None = None) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """For each query: (its matches, as ``match`` gives them; its near misses: the statements
    above the threshold that the verifier vetoed, best first, with ``differs``)."""
    hits = neighbours(index, vectors, min(NEIGHBOURS, max(1, len(index.vectors)))).rename(
        {"neighbour": "statement_id"})
    hits = hits.join(pl.DataFrame({"query": range(len(languages)), "query_language": list(languages),
                                   "query_text": list(texts)},
                                  schema={"query": pl.Int64, "query_language": pl.String, "query_text": pl.String}),
                     on="query")
    above = above_threshold(hits.lazy().join(index.statements.lazy(), on="statement_id"), thresholds,
                            ("language", "query_language")).collect()
    verifier = verifier or Verifier()
    if verifier.signals is not None and above.height:  # the names the candidates' documents mention
        verifier = verifier.with_names(mention_names(tables.mentions, above["doc_id"].unique().to_list()))
    above = judged(above, verifier, ("query_language", "language"), ("query_text", "text"))
    found = (above.filter(pl.col("same")).sort(["query", "score"], descending=[False, True])
             .unique(["query", "doc_id"], keep="first", maintain_order=True))
    missed = (above.filter(~pl.col("same"), pl.col("differs").list.len() > 0)
              .sort(["query", "score"], descending=[False, True])
              .unique(["query", "doc_id"], keep="first", maintain_order=True))
    shown = pl.concat([found, missed])
    speakers = tables.quotes.filter(pl.col("quote_id").is_in(shown["quote_id"].drop_nulls().unique().to_list())).select(
        "quote_id", speaker=pl.col("speaker_name"))
    sources = (tables.citations.filter(pl.col("doc_id").is_in(shown["doc_id"].unique().to_list()), ~pl.col("in_comments"))
               .group_by("doc_id").agg(sources=pl.col("source").unique().sort()))

    def rows(frame: pl.DataFrame, *extra: str) -> pl.DataFrame:
        return (
            frame.lazy().join(speakers, on="quote_id", how="left").join(sources, on="doc_id", how="left")
            .select("query", "doc_id", pl.col("score").round(3), "published", pl.col("outlet").fill_null(UNKNOWN_OUTLET),
                    "language", "kind", "speaker", pl.col("text").alias("statement"), pl.col("sources").fill_null([]),
                    "statement_id", *extra)
            .sort(["query", "score"], descending=[False, True])
            .collect()
        )

    out, near = rows(found, "why"), rows(missed, "differs")
    return [(out.filter(pl.col("query") == i).drop("query"), near.filter(pl.col("query") == i).drop("query"))
            for i in range(len(languages))]


def in_publication_order(matches: pl.DataFrame) -> pl.DataFrame:
    """The matches as a trace reads: earliest first (undated last), the first marked as such."""
    ordered = matches.sort(["published", "doc_id"], nulls_last=True)
    return ordered.with_columns(
        appeared=pl.Series(["first" if i == 0 else "repeated" for i in range(ordered.height)], dtype=pl.String)
    ).select("appeared", *[c for c in ordered.columns])


def trace_texts(store: "StoreReader", texts: Sequence[str], *, lang: str | None = None,
                threshold: float | None = None, verifier: Verifier | None = None) -> list[pl.DataFrame]:
    """Where each statement (any language) appeared: its matches, best first."""
    return [found for found, _ in trace_with_near_misses(store, texts, lang=lang, threshold=threshold,
                                                         verifier=verifier)]


def trace_with_near_misses(store: "StoreReader", texts: Sequence[str], *, lang: str | None = None,
                           threshold: float | None = None,
                           verifier: Verifier | None = None) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """For each statement: (its matches, best first; its near misses: statements on the same
    story that the verifier found to say something else, with what differs)."""
    from quotes.embed.encoders import STATEMENT_KIND, load_encoder

    texts = [check_statement(t) for t in texts]
    encoder = load_encoder()
    index = statement_index(store, encoder.name)
    check_embedded(store, index, encoder.name)
    vectors = encoder.encode(texts, STATEMENT_KIND)
    return match_and_near_misses(store.tables(), index, vectors, texts, _query_languages(texts, lang),
                                 trace_thresholds(encoder, threshold), verifier)


def trace_quote(store: "StoreReader", quote_id: str, *, threshold: float | None = None) -> tuple[dict, pl.DataFrame]:
    """(the stored quote, the documents that carry what it says, its own among them): a trace from
    a stored quote."""
    from quotes.embed.encoders import STATEMENT_KIND, load_encoder
    from quotes.embed.statements import as_matrix

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
    (found,) = match(tables, index, vectors, [quote["text"]], [quote["language"]], trace_thresholds(encoder, threshold))
    return quote, found
