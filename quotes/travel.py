"""Statements that travelled: stored quotes grouped across documents, until claims exist.

Two quotes in different documents carry the same statement when their normalised text is the
same (lower case, letters and digits only) or when their bags of content-word lemmas (stored per
quote at write time, as ``quotes trace`` uses them) are near: Dice overlap at least
``threshold`` with at least ``MIN_SHARED`` lemmas in common, in the same language. Groups are
the connected components of those pairs (single linkage, so a chain of near pairs is one group).

Candidate pairs come from a self-join on lemmas, so its size is bounded: only lemmas in at most
``DF_CAP`` quotes join, and the cap shrinks until the pairs it can make fit in ``PAIR_BUDGET``
(a very common lemma says little about which statement a quote carries). A statement copied
into more documents than the cap is still found by its identical text.
"""

from __future__ import annotations

import polars as pl

DEFAULT_THRESHOLD = 0.6
MIN_SHARED = 3
DF_CAP = 200
PAIR_BUDGET = 20_000_000
MIN_WORDS = 4  # shorter quotes ('Putin', 'nach Nordkorea zu kommen') say too little to trace


def normalised_text(column: str = "text") -> pl.Expr:
    return (pl.col(column).str.to_lowercase().str.replace_all(r"[^\w]+", " ")
            .str.replace_all(r"_", " ").str.strip_chars())


def _union_find(n: int, pairs) -> list[int]:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(i) for i in range(n)]


def _df_cap(exploded: pl.DataFrame) -> int:
    """The largest lemma frequency (≤ DF_CAP) whose self-join stays within PAIR_BUDGET pairs."""
    freq = exploded.group_by("language", "lemma").agg(n=pl.len())
    cap = DF_CAP
    while cap > 2 and freq.filter(pl.col("n") <= cap).select((pl.col("n") ** 2).sum()).item() > PAIR_BUDGET:
        cap //= 2
    return cap


def near_pairs(quotes: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """(i, j) row numbers of quotes in different documents whose lemma bags are near."""
    bags = quotes.select("i", "doc_id", "language", pl.col("lemmas").list.unique().alias("lemma"))
    bags = bags.with_columns(size=pl.col("lemma").list.len()).filter(pl.col("size") >= MIN_SHARED)
    exploded = bags.explode("lemma")
    if exploded.is_empty():
        return pl.DataFrame(schema={"i": pl.UInt32, "j": pl.UInt32})
    cap = _df_cap(exploded)
    keep = exploded.group_by("language", "lemma").agg(n=pl.len()).filter(pl.col("n").is_between(2, cap))
    exploded = exploded.join(keep.select("language", "lemma"), on=["language", "lemma"], how="semi")
    right = exploded.select(j="i", doc_j="doc_id", language="language", lemma="lemma", size_j="size")
    return (
        exploded.join(right, on=["language", "lemma"])
        .filter((pl.col("i") < pl.col("j")) & (pl.col("doc_id") != pl.col("doc_j")))
        .group_by("i", "j").agg(shared=pl.len(), size=pl.col("size").first(), size_j=pl.col("size_j").first())
        .filter((pl.col("shared") >= MIN_SHARED)
                & (2 * pl.col("shared") / (pl.col("size") + pl.col("size_j")) >= threshold))
        .select("i", "j")
    )


def travelled_groups(quotes: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """``quotes`` (columns quote_id, doc_id, language, text, lemmas, …) with a ``group`` column,
    only the groups that reach two or more documents."""
    if quotes.is_empty():
        return quotes.with_columns(group=pl.lit(None, dtype=pl.UInt32)).clear()
    q = quotes.with_row_index("i").with_columns(key=normalised_text())
    same_text = (
        q.filter(pl.col("key").str.count_matches(r"\S+") >= MIN_WORDS)
        .group_by("language", "key").agg(i=pl.col("i"))
        .filter(pl.col("i").list.len() > 1)
        .select(a=pl.col("i").list.first(), b=pl.col("i")).explode("b")
    )
    wordy = q.filter(pl.col("key").str.count_matches(r"\S+") >= MIN_WORDS)
    pairs = list(same_text.iter_rows()) + list(near_pairs(wordy, threshold).iter_rows())
    roots = _union_find(q.height, pairs)
    grouped = q.with_columns(group=pl.Series(roots, dtype=pl.UInt32))
    reach = grouped.group_by("group").agg(docs=pl.col("doc_id").n_unique())
    keep = reach.filter(pl.col("docs") > 1).select("group")
    return grouped.join(keep, on="group", how="semi").drop("i", "key")
