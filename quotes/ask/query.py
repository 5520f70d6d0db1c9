"""Questions to the store: quotes by speaker/outlet/source, who is quoted, and who cites whom.
All work on the LazyFrames of ``quotes.open_store``. (Where a statement travelled: quotes/ask/trace.py;
claims: quotes/ask/claims.py.)

Names of outlets and sources are the registry's canonical names, matched without regard to
case; a document whose outlet was not detected counts as outlet ``(unknown)`` (its document id
and path are in the evidence). Speakers match on a case-insensitive part of any alias of their
entity (quotes/corpus/entities.py: "Vladimir" finds the German "Wladimir Putin" too), or of the name
itself where the store has no entity for it yet.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl

from quotes.store.reader import UNKNOWN_OUTLET

if TYPE_CHECKING:
    from quotes.store.reader import Tables


def _lower_eq(column: str, value: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase() == value.strip().lower()


def _outlet_expr() -> pl.Expr:
    return pl.col("outlet").fill_null(UNKNOWN_OUTLET)


def left_out_by_date(quotes: pl.LazyFrame, since: datetime) -> tuple[int, int]:
    """(documents published before ``since``, documents with no date) among those ``quotes``
    come from: what a --since filter leaves out."""
    docs = quotes.select("doc_id", "published").unique("doc_id")
    row = docs.select(earlier=(pl.col("published") < since).sum(), undated=pl.col("published").is_null().sum())
    earlier, undated = row.collect().row(0)
    return int(earlier or 0), int(undated or 0)


def citing_documents(tables: "Tables", source: str, include_comments: bool = False) -> pl.LazyFrame:
    cites = tables.citations.filter(_lower_eq("source", source))
    if not include_comments:
        cites = cites.filter(~pl.col("in_comments"))
    return cites.select("doc_id").unique()


def query_quotes(tables: "Tables", *, speaker: str | None = None, outlet: str | None = None,
                 source: str | None = None, lang: str | None = None, since: date | datetime | str | None = None,
                 contains: str | None = None, include_comments: bool = False) -> pl.LazyFrame:
    """Quotes matching every filter given, in publication order (undated last)."""
    q = tables.quotes
    if not include_comments:
        q = q.filter(~pl.col("in_comments"))
    if speaker:
        q = speaker_matches(tables, q, speaker)
    if outlet:
        q = q.filter(_outlet_expr().str.to_lowercase() == outlet.strip().lower())
    if source:
        q = q.join(citing_documents(tables, source, include_comments), on="doc_id", how="semi")
    if lang:
        q = q.filter(pl.col("language") == lang.strip().lower())
    if since:
        from quotes.ingest.dates import as_utc

        q = q.filter(pl.col("published") >= as_utc(since))
    if contains:
        q = q.filter(pl.col("text").str.to_lowercase().str.contains(contains.lower(), literal=True))
    return q.sort("published", "doc_id", "start", nulls_last=True)


def speaker_matches(tables: "Tables", quotes: pl.LazyFrame, part: str) -> pl.LazyFrame:
    """Quotes whose speaker's entity has an alias containing ``part`` (any case), or whose speaker
    name does. The names linked to those entities are looked up first, so that the quotes are
    narrowed before their join with the entity links (a million links cost a second to join)."""
    needle = part.strip().lower()
    ids = (tables.entities.select("entity_id", "aliases").explode("aliases")
           .filter(pl.col("aliases").str.to_lowercase().str.contains(needle, literal=True))
           .select("entity_id").unique().collect()["entity_id"])
    linked = (tables.entity_links.filter(pl.col("entity_id").is_in(ids.implode()))
              .select("name").unique().collect()["name"])
    by_name = pl.col("speaker_name").str.to_lowercase().str.contains(needle, literal=True).fill_null(False)
    return (quotes.filter(by_name | pl.col("speaker_name").is_in(linked.implode()))
            .filter(by_name | pl.col("entity_id").is_in(ids.implode()).fill_null(False)))


def speakers(quotes: pl.LazyFrame, entities: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Who is quoted how often, and by whom (outlets), from a frame of quotes: one row per entity
    (``entity_id``, its ``name`` and ``aliases`` from ``entities``); a quote whose speaker has no
    entity yet counts under its name alone. Unresolved speakers (no name) are left out."""
    named = quotes.filter(pl.col("speaker_name").is_not_null())
    if "entity_id" not in named.collect_schema():
        named = named.with_columns(entity_id=pl.lit(None, dtype=pl.String))
    grouped = (
        named.with_columns(_key=pl.coalesce("entity_id", pl.lit("name:") + pl.col("speaker_name")))
        .group_by("_key")
        .agg(
            entity_id=pl.col("entity_id").first(),
            speaker=pl.col("speaker_name").mode().sort().first(),
            names=pl.col("speaker_name").unique().sort(),
            quotes=pl.len(),
            documents=pl.col("doc_id").n_unique(),
            outlets=_outlet_expr().unique().sort(),
            languages=pl.col("language").unique().sort(),
            roles=pl.col("speaker_role").drop_nulls().unique().sort(),
            first=pl.col("published").min(),
            last=pl.col("published").max(),
        )
    )
    if entities is not None:
        grouped = grouped.join(entities.select("entity_id", pl.col("name").alias("_name"), "aliases"),
                               on="entity_id", how="left")
    else:
        grouped = grouped.with_columns(_name=pl.lit(None, dtype=pl.String),
                                       aliases=pl.lit(None, dtype=pl.List(pl.String)))
    return (
        grouped.with_columns(name=pl.coalesce("_name", "speaker"), aliases=pl.coalesce("aliases", "names"))
        .select("entity_id", "name", "aliases", "quotes", "documents", "outlets", "languages", "roles", "first", "last")
        .sort(["quotes", "documents", "name"], descending=[True, True, False])
    )


def audit(tables: "Tables") -> pl.DataFrame:
    """Outlet × cited source: in how many documents the article cites it (``count``), in how many
    the reader comments do (``in_comments``), and the document ids as evidence."""
    cites = tables.citations.with_columns(outlet=_outlet_expr())
    return (
        cites.group_by("outlet", "source")
        .agg(
            count=pl.col("doc_id").filter(~pl.col("in_comments")).n_unique(),
            documents=pl.col("doc_id").unique().sort(),
            in_comments=pl.col("doc_id").filter(pl.col("in_comments")).n_unique(),
        )
        .select("outlet", "source", "count", "documents", "in_comments")
        .sort(["count", "in_comments", "outlet", "source"], descending=[True, True, False, False])
        .collect()
    )


def plot_audit(frame: pl.DataFrame, path, fmt: str | None = None):
    """A heat map of ``audit``: outlets down, sources across, article citations (+ comments); drawn
    into ``path``, a file name or a binary file (then ``fmt``: png, svg or pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outlets = sorted(frame["outlet"].unique().to_list())
    sources = sorted(frame["source"].unique().to_list())
    grid = [[0] * len(sources) for _ in outlets]
    notes = [[""] * len(sources) for _ in outlets]
    for row in frame.iter_rows(named=True):
        i, j = outlets.index(row["outlet"]), sources.index(row["source"])
        grid[i][j] = row["count"]
        notes[i][j] = str(row["count"]) + (f"\n+{row['in_comments']} in comments" if row["in_comments"] else "")
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * max(len(sources), 1), 1.2 + 0.6 * max(len(outlets), 1)))
    ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(sources)), sources, rotation=30, ha="right")
    ax.set_yticks(range(len(outlets)), outlets)
    top = max((max(r) for r in grid), default=0)
    for i, row in enumerate(notes):
        for j, note in enumerate(row):
            if note:
                dark = top and grid[i][j] > top / 2
                ax.text(j, i, note, ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xlabel("cited source")
    ax.set_ylabel("outlet")
    ax.set_title("Who cites whom (documents)")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format=fmt)
    plt.close(fig)
    return path
