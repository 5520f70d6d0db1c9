"""``quotes claims``: the claims of the store (its ``claims`` view, quotes/store/reader.py), one row each."""

from __future__ import annotations

import polars as pl


def claims_summary(claims: pl.LazyFrame) -> pl.LazyFrame:
    """One row per claim: its spread, where it appeared first and who repeated it."""
    return (
        claims.group_by("claim_id")
        .agg(
            pl.col("documents").first(), pl.col("outlets").first(), pl.col("languages").first(),
            pl.col("first_published").first(), pl.col("first_outlet").first(), pl.col("first_doc_id").first(),
            statement=pl.col("text").filter(pl.col("first")).first(),
            repeated_by=pl.col("outlet").filter(~pl.col("first")).unique().sort(),
            in_languages=pl.col("language").unique().sort(),
        )
        .sort(["documents", "outlets", "languages", "claim_id"], descending=[True, True, True, False])
    )
