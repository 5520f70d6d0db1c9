"""Writes to the store from one writer vs several writers at once: what the Dask runner's choice
(results gathered to one writer, the flow) rests on. Prints a markdown table.

    python benchmarks/writers.py [--batches 24] [--batch 32] [--writers 1 2 4]

The batches are real results: the first ``--batch`` dev articles processed once (stanza), then
copied under new document and quote ids, so every batch writes ``--batch`` new documents with
their quotes, citations and entities. Each configuration writes all batches into a fresh local
store, split evenly over ``W`` writer processes that start together; it reports the wall time,
documents written per second, the commits that lost a race and were re-run (conflicts), and
checks the store afterwards (every document once, every quote once, no leftover rows).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pickle
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "german-news-quotes" / "dev.jsonl"
sys.path.insert(0, str(ROOT))
if not os.environ.get("STANZA_RESOURCES_DIR") and (ROOT.parent / "shared" / "stanza_resources").is_dir():
    os.environ["STANZA_RESOURCES_DIR"] = str(ROOT.parent / "shared" / "stanza_resources")


def make_items(n: int) -> list:
    from quotes.records import Document
    from quotes.run import runner as corpus

    texts = [json.loads(line)["originalText"] for line, _ in zip(open(DEV, encoding="utf-8"), range(n))]
    docs = [Document(doc_id=f"dev-{i}", path=str(DEV), text=t, language="de") for i, t in enumerate(texts)]
    return corpus.process_batch(docs, corpus.current_versions())


def copy_batch(items: list, tag: str) -> list:
    """The batch under new ids (documents and quotes), so that it writes new rows."""
    from dataclasses import replace

    from quotes.store.tables import short_hash
    from quotes.store.writer import Processed

    out = []
    for item in items:
        if not isinstance(item, Processed):
            continue
        doc_id = f"{item.result.doc_id}-{tag}"
        quotes = [q.model_copy(update={"quote_id": short_hash(doc_id, q.quote_id)}) for q in item.result.quotes]
        index = {short_hash(doc_id, k): v for k, v in item.index.items()}
        result = item.result.model_copy(update={"doc_id": doc_id, "quotes": quotes})
        entities = [e.model_copy(update={"entity_id": short_hash(doc_id, e.entity_id)}) for e in item.entities]
        out.append(replace(item, result=result, index=index, entities=entities))
    return out


def writer(store_path: str, batches_file: str, indices: list[int], start, out) -> None:
    from deltalake.exceptions import CommitFailedError

    from quotes.store.writer import Store, _is_conflict

    batches = pickle.loads(Path(batches_file).read_bytes())
    conflicts = [0]

    class Counting(Store):
        def _retrying(self, attempts, step):
            def counted():
                try:
                    return step()
                except Exception as exc:  # noqa: BLE001 - counted, then handled as the store does
                    if isinstance(exc, CommitFailedError) or _is_conflict(exc):
                        conflicts[0] += 1
                    raise
            return super()._retrying(attempts, counted)

    store = Counting(store_path)
    start.wait()
    began = time.perf_counter()
    for i in indices:
        store.write(batches[i])
    out.put((time.perf_counter() - began, conflicts[0]))


def run(writers: int, batches_file: str, n_batches: int, folder: Path) -> dict:
    import polars as pl

    from quotes.store.reader import open_store
    from quotes.store.writer import Store

    store_path = str(folder / f"store-{writers}")
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    shares = [list(range(n_batches))[w::writers] for w in range(writers)]
    procs = [ctx.Process(target=writer, args=(store_path, batches_file, share, start, out)) for share in shares]
    for p in procs:
        p.start()
    time.sleep(3)  # every writer has imported and loaded its batches
    began = time.perf_counter()
    start.set()
    results = [out.get() for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    tables = open_store(store_path)
    docs = tables.documents.select(pl.len(), pl.col("doc_id").n_unique()).collect().row(0)
    quotes = tables.quotes.select(pl.len(), pl.col("quote_id").n_unique()).collect().row(0)
    stored = Store(store_path).scan("quotes").select(pl.len()).collect().item()
    return {"writers": writers, "wall_s": wall, "conflicts": sum(c for _, c in results), "documents": docs[0],
            "unique_documents": docs[1], "quotes": quotes[0], "unique_quotes": quotes[1], "stored_quote_rows": stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=24)
    parser.add_argument("--batch", type=int, default=32, help="documents a batch")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="quotes-writers-"))
    items = make_items(args.batch)
    batches = [copy_batch(items, f"b{i}") for i in range(args.batches)]
    per_batch = len(batches[0])
    batches_file = folder / "batches.pickle"
    batches_file.write_bytes(pickle.dumps(batches))
    rows = [run(w, str(batches_file), args.batches, folder) for w in args.writers]
    total = args.batches * per_batch
    print(f"\nstore writes: {args.batches} batches of {per_batch} documents, one or more writers at once — "
          f"{platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}\n")
    print("| writers | wall | documents/s | per batch | conflicts re-run | documents / quotes stored (unique) | rows left behind |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        ok = r["documents"] == r["unique_documents"] == total and r["quotes"] == r["unique_quotes"]
        print(f"| {r['writers']} | {r['wall_s']:.1f} s | {total / r['wall_s']:.0f} | "
              f"{r['wall_s'] / args.batches * r['writers'] * 1000:.0f} ms | {r['conflicts']} | "
              f"{r['documents']:,} / {r['quotes']:,} ({'yes' if ok else 'NO'}) | {r['stored_quote_rows'] - r['quotes']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
