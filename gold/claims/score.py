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

    from quotes.ask.trace import trace_texts

    queries = read_set()
    with tempfile.TemporaryDirectory() as tmp:
        store = seed_store(Path(args.store) if args.store else Path(tmp) / "store")
        texts = [q["query"] for q in queries]
        langs = [q["lang"] for q in queries]
        found = []
        for lang in LANGS:  # one call per language: the language is given, as a user would with --lang
            idx = [i for i, q in enumerate(queries) if q["lang"] == lang]
            found += list(zip(idx, trace_texts(store, [texts[i] for i in idx], lang=lang)))
        found = [m for _, m in sorted(found, key=lambda p: p[0])]
        right = outcomes(queries, found)
        print(f"# Same-story claims: {len(queries)} queries against the five seeds")
        print()
        print("\n".join(table(queries, right)))
        if args.failures:
            print()
            for q, r, m in zip(queries, right, found):
                if q["part"] == args.failures and not r:
                    top = m.row(0, named=True) if m.height else None
                    print(f"- [{q['lang']} {q['group']} {q['label']}/{q['what']}] {q['query']}")
                    if top:
                        print(f"    → {top['doc_id'][:3]} {top['score']:.3f} {top['statement'][:140]}")
        del langs
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
