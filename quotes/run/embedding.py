"""``quotes embed``: vectors for the stored statements that have none of the current encoder, then
their claims (a run stored with --no-embed, or after `quotes config set encoder …`)."""

from __future__ import annotations

from typing import Callable

from quotes.embed.statements import Statement, embed_statements


def embed_missing(store, batch: int = 2_000, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Catch up: vectors for the stored statements that have none of the current encoder (stored with
    --no-embed, or by another encoder), reusing any stored vector of the same text; then the
    claims. Returns counts."""
    import polars as pl

    from quotes.corpus.claims import update_claims
    from quotes.embed.encoders import load_encoder

    encoder = load_encoder()
    todo = (store.tables().statements
            .filter((pl.col("encoder") != encoder.name) | pl.col("encoder").is_null() | pl.col("vector").is_null())
            .select("statement_id", "kind", "start", "end", "text", "quote_id", "text_hash").collect())
    known = store.known_vectors(encoder.name)
    encoded = 0
    for start in range(0, todo.height, batch):
        part = [Statement(vector=None, encoder=None, **row) for row in todo.slice(start, batch).iter_rows(named=True)]
        encoded += embed_statements(part, encoder, known)
        store.set_vectors(pl.DataFrame({"statement_id": [s.statement_id for s in part],
                                        "encoder": [s.encoder for s in part], "vector": [s.vector for s in part]},
                                       schema={"statement_id": pl.String, "encoder": pl.String, "vector": pl.Binary}))
        if progress:
            progress(len(part), todo.height)
    linked = update_claims(store, encoder)
    return {"statements": todo.height, "encoded": encoded, **linked}
