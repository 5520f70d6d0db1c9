"""Cross-lingual trace on parallel news: does a translated statement find its document, and does a
statement with no counterpart find nothing?

    flock /tmp/quotes-heavy.lock env PYTHONPATH=$PWD .venv/bin/python benchmarks/encoder_threshold.py \
        ../shared/data/pud-de-en/dev.jsonl --nb gold/trace/pud_de_nb.jsonl

Input: a PUD-shaped file, one document a line, ``{doc_id, sentences: [{sent_id, de, en}]}``, and
optionally a file of Norwegian renderings ``{doc_id, sent_id, de, nb}`` of some of its sentences.

The simulated store holds German statements only:

- documents are split in two (``--split alternate``: every other document, so both halves mix
  news and Wikipedia; ``--split first-half``: the first half of the file). The second half is held
  apart: nothing of it is stored.
- of a stored document with two or more sentences, every other sentence is stored (positions
  0, 2, 4, ...) and the rest are withheld. A withheld sentence has no counterpart in the store,
  but its own document's other sentences (same story, same names) are there: the hardest kind of
  topic neighbour. A one-sentence stored document is stored whole.

Queries, in English and (when given) Norwegian, plus the German originals of sentences that have
no counterpart (a same-language topic neighbour scores higher than a cross-language one):

- positive: the rendering of a stored sentence. Right when the best match scores >= the threshold
  and belongs to the query's document ("right document first"); the exact sentence is reported too.
- negative, same document: the rendering of a withheld sentence of a stored document.
- negative, other document: the rendering of a sentence of a held-apart document.
  A negative is right when nothing scores >= the threshold ("no match").

The table sweeps the threshold; the chosen one is the middle of the widest run of thresholds at
which every English and Norwegian figure is >= the target (--target, 0.95). With ``--kinds`` it
first compares the e5 prefixes (query/query, passage/passage, query against passage).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import numpy as np


@dataclass
class Query:
    lang: str
    text: str
    doc_id: str
    sent_id: str
    kind: str  # "positive", "same-doc", "other-doc"


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_docs(docs: list[dict], how: str) -> tuple[set[str], set[str]]:
    if how == "alternate":
        stored = {d["doc_id"] for i, d in enumerate(docs) if i % 2 == 0}
    else:
        stored = {d["doc_id"] for d in docs[: (len(docs) + 1) // 2]}
    return stored, {d["doc_id"] for d in docs} - stored


def build_sets(docs: list[dict], nb_rows: list[dict], how: str):
    stored_docs, _ = split_docs(docs, how)
    store: list[tuple[str, str, str]] = []  # (sent_id, doc_id, German text)
    status: dict[str, str] = {}             # sent_id -> positive / same-doc / other-doc
    for d in docs:
        sents = d["sentences"]
        for pos, s in enumerate(sents):
            if d["doc_id"] not in stored_docs:
                status[s["sent_id"]] = "other-doc"
            elif len(sents) == 1 or pos % 2 == 0:
                status[s["sent_id"]] = "positive"
                store.append((s["sent_id"], d["doc_id"], s["de"]))
            else:
                status[s["sent_id"]] = "same-doc"
    queries: list[Query] = []
    for d in docs:
        for s in d["sentences"]:
            queries.append(Query("en", s["en"], d["doc_id"], s["sent_id"], status[s["sent_id"]]))
            if status[s["sent_id"]] != "positive":
                queries.append(Query("de", s["de"], d["doc_id"], s["sent_id"], status[s["sent_id"]]))
    known = {s["sent_id"]: d["doc_id"] for d in docs for s in d["sentences"]}
    for r in nb_rows:
        if r["sent_id"] not in known:
            raise SystemExit(f"Norwegian row {r['sent_id']} is not in the PUD file")
        queries.append(Query("nb", r["nb"], r["doc_id"], r["sent_id"], status[r["sent_id"]]))
    return store, queries


def best_matches(encoder, store, queries, store_kind: str, query_kind: str, cache: dict):
    from quotes.embed.vector_index import VectorIndex

    def enc(texts, kind):
        missing = [t for t in dict.fromkeys(texts) if (t, kind) not in cache]
        if missing:
            for t, v in zip(missing, encoder.encode(missing, kind)):
                cache[(t, kind)] = v
        return np.stack([cache[(t, kind)] for t in texts]) if texts else np.empty((0, encoder.dim), np.float32)

    index = VectorIndex.build(np.array([s[0] for s in store]), enc([s[2] for s in store], store_kind),
                              encoder=encoder.name)
    doc_of = {s[0]: s[1] for s in store}
    ids, scores = index.search(enc([q.text for q in queries], query_kind), k=1)
    return [(doc_of[i[0]], i[0], float(sc[0])) for i, sc in zip(ids, scores)]


def rates(queries, matches, threshold: float) -> dict[tuple[str, str], tuple[int, int]]:
    """(lang, kind) -> (right, total); for positives 'right' = right document first."""
    out: dict[tuple[str, str], list[int]] = {}
    for q, (doc, sent, score) in zip(queries, matches):
        if q.kind == "positive":
            ok = score >= threshold and doc == q.doc_id
        else:
            ok = score < threshold
        cell = out.setdefault((q.lang, q.kind), [0, 0])
        cell[0] += ok
        cell[1] += 1
    return {k: tuple(v) for k, v in out.items()}


COLUMNS = [("en", "positive", "en: right doc first"), ("nb", "positive", "nb: right doc first"),
           ("en", "same-doc", "en: no match, same doc"), ("en", "other-doc", "en: no match, other doc"),
           ("nb", "same-doc", "nb: no match, same doc"), ("nb", "other-doc", "nb: no match, other doc"),
           ("de", "same-doc", "de: no match, same doc"), ("de", "other-doc", "de: no match, other doc")]
TARGETED = [c for c in COLUMNS if c[0] in ("en", "nb")]


def sweep(queries, matches, thresholds, target):
    rows = []
    for t in thresholds:
        r = rates(queries, matches, t)
        cells = {(lang, kind): r.get((lang, kind)) for lang, kind, _ in COLUMNS}
        ok = all(cells[(lang, kind)] is None or cells[(lang, kind)][0] / cells[(lang, kind)][1] >= target
                 for lang, kind, _ in TARGETED)
        worst = min(cells[(lang, kind)][0] / cells[(lang, kind)][1]
                    for lang, kind, _ in TARGETED if cells[(lang, kind)] is not None)
        rows.append((t, cells, ok, worst))
    return rows


def choose(rows):
    """Middle of the widest run of thresholds meeting the target; else the best worst-case."""
    runs, cur = [], []
    for t, _, ok, _ in rows:
        if ok:
            cur.append(t)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    if runs:
        run = max(runs, key=len)
        return run[len(run) // 2], (run[0], run[-1])
    best = max(rows, key=lambda r: r[3])
    return best[0], None


def pct(cell) -> str:
    if cell is None:
        return "–"
    return f"{100 * cell[0] / cell[1]:.1f} % ({cell[0]}/{cell[1]})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pud", help="PUD-shaped JSONL: {doc_id, sentences: [{sent_id, de, en}]}")
    ap.add_argument("--nb", help="Norwegian renderings: {doc_id, sent_id, de, nb} (optional)")
    ap.add_argument("--split", choices=("alternate", "first-half"), default="alternate")
    ap.add_argument("--encoder", default=None, help="encoder name (default: the 'encoder' setting)")
    ap.add_argument("--from", dest="lo", type=float, default=0.84)
    ap.add_argument("--to", dest="hi", type=float, default=0.93)
    ap.add_argument("--step", type=float, default=0.005)
    ap.add_argument("--target", type=float, default=0.95)
    ap.add_argument("--threshold", type=float, default=None,
                    help="also report this threshold alone (e.g. the default, on a held-out file)")
    ap.add_argument("--kinds", action="store_true", help="compare the e5 prefixes first")
    args = ap.parse_args(argv)

    from quotes.embed.encoders import STATEMENT_KIND, load_encoder

    docs = read_jsonl(args.pud)
    nb_rows = read_jsonl(args.nb) if args.nb else []
    store, queries = build_sets(docs, nb_rows, args.split)
    encoder = load_encoder(args.encoder)
    thresholds = [round(args.lo + i * args.step, 4) for i in range(int(round((args.hi - args.lo) / args.step)) + 1)]
    counts = {}
    for q in queries:
        counts[(q.lang, q.kind)] = counts.get((q.lang, q.kind), 0) + 1
    n_stored_docs = len({s[1] for s in store})
    print(f"# Trace evaluation: {args.pud}" + (f" + {args.nb}" if args.nb else ""))
    print()
    print(f"encoder {encoder.name}; split {args.split}: {len(store)} German statements stored from "
          f"{n_stored_docs} documents, {len(docs) - n_stored_docs} documents held apart; queries: "
          + ", ".join(f"{lang} {kind} {n}" for (lang, kind), n in sorted(counts.items())))
    print()
    cache: dict = {}
    t0 = time.perf_counter()
    if args.kinds:
        print("## e5 prefixes (store kind / query kind)")
        print()
        print("| store / query | pos. score mean | best negative (en+nb) p95 | separation: thresholds meeting target "
              "| best worst-case | at |")
        print("|---|---:|---:|---|---:|---:|")
        for sk, qk in (("query", "query"), ("passage", "passage"), ("passage", "query")):
            m = best_matches(encoder, store, queries, sk, qk, cache)
            pos = [s for q, (_, _, s) in zip(queries, m) if q.kind == "positive"]
            neg = [s for q, (_, _, s) in zip(queries, m) if q.kind != "positive" and q.lang != "de"]
            rows = sweep(queries, m, thresholds, args.target)
            ok = [r[0] for r in rows if r[2]]
            best = max(rows, key=lambda r: r[3])
            print(f"| {sk} / {qk} | {np.mean(pos):.3f} | {np.quantile(neg, 0.95):.3f} | "
                  f"{f'{ok[0]:.3f}-{ok[-1]:.3f} ({len(ok)} steps)' if ok else 'none'} | "
                  f"{100 * best[3]:.1f} % | {best[0]:.3f} |")
        print()
    matches = best_matches(encoder, store, queries, STATEMENT_KIND, STATEMENT_KIND, cache)
    elapsed = time.perf_counter() - t0

    rows = sweep(queries, matches, thresholds, args.target)
    chosen, run = choose(rows)
    print(f"## Threshold sweep (prefix '{STATEMENT_KIND}' on both sides; target {100 * args.target:.0f} %)")
    print()
    print("| threshold | " + " | ".join(c[2] for c in COLUMNS) + " | worst en/nb |")
    print("|---:|" + "---:|" * (len(COLUMNS) + 1))
    for t, cells, ok, worst in rows:
        mark = " **" if t == chosen else ""
        print(f"| {t:.3f}{mark} | " + " | ".join(pct(cells[(lang, kind)]) for lang, kind, _ in COLUMNS)
              + f" | {100 * worst:.1f} % |")
    print()
    if run:
        print(f"chosen threshold: {chosen:.3f}, the middle of {run[0]:.3f}-{run[1]:.3f}, the widest run of "
              f"thresholds where every English and Norwegian figure is >= {100 * args.target:.0f} % "
              f"({round((run[1] - run[0]) / args.step) + 1} steps of {args.step}).")
    else:
        print(f"no threshold meets {100 * args.target:.0f} % everywhere; best worst case at {chosen:.3f}.")
    pos = [m for q, m in zip(queries, matches) if q.kind == "positive"]
    exact = sum(1 for q, m in zip(queries, matches) if q.kind == "positive" and m[1] == q.sent_id)
    print(f"positives whose best match is the very sentence: {exact}/{len(pos)}; "
          f"scores of positives: min {min(m[2] for m in pos):.3f}, mean {np.mean([m[2] for m in pos]):.3f}")
    for lang in ("en", "nb", "de"):
        neg = [m[2] for q, m in zip(queries, matches) if q.kind != "positive" and q.lang == lang]
        if neg:
            print(f"best score of {lang} negatives: median {np.median(neg):.3f}, p95 {np.quantile(neg, 0.95):.3f}, "
                  f"max {max(neg):.3f}")
    if args.threshold is not None:
        r = rates(queries, matches, args.threshold)
        print()
        print(f"at threshold {args.threshold:.3f}: " + "; ".join(
            f"{label} {pct(r.get((lang, kind)))}" for lang, kind, label in COLUMNS if r.get((lang, kind))))
    wrong = [(q, m) for q, m in zip(queries, matches)
             if q.lang != "de" and ((q.kind == "positive" and (m[0] != q.doc_id or m[2] < chosen))
                                    or (q.kind != "positive" and m[2] >= chosen))]
    if wrong:
        print()
        print(f"errors at {chosen:.3f} (English and Norwegian):")
        for q, (doc, sent, score) in wrong:
            print(f"- {q.lang} {q.kind} {q.sent_id}: best {sent} ({doc}) {score:.3f}: {q.text[:90]}")
    print()
    print(f"(embedding and search: {elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
