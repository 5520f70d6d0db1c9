"""What an upgrade reads from stores written by older versions of quotes.

A store written before there were corpus entities had a per-document ``entities`` table and no
``mentions``: ``mentions_from_old_entities`` makes the mentions from it and from the stored
quotes and citations, so that the corpus layer can build the entities again.
"""

from __future__ import annotations

import polars as pl

from quotes.store.tables import SPECS, short_hash


def mentions_from_old_entities(store) -> pl.DataFrame:
    """The ``mentions`` rows of a store written before there were corpus entities: its speakers
    (from ``quotes``), cited sources (``citations``) and named entities (the old per-document
    ``entities`` table), each row with the write id of its document's version."""
    schema = SPECS["mentions"].schema
    doc = ["doc_id", "path", "language", "published", "outlet", "write_id"]
    quotes = (store.scan("quotes").filter(pl.col("speaker_name").is_not_null())
              .group_by(*doc, pl.col("speaker_name").alias("name"))
              .agg(entity_type=pl.col("speaker_entity_type").drop_nulls().first(),
                   roles=pl.col("speaker_role").drop_nulls().unique().sort(),
                   quoted=(~pl.col("in_comments")).sum().cast(pl.Int64),
                   quoted_in_comments=pl.col("in_comments").sum().cast(pl.Int64)))
    cites = (store.scan("citations").group_by(*doc, pl.col("source").alias("name"))
             .agg(surfaces=pl.col("mention").unique().sort(), cited=pl.len().cast(pl.Int64),
                  in_registry=pl.col("in_registry").fill_null(True).any()))
    named = (store.scan("entities").group_by(*doc, "name")
             .agg(entity_type=pl.col("entity_type").drop_nulls().first(),
                  roles=pl.col("role").drop_nulls().unique().sort(),
                  mentions=pl.col("mentions").sum().cast(pl.Int64)))
    rows = pl.concat([quotes, cites, named], how="diagonal_relaxed").collect()
    merged = (rows.group_by(*doc, "name", maintain_order=True)
              .agg(entity_type=pl.col("entity_type").drop_nulls().first(),
                   roles=pl.col("roles").list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort(),
                   surfaces=pl.col("surfaces").list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique().sort(),
                   mentions=pl.col("mentions").fill_null(0).sum(),
                   quoted=pl.col("quoted").fill_null(0).sum(),
                   quoted_in_comments=pl.col("quoted_in_comments").fill_null(0).sum(),
                   cited=pl.col("cited").fill_null(0).sum(),
                   in_registry=pl.col("in_registry").drop_nulls().first()))
    merged = merged.with_columns(
        mention_id=pl.struct("doc_id", "name").map_elements(lambda r: short_hash(r["doc_id"], r["name"]),
                                                            return_dtype=pl.String),
        surfaces=pl.concat_list("surfaces", "name").list.unique().list.sort())
    return merged.select([pl.col(c).cast(t) for c, t in schema.items()])
