"""Questions to the store: quotes by speaker/outlet/source, who is quoted, who cites whom, and
where a statement travelled. All work on the LazyFrames of ``quotes.open_store``.

Names of outlets and sources are the registry's canonical names, matched without regard to
case; a document whose outlet was not detected counts as outlet ``(unknown)`` (its document id
and path are in the evidence). Speakers match on a case-insensitive part of the name.

``trace`` compares bags of content-word lemmas stored per quote at write time (so it never
re-parses the store): a quote is near the statement when the F1 of their lemma overlap (the
statement's side weighted by how rare each lemma is in the store) reaches the threshold; the
same speaker (surname) adds a bonus. Lemmas make it robust to word order and inflection
within a language; it does not cross languages or know synonyms.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl

from .reader import UNKNOWN_OUTLET

if TYPE_CHECKING:
    from .reader import Tables

SPEAKER_BONUS = 0.15
DEFAULT_THRESHOLD = 0.5


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
        q = q.filter(pl.col("speaker_name").str.to_lowercase().str.contains(speaker.strip().lower(), literal=True))
    if outlet:
        q = q.filter(_outlet_expr().str.to_lowercase() == outlet.strip().lower())
    if source:
        q = q.join(citing_documents(tables, source, include_comments), on="doc_id", how="semi")
    if lang:
        q = q.filter(pl.col("language") == lang.strip().lower())
    if since:
        from .dates import as_utc

        q = q.filter(pl.col("published") >= as_utc(since))
    if contains:
        q = q.filter(pl.col("text").str.to_lowercase().str.contains(contains.lower(), literal=True))
    return q.sort("published", "doc_id", "start", nulls_last=True)


def speakers(quotes: pl.LazyFrame) -> pl.LazyFrame:
    """Who is quoted how often, and by whom (outlets), from a frame of quotes."""
    return (
        quotes.filter(pl.col("speaker_name").is_not_null())
        .group_by("speaker_name")
        .agg(
            quotes=pl.len(),
            documents=pl.col("doc_id").n_unique(),
            outlets=_outlet_expr().unique().sort(),
            languages=pl.col("language").unique().sort(),
            roles=pl.col("speaker_role").drop_nulls().unique().sort(),
            first=pl.col("published").min(),
            last=pl.col("published").max(),
        )
        .rename({"speaker_name": "speaker"})
        .sort(["quotes", "documents", "speaker"], descending=[True, True, False])
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


def plot_audit(frame: pl.DataFrame, path: str) -> str:
    """A heat map of ``audit``: outlets down, sources across, article citations (+ comments)."""
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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


# --- trace ---------------------------------------------------------------------------------------


def text_statement(text: str, lang: str | None = None) -> tuple[list[str], str]:
    """(lemma bag, language) of a statement given as text: parsed once with stanza."""
    from .corpus import lemma_bag
    from .language import identify_language
    from .lexicon import supported_languages
    from .parse import parse_document

    lang = lang or identify_language(text, supported_languages())[0]
    return lemma_bag(parse_document(text, lang), 0, len(text)), lang


def find_anchor(tables: "Tables", *, text: str | None = None, quote_id: str | None = None) -> dict | None:
    """The stored quote a trace starts from: by id, or the earliest quote containing ``text``."""
    q = tables.quotes
    if quote_id:
        rows = q.filter(pl.col("quote_id") == quote_id)
    else:
        needle = " ".join((text or "").split()).lower()
        rows = q.filter(pl.col("text").str.replace_all(r"\s+", " ").str.to_lowercase().str.contains(needle, literal=True))
    rows = rows.sort("published", "doc_id", nulls_last=True).head(1).collect()
    return rows.row(0, named=True) if rows.height else None


def trace(tables: "Tables", lemmas: list[str], lang: str, speaker_key: str | None = None,
          threshold: float = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """Documents carrying the statement (its lemma bag, in ``lang``), best quote per document,
    in publication order: the first row is where it appeared first."""
    bag = sorted(set(lemmas))
    columns = ["appeared", "published", "doc_id", "outlet", "language", "speaker", "score", "quote", "sources",
               "quote_id"]
    if not bag:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    quotes = tables.quotes.filter(pl.col("language") == lang)
    total = quotes.select(pl.len()).collect().item()
    words = quotes.select("quote_id", lemma=pl.col("lemmas")).explode("lemma").filter(pl.col("lemma").is_in(bag))
    freq = dict(words.group_by("lemma").agg(n=pl.len()).collect().iter_rows())
    weight = {w: math.log((total + 1) / (freq.get(w, 0) + 0.5)) for w in bag}
    weights = pl.LazyFrame({"lemma": list(weight), "w": list(weight.values())})
    shared = words.join(weights, on="lemma").group_by("quote_id").agg(shared_w=pl.col("w").sum(), shared_n=pl.len())
    query_w = sum(weight.values())
    cover_query = pl.col("shared_w") / query_w
    cover_quote = pl.col("shared_n") / pl.col("lemmas").list.len()
    f1 = 2 * cover_query * cover_quote / (cover_query + cover_quote)
    same_speaker = (pl.col("speaker_key") == speaker_key).fill_null(False) if speaker_key else pl.lit(False)
    scored = (
        quotes.join(shared, on="quote_id")
        .filter(pl.col("shared_n") >= min(2, len(bag)))
        .with_columns(score=pl.min_horizontal(f1 + pl.when(same_speaker).then(SPEAKER_BONUS).otherwise(0.0), 1.0))
        .filter(pl.col("score") >= threshold)
        .sort("score", descending=True)
        .unique("doc_id", keep="first")
    )
    sources = (tables.citations.filter(~pl.col("in_comments")).group_by("doc_id")
               .agg(sources=pl.col("source").unique().sort()))
    out = (
        scored.join(sources, on="doc_id", how="left")
        .sort("published", "doc_id", nulls_last=True)
        .select(
            pl.col("published"), pl.col("doc_id"), _outlet_expr().alias("outlet"), pl.col("language"),
            pl.col("speaker_name").alias("speaker"), pl.col("score").round(3), pl.col("text").alias("quote"),
            pl.col("sources").fill_null([]), pl.col("quote_id"),
        )
        .collect()
    )
    appeared = ["first" if i == 0 else "repeated" for i in range(out.height)]
    return out.with_columns(appeared=pl.Series(appeared, dtype=pl.String)).select(columns)
