"""Pairwise precision and recall of the entity merging rules (quotes/corpus/entities.py) against the gold
clusters in clusters.json, and the precision of the sources the registry does not know.

    python gold/entities/score.py                    # written cases + seeds (builds a seeds store)
    python gold/entities/score.py --dev              # + the German dev articles (builds a store of them)
    python gold/entities/score.py --dev --dev-store DIR   # reuse a store built from dev before

Items are (document, name) pairs: the names the pipeline stored for speakers and cited sources
(for the written cases, each name is a document of its own). Two items are a gold pair when the
gold puts them in one group; an item whose name no group lists is its own entity in each
document. Precision: of the pairs the rules put in one entity, the share that are gold pairs;
recall: of the gold pairs, the share the rules put in one entity.

The dev articles are CC BY-NC-SA 4.0 and are read from ../shared at run time, never copied: the
store is built in a temporary folder (or --dev-store). Discovered sources (citations with
in_registry false) of the dev store are judged by sources.json, written by hand: a name not
judged there counts as wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEV = ROOT.parent / "shared" / "data" / "german-news-quotes" / "dev.jsonl"


def pairs(labels: list) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def score(gold: list, predicted: list) -> dict:
    """Pairwise precision and recall of ``predicted`` labels against ``gold`` labels (same items)."""
    both = pairs(list(zip(gold, predicted)))
    p_pairs, g_pairs = pairs(predicted), pairs(gold)
    return {"items": len(gold), "gold_pairs": g_pairs, "predicted_pairs": p_pairs, "correct_pairs": both,
            "precision": round(both / p_pairs, 3) if p_pairs else 1.0,
            "recall": round(both / g_pairs, 3) if g_pairs else 1.0}


def written(groups: list) -> dict:
    from quotes.corpus.entities import cluster

    rows, gold = [], []
    for g, group in enumerate(groups):
        for item in group:
            lang, name, etype, role = (*item, "PER", None)[:4] if len(item) < 4 else item
            rows.append(dict(doc_id=f"w{len(rows)}", language=lang, published=None, name=name, entity_type=etype,
                             roles=[role] if role else [], surfaces=[], quoted=1, quoted_in_comments=0, cited=0,
                             in_registry=None))
            gold.append(g)
    frame = pl.DataFrame(rows, schema_overrides={"published": pl.Datetime("us", "UTC"), "in_registry": pl.Boolean})
    _, links = cluster(frame, None)
    found = {(r["doc_id"], r["name"]): r["entity_id"] for r in links.iter_rows(named=True)}
    predicted = [found.get((r["doc_id"], r["name"]), f"none-{i}") for i, r in enumerate(rows)]
    return score(gold, predicted) | {"misses": _misses(rows, gold, predicted)}


def _misses(rows, gold, predicted) -> list[str]:
    out = []
    for i in range(len(rows)):
        for j in range(i):
            if (gold[i] == gold[j]) != (predicted[i] == predicted[j]):
                kind = "split" if gold[i] == gold[j] else "merged"
                out.append(f"{kind}: {rows[j]['name']} / {rows[i]['name']}")
    return out


def stored(store_uri: str, groups: list) -> dict:
    """Score the entity links of a built store against name groups."""
    from quotes.store.writer import Store

    links = Store(store_uri).tables().entity_links.collect()
    label = {name.casefold(): f"g{g}" for g, group in enumerate(groups) for name in group}
    gold = [label.get(r["name"].casefold(), f"{r['doc_id']}\x1f{r['name']}") for r in links.iter_rows(named=True)]
    predicted = links["entity_id"].to_list()
    rows = links.to_dicts()
    return score(gold, predicted) | {"misses": _misses(rows, gold, predicted)}


def build(paths: list[str], where: Path) -> str:
    from quotes.run import runner as corpus
    from quotes.store.writer import Store

    store = Store(where)
    corpus.run_corpus(paths, store)
    return store.uri


def dev_inputs(folder: Path) -> list[str]:
    """The dev articles as JSONL input (id, text, lang) in a temporary folder, read from ../shared."""
    out = folder / "dev-input.jsonl"
    with open(DEV, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            doc = json.loads(line)
            dst.write(json.dumps({"id": f"dev-{i:03d}", "text": doc["originalText"], "lang": "de"}) + "\n")
    return [str(out)]


def discovered(store_uri: str, judged: dict) -> dict:
    from quotes.store.writer import Store

    cites = (Store(store_uri).tables().citations.filter(~pl.col("in_registry"))
             .group_by("source").agg(documents=pl.col("doc_id").n_unique()).sort("source").collect())
    real = set(judged.get("outlets_or_agencies", []))
    wrong = set(judged.get("not_outlets", []))
    names = cites["source"].to_list()
    return {"discovered": len(names), "real": sorted(n for n in names if n in real),
            "wrong": sorted(n for n in names if n in wrong), "unjudged": sorted(n for n in names if n not in real | wrong),
            "precision": round(sum(n in real for n in names) / len(names), 3) if names else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", action="store_true", help="also score the German dev articles (../shared)")
    ap.add_argument("--dev-store", help="a store built from dev before (else one is built in a temporary folder)")
    ap.add_argument("--seeds-store", help="a store of seeds/ (else one is built)")
    ap.add_argument("--misses", action="store_true", help="print the pairs the rules got wrong")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    gold = json.loads((HERE / "clusters.json").read_text(encoding="utf-8"))
    results = {"written": written(gold["written"])}
    with tempfile.TemporaryDirectory() as tmp:
        seeds = args.seeds_store or build([str(ROOT / "seeds")], Path(tmp) / "seeds")
        results["seeds"] = stored(seeds, gold["seeds"])
        if args.dev:
            if not DEV.is_file():
                sys.exit(f"no dev data at {DEV}")
            dev = args.dev_store or build(dev_inputs(Path(tmp)), Path(tmp) / "dev")
            results["dev"] = stored(dev, gold["dev"])
            judged = json.loads((HERE / "sources.json").read_text(encoding="utf-8"))
            results["discovered sources (dev)"] = discovered(dev, judged)
    for part, r in results.items():
        misses = r.pop("misses", [])
        print(f"{part}: {json.dumps(r, ensure_ascii=False)}")
        if args.misses:
            for m in misses:
                print(f"    {m}")


if __name__ == "__main__":
    main()
