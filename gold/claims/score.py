"""Score trace on the same-story set (gold/claims/README.md): a store of the five seeds, every
query traced through the product (quotes.ask.trace.trace_texts), per language and part:

- repeated claims found first: a ``same`` query whose first match is its group's document;
- different claims matched: a ``different`` query that matches any stored statement.

    python gold/claims/score.py [--store DIR] [--ablations]

``--store DIR`` keeps the seed store there (built when missing) so a second run skips stanza and
the encoder; ``--ablations`` also scores the verifier with each signal alone and each left out.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
LANGS = ("de", "nb", "en")


def read_tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if row and not row[0].startswith("#")]


def read_set() -> list[dict]:
    groups = {g: {"part": part, "doc": doc, "sentence": s} for g, part, doc, s in read_tsv(HERE / "sentences.tsv")}
    return [{"lang": lang, "group": g, "label": label, "what": what, "query": q, **groups[g]}
            for lang, g, label, what, q in read_tsv(HERE / "queries.tsv")]


def seed_store(folder: Path):
    from quotes.run import runner
    from quotes.store.writer import Store

    store = Store(folder)
    if not store.exists("statements"):
        runner.run_corpus([str(p) for p in sorted((ROOT / "seeds").glob("*.txt"))], store)
    return store


def tracer(store, queries: list[dict]):
    """A function of a verifier: every query's matches, traced with its language given (as a user
    would with --lang) and encoded once."""
    from quotes.ask.trace import match, trace_thresholds
    from quotes.embed.encoders import STATEMENT_KIND, load_encoder
    from quotes.store.statement_index import statement_index

    encoder = load_encoder()
    index = statement_index(store, encoder.name)
    vectors = encoder.encode([q["query"] for q in queries], STATEMENT_KIND)
    tables = store.tables()

    def trace(verifier) -> list:
        return match(tables, index, vectors, [q["query"] for q in queries], [q["lang"] for q in queries],
                     trace_thresholds(encoder), verifier)
    return trace


def outcomes(queries: list[dict], found) -> list[bool]:
    """Whether each query was answered right: ``same`` → its document first; ``different`` → no match."""
    out = []
    for q, matches in zip(queries, found):
        docs = [str(d) for d in matches["doc_id"].to_list()]
        out.append(bool(docs) and docs[0].startswith(q["doc"]) if q["label"] == "same" else not docs)
    return out


def pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:.1f} % ({ok}/{n})" if n else "–"


def table(queries: list[dict], right: list[bool]) -> list[str]:
    lines = ["| part | lang | repeated claims found first | different claims matched |", "|---|---|---|---|"]
    for part in ("dev", "test"):
        for lang in LANGS:
            same = [r for q, r in zip(queries, right) if q["part"] == part and q["lang"] == lang and q["label"] == "same"]
            diff = [r for q, r in zip(queries, right) if q["part"] == part and q["lang"] == lang and q["label"] == "different"]
            lines.append(f"| {part} | {lang} | {pct(sum(same), len(same))} | {pct(len(diff) - sum(diff), len(diff))} |")
    return lines


def summary(queries: list[dict], right: list[bool], part: str) -> str:
    """One line: found first / different matched, over all languages of ``part``."""
    same = [r for q, r in zip(queries, right) if q["part"] == part and q["label"] == "same"]
    diff = [r for q, r in zip(queries, right) if q["part"] == part and q["label"] == "different"]
    return f"{pct(sum(same), len(same))} / {pct(len(diff) - sum(diff), len(diff))}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", help="keep the seed store in this folder (built when missing)")
    ap.add_argument("--ablations", action="store_true", help="score each signal alone and each left out (dev)")
    ap.add_argument("--failures", choices=("dev", "test"), help="list the wrong answers of this part")
    args = ap.parse_args(argv)

    from quotes.corpus.matching import Verifier
    from quotes.corpus.verify import SIGNALS

    queries = read_set()
    with tempfile.TemporaryDirectory() as tmp:
        store = seed_store(Path(args.store) if args.store else Path(tmp) / "store")
        trace = tracer(store, queries)
        before = outcomes(queries, trace(Verifier(signals=None)))
        found = trace(Verifier())
        right = outcomes(queries, found)
        print(f"# Same-story claims: {len(queries)} queries against the five seeds")
        print()
        print("Before the verifier (cosine, digits that overlap, lengths):")
        print()
        print("\n".join(table(queries, before)))
        print()
        print("With the verifier (quotes/corpus/verify.py, every signal):")
        print()
        print("\n".join(table(queries, right)))
        if args.ablations:
            print()
            print("Signals on the dev part, all languages: found first / different matched")
            print()
            print("| signals | dev: found first / different matched |")
            print("|---|---|")
            print(f"| none (the rule before the verifier) | {summary(queries, before, 'dev')} |")
            print(f"| none (lengths only) | {summary(queries, outcomes(queries, trace(Verifier(signals=()))), 'dev')} |")
            for s in SIGNALS:
                print(f"| only {s} | {summary(queries, outcomes(queries, trace(Verifier(signals=(s,)))), 'dev')} |")
            for s in SIGNALS:
                kept = tuple(x for x in SIGNALS if x != s)
                print(f"| all but {s} | {summary(queries, outcomes(queries, trace(Verifier(signals=kept))), 'dev')} |")
            print(f"| all | {summary(queries, right, 'dev')} |")
        if args.failures:
            print()
            for q, r, m in zip(queries, right, found):
                if q["part"] == args.failures and not r:
                    top = m.row(0, named=True) if m.height else None
                    print(f"- [{q['lang']} {q['group']} {q['label']}/{q['what']}] {q['query']}")
                    if top:
                        print(f"    → {top['doc_id'][:3]} {top['score']:.3f} {top['statement'][:140]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
