"""What the HTML report shows, computed from the store's tables as plain Python data.

One function per section; none of them makes HTML (quotes/report/html.py does). Quotes and
citations in reader comments are kept apart throughout: an outlet cites or quotes what its
articles do; what its commenters post is shown beside, never added in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import polars as pl

from quotes.ask import query as ask
from quotes.store.reader import UNKNOWN_OUTLET
from quotes.store.writer import Store

if TYPE_CHECKING:
    from quotes.store.reader import Tables

MAX_QUOTES = 50_000  # quotes the browser holds (the most recent); the rest are one export away
TOP_SPEAKERS = 25
TOP_CLAIMS = 20
UNNAMED = ("PRON", "NOUN")


def existing_tables(uri: str | os.PathLike | None) -> "Tables":
    """The store's tables; a StoreError (one line for a person) when it is missing, not a store,
    or of an older layout."""
    store = Store(uri)
    store.check_readable()
    return store.tables()


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _outlet(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(outlet=pl.col("outlet").fill_null(UNKNOWN_OUTLET))


# --- who cites whom ------------------------------------------------------------------------------


def citation_edges(tables: "Tables") -> list[dict]:
    """Outlet → cited source: documents citing it in the article, and in reader comments."""
    return [
        {"outlet": r["outlet"], "source": r["source"], "documents": r["count"], "comments": r["in_comments"],
         "doc_ids": r["documents"]}
        for r in ask.audit(tables).iter_rows(named=True)
    ]


def outlet_shares(tables: "Tables", edges: list[dict]) -> list[dict]:
    """Per outlet: its documents, how many cite a source in the article, and each source's share of
    the outlet's (document, source) citations; sources cited only in comments listed apart."""
    docs = dict(_outlet(tables.documents).group_by("outlet").agg(n=pl.len()).collect().iter_rows())
    citing = dict(
        _outlet(tables.citations).filter(~pl.col("in_comments")).group_by("outlet")
        .agg(n=pl.col("doc_id").n_unique()).collect().iter_rows()
    )
    out: dict[str, dict] = {}
    for e in edges:
        row = out.setdefault(e["outlet"], {"outlet": e["outlet"], "documents": docs.get(e["outlet"], 0),
                                           "citing": citing.get(e["outlet"], 0), "shares": [], "comments": []})
        if e["documents"]:
            row["shares"].append({"source": e["source"], "documents": e["documents"]})
        if e["comments"]:
            row["comments"].append({"source": e["source"], "documents": e["comments"]})
    for row in out.values():
        total = sum(s["documents"] for s in row["shares"])
        for s in row["shares"]:
            s["share"] = s["documents"] / total
        row["shares"].sort(key=lambda s: (-s["documents"], s["source"]))
    return sorted(out.values(), key=lambda r: (-r["citing"], -len(r["comments"]), r["outlet"]))


# --- who is quoted -------------------------------------------------------------------------------


def _named_quotes(tables: "Tables") -> pl.LazyFrame:
    """Article quotes whose speaker is named (a person, an organisation, or of unknown type) at
    least once in the store: a role noun ('eine Korrespondentin') or a pronoun alone is no one to
    rank. ``who`` is the speaker's entity name (every spelling of one person counts for them), or
    the name itself where the store has no entity for it."""
    quotes = ask.query_quotes(tables)
    unnamed = pl.col("speaker_entity_type").is_in(UNNAMED).fill_null(False)
    named = quotes.filter(~unnamed).select("speaker_name").unique()
    entities = tables.entities.select("entity_id", pl.col("name").alias("entity_name"))
    return _outlet(quotes.join(named, on="speaker_name", how="semi").join(entities, on="entity_id", how="left")
                   .with_columns(who=pl.coalesce("entity_name", "speaker_name")))


def top_speakers(tables: "Tables", limit: int = TOP_SPEAKERS) -> list[dict]:
    frame = ask.speakers(_named_quotes(tables), tables.entities).head(limit).collect()
    return [{**r, "speaker": r["name"], "first": _date(r["first"]), "last": _date(r["last"])}
            for r in frame.iter_rows(named=True)]


def speakers_by_outlet(tables: "Tables", outlets: int = 12, per_outlet: int = 5) -> list[dict]:
    counts = _named_quotes(tables).group_by("outlet", "who").agg(n=pl.len()).collect()
    totals = counts.group_by("outlet").agg(n=pl.col("n").sum()).sort(["n", "outlet"], descending=[True, False])
    out = []
    for outlet, total in totals.head(outlets).iter_rows():
        top = counts.filter(pl.col("outlet") == outlet).sort(["n", "who"], descending=[True, False])
        out.append({"outlet": outlet, "quotes": total,
                    "speakers": [{"speaker": s, "quotes": n} for _, s, n in top.head(per_outlet).iter_rows()]})
    return out


def speakers_by_month(tables: "Tables", speakers: int = 10, months: int = 36) -> dict:
    """Quotes per month (by publication date) of the most quoted named speakers; the last
    ``months`` months that have any dated quote. Undated quotes are counted apart."""
    quotes = _named_quotes(tables)
    top = [r["speaker"] for r in top_speakers(tables, speakers)]
    dated = (quotes.filter(pl.col("who").is_in(top) & pl.col("published").is_not_null())
             .with_columns(month=pl.col("published").dt.strftime("%Y-%m"))
             .group_by("who", "month").agg(n=pl.len()).collect())
    undated = dict(quotes.filter(pl.col("who").is_in(top) & pl.col("published").is_null())
                   .group_by("who").agg(n=pl.len()).collect().iter_rows())
    if dated.is_empty():
        return {"months": [], "rows": [], "undated": undated}
    first, last = min(dated["month"]), max(dated["month"])
    span = _month_range(first, last)[-months:]
    cells = {(s, m): n for s, m, n in dated.iter_rows()}
    rows = [{"speaker": s, "counts": [cells.get((s, m), 0) for m in span], "undated": undated.get(s, 0)}
            for s in top]
    return {"months": span, "rows": rows, "undated": undated}


def _month_range(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# --- claims --------------------------------------------------------------------------------------


def travelled_claims(tables: "Tables", limit: int = TOP_CLAIMS) -> dict:
    """The claims that travelled furthest (documents, then outlets, then languages), each with its
    first appearance and its timeline (one appearance per document, in publication order): the
    store's ``claims`` (quotes/corpus/claims.py), statements that say the same across documents and
    languages, a quote's speaker with it."""
    speakers = tables.quotes.select("quote_id", "speaker_name")
    members = (tables.claims.join(speakers, on="quote_id", how="left")
               .select("claim_id", "doc_id", "language", "published", "outlet", "speaker_name", "text").collect())
    ranked = []
    for _, group in members.group_by("claim_id"):
        per_doc = group.sort("published", "doc_id", nulls_last=True).unique("doc_id", keep="first",
                                                                              maintain_order=True)
        first = per_doc.row(0, named=True)
        outlets, languages = sorted(set(per_doc["outlet"])), sorted(set(per_doc["language"].drop_nulls()))
        order = (-per_doc.height, -len(outlets), -len(languages), _date(first["published"]) or "9999", first["text"])
        ranked.append((order, per_doc, first, outlets, languages, group.height))
    ranked.sort(key=lambda r: r[0])
    claims = [{  # the timelines of the claims shown only
        "text": first["text"],
        "speaker": first["speaker_name"],
        "documents": per_doc.height,
        "outlets": outlets,
        "languages": languages,
        "quotes": quotes,
        "first": {"date": _date(first["published"]), "outlet": first["outlet"], "doc_id": first["doc_id"]},
        "timeline": [{"date": _date(r["published"]), "outlet": r["outlet"], "doc_id": r["doc_id"],
                      "language": r["language"], "speaker": r["speaker_name"], "text": r["text"]}
                     for r in per_doc.iter_rows(named=True)],
    } for _, per_doc, first, outlets, languages, quotes in ranked[:limit]]
    return {"source": "claims", "total": len(ranked), "claims": claims}


# --- the quote browser ---------------------------------------------------------------------------

DOC_FIELDS = ("doc_id", "title", "outlet", "outlet_evidence", "language", "date", "path", "n_quotes", "citations",
              "context")
QUOTE_FIELDS = ("doc", "speaker", "role", "kind", "in_comments", "text", "before", "after", "cue", "confidence")


def browser(tables: "Tables", max_quotes: int = MAX_QUOTES, extra_docs: set[str] = frozenset()) -> dict:
    """The quotes (the ``max_quotes`` most recent, undated last; article and comments) and their
    documents as compact rows (``doc_fields``/``quote_fields`` name the columns), each quote with
    the rest of its sentence where its input file is still there (quotes/report/context.py)."""
    from quotes.report.context import document_texts, sentence_around

    total = tables.quotes.select(pl.len()).collect().item()
    quotes = (_outlet(tables.quotes).sort("published", "doc_id", "start", descending=[True, False, False],
                                          nulls_last=True)
              .head(max_quotes)
              .select("doc_id", "speaker_name", "speaker_role", "kind", "in_comments", "text", "start", "end",
                      "cue_text", "confidence")
              .collect())
    wanted = set(quotes["doc_id"]) | set(extra_docs)
    docs = _outlet(tables.documents).filter(pl.col("doc_id").is_in(list(wanted))).sort("doc_id").collect()
    cites: dict[str, list] = {}
    for r in (tables.citations.filter(pl.col("doc_id").is_in(list(wanted))).sort("doc_id", "start")
              .select("doc_id", "source", "kind", "mention", "in_comments").collect().iter_rows()):
        cites.setdefault(r[0], []).append([r[1], r[2], r[3], int(r[4])])
    texts = document_texts(docs.select("doc_id", "path", "content_hash").iter_rows(named=True))
    index = {d: i for i, d in enumerate(docs["doc_id"])}
    doc_rows = [[d["doc_id"], d["title"] or "", d["outlet"], d["outlet_evidence"] or "", d["language"] or "",
                 _date(d["published"]), d["path"], d["n_quotes"], cites.get(d["doc_id"], []),
                 int(d["doc_id"] in texts)]
                for d in docs.iter_rows(named=True)]
    rows = []
    for q in quotes.iter_rows(named=True):
        if q["doc_id"] not in index:  # a quote whose document row is missing (a write half done)
            continue
        text = texts.get(q["doc_id"])
        before, after = sentence_around(text, q["start"], q["end"]) if text else ("", "")
        rows.append([index[q["doc_id"]], q["speaker_name"] or "", q["speaker_role"] or "", q["kind"],
                     int(q["in_comments"]), q["text"], before, after, q["cue_text"] or "",
                     round(q["confidence"], 2)])
    return {"doc_fields": DOC_FIELDS, "docs": doc_rows, "quote_fields": QUOTE_FIELDS, "quotes": rows,
            "total_quotes": total}


# --- failures and the whole ----------------------------------------------------------------------


def failures(tables: "Tables") -> list[dict]:
    frame = tables.failures.sort("processed_at", "doc_id", descending=[True, False], nulls_last=True).collect()
    return [{"doc_id": r["doc_id"], "path": r["path"], "stage": r["stage"], "error": r["error"],
             "when": r["processed_at"].isoformat(timespec="seconds") if r["processed_at"] else ""}
            for r in frame.iter_rows(named=True)]


def overview(tables: "Tables") -> dict[str, Any]:
    docs = tables.documents.select(
        documents=pl.len(), outlets=pl.col("outlet").n_unique(),
        languages=pl.col("language").drop_nulls().unique().sort().implode(),
        first=pl.col("published").min(), last=pl.col("published").max()).collect().row(0, named=True)
    count = {name: tables[name].select(pl.len()).collect().item() for name in ("quotes", "citations", "failures")}
    return {**count, "documents": docs["documents"], "outlets": docs["outlets"],
            "languages": docs["languages"] or [], "first": _date(docs["first"]), "last": _date(docs["last"])}


@dataclass
class ReportData:
    store: str
    generated: str
    overview: dict
    edges: list[dict]
    shares: list[dict]
    speakers: list[dict]
    by_outlet: list[dict]
    by_month: dict
    claims: dict
    failures: list[dict]
    browser: dict = field(default_factory=dict)


def collect(tables: "Tables", max_quotes: int = MAX_QUOTES) -> ReportData:
    """Every section's data, from one snapshot of the tables."""
    edges = citation_edges(tables)
    claims = travelled_claims(tables)
    linked = {d for e in edges for d in e["doc_ids"]} | {t["doc_id"] for c in claims["claims"] for t in c["timeline"]}
    return ReportData(
        store=tables.store.uri,
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        overview=overview(tables),
        edges=edges,
        shares=outlet_shares(tables, edges),
        speakers=top_speakers(tables),
        by_outlet=speakers_by_outlet(tables),
        by_month=speakers_by_month(tables),
        claims=claims,
        failures=failures(tables),
        browser=browser(tables, max_quotes, linked),
    )
