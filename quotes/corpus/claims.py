"""Claims: statements that say the same thing, across documents, outlets and languages.

Two statements of different documents are linked when they say the same by trace's rule
(quotes/corpus/matching.py ``same_statement``: the cosine of a translation or close paraphrase, higher within
one language, texts of like length, and the verifier of quotes/corpus/verify.py finding no other
person, place, number, date or polarity, nor another speaker when both are quotes); a claim is a
connected group of linked statements. Each link is kept with why it was made (``claim_links``:
the neighbour, the cosine, the names and numbers that agree). The store keeps each statement's claim in
``claim_members`` (statement_id, claim_id) and updates it incrementally at the end of a run:
only statements that have no claim yet are searched (against every stored statement, so links to
older ones are found), and claims they join are merged (union-find; the claim's id is the
smallest statement id in it). A statement alone in its claim keeps a row too, so it is not
searched again. A kill between the two writes of an update only leaves statements without a
claim: the next update takes them up again.

Readers see the ``claims`` view: one row per live statement of a claim found in at least two
documents, with what the claim's statements share — documents, outlets, languages — and where it
appeared first (earliest publication; undated last).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from quotes.corpus.union_find import UnionFind

if TYPE_CHECKING:
    from quotes.store.writer import Store

BATCH = 512  # statements searched at once


def update_claims(store: "Store", encoder=None) -> dict[str, int]:
    """Give every statement that has none its claim, merging the claims it links. Returns how many
    statements were searched, how many links to other documents they have, and how many claims
    were merged into others."""
    from quotes.corpus.matching import Thresholds, Verifier, above_threshold, judged, mention_names
    from quotes.embed.encoders import load_encoder
    from quotes.embed.statements import as_matrix
    from quotes.store.statement_index import live_vectors, neighbours, statement_index

    encoder = encoder or load_encoder()
    tables = store.tables()
    members = store.scan("claim_members")
    vectors = (live_vectors(tables, encoder.name).select("statement_id", "doc_id", "language", "text", "quote_id", "vector")
               .join(members.select("statement_id"), on="statement_id", how="anti").collect())
    if vectors.is_empty():
        return {"searched": 0, "linked": 0, "merged": 0}
    new = vectors.drop("vector")
    index = statement_index(store, encoder.name)
    thresholds = Thresholds.of(encoder)
    edges = []
    k = min(64, len(index.vectors))
    for start in range(0, vectors.height, BATCH):
        part = vectors.slice(start, BATCH)
        found = neighbours(index, as_matrix(part["vector"].to_list()), k)
        edges.append(found.with_columns(statement_id=part["statement_id"].gather(found["query"])).drop("query"))
    # the stored statements the index searched (its rows are the live ones with a vector)
    where = index.statements.lazy().select(pl.col("statement_id").alias("neighbour"), pl.col("doc_id").alias("n_doc"),
                                           pl.col("language").alias("n_language"), pl.col("text").alias("n_text"),
                                           pl.col("quote_id").alias("n_quote_id"))
    candidates = above_threshold(pl.concat(edges).lazy().join(new.lazy(), on="statement_id").join(where, on="neighbour")
                                 .filter(pl.col("doc_id") != pl.col("n_doc")), thresholds,
                                 ("language", "n_language")).collect()
    quoted = (tables.quotes.select("quote_id", "speaker_name")
              .filter(pl.col("quote_id").is_in(pl.concat([candidates["quote_id"], candidates["n_quote_id"]])
                                               .drop_nulls().unique().to_list())).collect())
    candidates = (candidates.join(quoted.rename({"speaker_name": "speaker"}), on="quote_id", how="left")
                  .join(quoted.rename({"quote_id": "n_quote_id", "speaker_name": "n_speaker"}), on="n_quote_id", how="left"))
    verifier = Verifier().with_names(mention_names(tables.mentions, pl.concat([candidates["doc_id"], candidates["n_doc"]])
                                                   .unique().to_list())) if candidates.height else Verifier()
    links = (
        judged(candidates, verifier, ("language", "n_language"), ("text", "n_text"), ("speaker", "n_speaker"))
        .filter(pl.col("same"))
        .join(members.collect(), left_on="neighbour", right_on="statement_id", how="left")
        .select("statement_id", "neighbour", "claim_id", "score", "why")
    )
    groups: UnionFind[str] = UnionFind()  # claim and statement ids
    for statement in new["statement_id"]:
        groups.find(statement)
    touched: set[str] = set()
    for statement, neighbour, claim in links.select("statement_id", "neighbour", "claim_id").iter_rows():
        target = claim or neighbour  # a neighbour with a claim stands for its claim; a new one for itself
        if claim:
            touched.add(claim)
        groups.union(statement, target)
    relabel = {c: groups.find(c) for c in touched if groups.find(c) != c}
    moved = (members.filter(pl.col("claim_id").is_in(list(relabel))).collect() if relabel
             else pl.DataFrame(schema={"statement_id": pl.String, "claim_id": pl.String}))
    rows = pl.concat([
        new.select("statement_id").with_columns(claim_id=pl.col("statement_id").map_elements(
            groups.find, return_dtype=pl.String)),
        moved.with_columns(pl.col("claim_id").replace(relabel)),
    ])
    store.replace_claims(rows, sorted(relabel), links=links.select("statement_id", "neighbour", "score", "why"))
    return {"searched": new.height, "linked": links.height, "merged": len(relabel)}
