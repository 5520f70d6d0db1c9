"""What statements cost and how fast trace answers; prints a markdown table.

    python benchmarks/trace_bench.py [--limit 60] [--statements 1000000] [--json OUT]

1. Embedding in the pipeline, on the first ``--limit`` articles of
   ../shared/data/german-news-quotes/dev.jsonl (read at run time, written only to a temporary
   folder): a run without vectors (``embed=False``), a run with them, stanza alone on the same
   texts, and the encoder alone on the same statements. The target: the run with vectors within
   1.10x of stanza plus the encoder alone. Then the same articles again under other ids (so
   they are processed again): how many texts the encoder sees (target: none, all are known).
2. Trace against ``--statements`` stored statements: a synthetic store whose vectors are drawn
   from the mean and covariance of real e5 vectors (the sentences of UD German PUD and their
   English translations, CC BY-SA), one statement a row as ``quotes run`` writes them. Timed:
   building the index from the table (once per store change; a run's claims step does it), a
   trace in a process that has the store open (median of 5; target < 0.5 s), and a whole
   ``quotes trace`` command in a fresh process (median of 5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "german-news-quotes" / "dev.jsonl"
PUD = ROOT.parent / "shared" / "data" / "pud-de-en" / "dev.jsonl"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
if not os.environ.get("STANZA_RESOURCES_DIR") and (ROOT.parent / "shared" / "stanza_resources").is_dir():
    os.environ["STANZA_RESOURCES_DIR"] = str(ROOT.parent / "shared" / "stanza_resources")


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - started, out


def embedding_cost(tmp: Path, limit: int) -> dict:
    import polars as pl

    from quotes.embed.encoders import STATEMENT_KIND, load_encoder
    from quotes.parse.parser import load_pipeline, parse_documents
    from quotes.run import runner as corpus
    from quotes.store.writer import Store

    with open(DEV, encoding="utf-8") as f:
        texts = [json.loads(line)["originalText"] for line in f][:limit]
    feed = tmp / "dev.jsonl"
    feed.write_text("".join(json.dumps({"id": f"dev-{i}", "text": t, "lang": "de"}) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    load_pipeline("de")
    encoder = load_encoder()
    encoder.encode(["warm up"])
    plain, _ = timed(corpus.run_corpus, [str(feed)], Store(tmp / "plain"), embed=False)
    store = Store(tmp / "embedded")
    embedded, _ = timed(corpus.run_corpus, [str(feed)], store)
    stanza, _ = timed(parse_documents, texts, "de", batch_size=16)
    statements = store.tables().statements.select("text", "text_hash").collect().unique("text_hash")
    encoding, _ = timed(encoder.encode, statements["text"].to_list(), STATEMENT_KIND)
    again = tmp / "again.jsonl"
    again.write_text("".join(json.dumps({"id": f"again-{i}", "text": t, "lang": "de"}) + "\n"
                             for i, t in enumerate(texts)), encoding="utf-8")
    from quotes.embed import statements as statements_module

    counted = []
    original = statements_module.embed_statements

    def counting(*args, **kwargs):
        counted.append(original(*args, **kwargs))
        return counted[-1]

    import quotes.run.pipeline

    quotes.run.pipeline.embed_statements = counting
    try:
        rerun, _ = timed(corpus.run_corpus, [str(again)], store)
    finally:
        quotes.run.pipeline.embed_statements = original
    n_statements = store.tables().statements.filter(pl.col("doc_id").str.starts_with("dev-")).select(
        pl.len()).collect().item()
    return {"documents": len(texts), "statements": n_statements, "distinct_texts": statements.height,
            "without_vectors_s": plain, "with_vectors_s": embedded, "stanza_s": stanza, "encoder_s": encoding,
            "ratio": embedded / (stanza + encoding), "rerun_s": rerun, "rerun_encoded": sum(counted)}


def synthetic_statements(path: Path, n: int, seed: int = 7) -> dict:
    """A store of ``n`` statements (20 a document) whose vectors look like real e5 vectors."""
    import numpy as np
    import polars as pl

    from quotes.embed.encoders import STATEMENT_KIND, load_encoder
    from quotes.store.tables import SPECS
    from quotes.store.writer import Store

    with open(PUD, encoding="utf-8") as f:
        sentences = [s[k] for line in f for s in json.loads(line)["sentences"] for k in ("de", "en")]
    encoder = load_encoder()
    real = encoder.encode(sentences, STATEMENT_KIND).astype(np.float64)
    rng = np.random.default_rng(seed)
    mean, cov = real.mean(axis=0), np.cov(real, rowvar=False)
    n_docs = max(1, n // 20)
    doc_ids = np.array([f"doc-{i:07d}" for i in range(n_docs)])
    write_id = "0000000000000-synthetic"
    docs = pl.DataFrame({"doc_id": doc_ids, "path": np.char.add("synthetic/", doc_ids),
                         "language": rng.choice(["de", "nb"], n_docs), "write_id": [write_id] * n_docs})
    store = Store(path)
    schema = SPECS["documents"].schema
    docs.with_columns(pl.lit(None, dtype=schema[c]).alias(c) for c in schema if c not in docs.columns).select(
        [pl.col(c).cast(schema[c]) for c in schema]).write_delta(store.table_uri("documents"), mode="overwrite")
    schema = SPECS["statements"].schema
    chunk = 200_000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        vectors = rng.multivariate_normal(mean, cov, size=size, method="cholesky")
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16)
        ids = np.arange(start, start + size)
        frame = pl.DataFrame({
            "statement_id": [f"st{i:09d}" for i in ids], "doc_id": doc_ids[ids // 20],
            "kind": ["sentence"] * size, "start": (ids % 20) * 100, "end": (ids % 20) * 100 + 90,
            "text": [f"synthetic statement {i}" for i in ids], "text_hash": [f"h{i}" for i in ids],
            "encoder": [encoder.name] * size, "vector": [row.tobytes() for row in vectors],
            "write_id": [write_id] * size,
        }).join(docs.select("doc_id", "path", "language"), on="doc_id")
        full = frame.with_columns(pl.lit(None, dtype=schema[c]).alias(c) for c in schema if c not in frame.columns)
        full.select([pl.col(c).cast(schema[c]) for c in schema]).write_delta(
            store.table_uri("statements"), mode="append" if start else "overwrite")
    return {"statements": n, "documents": n_docs}


def trace_latency(path: Path) -> dict:
    from quotes.ask.trace import trace_texts
    from quotes.store.writer import Store

    statement = "Vladimir Putin will soon visit North Korea, the Kremlin said on Monday."
    store = Store(path)
    build, _ = timed(trace_texts, store, [statement])
    warm = statistics.median(timed(trace_texts, store, [statement])[0] for _ in range(5))
    command = [sys.executable, "-m", "quotes.cli", "trace", statement, "--store", str(path), "--format", "jsonl"]
    fresh = statistics.median(timed(subprocess.run, command, capture_output=True, check=True)[0] for _ in range(5))
    return {"first_trace_with_index_build_s": build, "trace_in_process_s": warm, "trace_command_s": fresh}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=60, help="dev articles for the embedding cost")
    ap.add_argument("--statements", type=int, default=1_000_000)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="quotes-trace-bench-") as tmp:
        cost = embedding_cost(Path(tmp), args.limit)
        built, synthetic = timed(synthetic_statements, Path(tmp) / "synthetic", args.statements)
        latency = trace_latency(Path(tmp) / "synthetic")
    figures = {"embedding": cost, "synthetic": {**synthetic, "build_s": built}, "trace": latency}
    c, t = cost, latency
    print("| measure | result | target |\n|---|---|---|")
    print(f"| a run over {c['documents']} dev articles without / with statement vectors | "
          f"{c['without_vectors_s']:.1f} s / {c['with_vectors_s']:.1f} s ({c['statements']} statements, "
          f"{c['distinct_texts']} distinct texts) | |")
    print(f"| stanza alone + the encoder alone on the same texts and statements | {c['stanza_s']:.1f} s + "
          f"{c['encoder_s']:.1f} s | |")
    print(f"| the run with vectors over stanza + encoder alone | ×{c['ratio']:.2f} | ≤ ×1.10 |")
    print(f"| the same articles again under new ids: texts encoded | {c['rerun_encoded']} "
          f"({c['rerun_s']:.1f} s for the run) | 0 |")
    print(f"| trace against {synthetic['statements']:,} statements: first trace (builds the index) | "
          f"{t['first_trace_with_index_build_s']:.2f} s | |")
    print(f"| trace against {synthetic['statements']:,} statements, in-process, store open (median of 5) | "
          f"{1000 * t['trace_in_process_s']:.0f} ms | < 500 ms |")
    print(f"| `quotes trace` as a whole command (fresh process, median of 5) | {t['trace_command_s']:.2f} s | |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
