"""How long rebuilding the corpus entities takes, on synthetic mentions: the case for a rebuild at
the end of every run (over an incremental merge).

    python benchmarks/entities_rebuild.py --documents 10000 20000 100000

Each document gets 5 names quoted or cited, drawn from a pool of people (made-up first names ×
surnames, a third also as the bare surname) and 300 sources, so the corpus has about
``documents / 4`` distinct names. Prints the seconds of ``quotes.corpus.entities.cluster`` per size.
"""

from __future__ import annotations

import argparse
import random
import time

import polars as pl

FIRST = ["Anna", "Bernd", "Clara", "Dmitri", "Elena", "Frank", "Greta", "Hans", "Ivan", "Jonas", "Karin", "Lars",
         "Maria", "Nils", "Olga", "Peter", "Rita", "Sergej", "Tanja", "Uwe"]
SYLLABLES = ["ber", "ko", "lin", "mar", "sch", "ow", "ski", "ten", "gart", "hof", "mann", "stein", "dorf", "ner", "rov"]


def synthetic(documents: int, seed: int = 1) -> pl.DataFrame:
    rng = random.Random(seed)
    surnames = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                       for _ in range(max(50, documents // 3))})
    people = [f"{rng.choice(FIRST)} {s}" for s in surnames]
    sources = [f"Source {i}" for i in range(300)]
    rows = []
    for d in range(documents):
        lang = "nb" if d % 5 == 0 else "de"
        for _ in range(4):
            full = rng.choice(people)
            name = full.split()[-1] if rng.random() < 0.3 else full
            rows.append(dict(doc_id=f"d{d}", language=lang, published=None, name=name, entity_type="PER",
                             roles=[], surfaces=[name], quoted=rng.randint(1, 4), quoted_in_comments=0, cited=0,
                             in_registry=None))
        rows.append(dict(doc_id=f"d{d}", language=lang, published=None, name=rng.choice(sources), entity_type="ORG",
                         roles=[], surfaces=[], quoted=0, quoted_in_comments=0, cited=1, in_registry=True))
    return pl.DataFrame(rows, schema_overrides={"published": pl.Datetime("us", "UTC"), "in_registry": pl.Boolean})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, nargs="+", default=[10_000, 100_000])
    args = ap.parse_args()
    from quotes.corpus.entities import cluster

    print("| documents | mention rows | distinct names | entities | cluster (s) |")
    print("|---|---|---|---|---|")
    for n in args.documents:
        frame = synthetic(n)
        started = time.perf_counter()
        entities, links = cluster(frame, [])
        seconds = time.perf_counter() - started
        print(f"| {n:,} | {frame.height:,} | {frame['name'].n_unique():,} | {entities.height:,} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
