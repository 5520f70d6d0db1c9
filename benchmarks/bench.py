"""Speed of the quotes pipeline and store, on this machine; prints a markdown table.

    python benchmarks/bench.py [--limit N] [--parse-docs N] [--quotes 1000000] [--no-prefect] [--json OUT]
    python benchmarks/bench.py --dask [--limit 150] [--workers 2]     # one process vs the Dask runner
    python benchmarks/bench.py --synthetic 10000 [--workers 2] [--no-embed]   # a 10,000-document run on Dask
    python benchmarks/bench.py --latency [--quotes 1000000]           # query/audit as whole commands

Measures, on the first N articles of ../shared/data/german-news-quotes/train.jsonl (read at run
time, written only to a temporary folder):

- end to end (ingest → segment → parse → extract → resolve → statements → Delta write: the steps
  of ``quotes.run.runner.run_corpus``, 32 documents a chunk, statements without their vectors, whose
  encoding benchmarks/trace_bench.py measures): documents and tokens per second, and the share of
  that time spent inside stanza (``bulk_process``) against everything else;
- stanza alone on the same texts, same batch size, each chunk parsed just before the pipeline
  takes it (so background load hits both alike): the pipeline's overhead (target ≤ 15 %);
- parsing batched (16 documents a batch) against one document at a time, on ``--parse-docs`` texts;
- a second run over the unchanged corpus (target < 5 % of the first), by the library and, unless
  ``--no-prefect``, by the ``process-corpus`` flow in Prefect's ephemeral mode (server start-up
  included, as ``quotes run`` pays it);
- ``quotes query`` / ``quotes audit`` latency on a synthetic store of ``--quotes`` quotes (target
  < 0.5 s each): the query in-process (open the store, filter, collect) and the whole command
  (a fresh Python process, as a user types it).

Model loading is done before any timing. Tokens are stanza's tokens.

The three other modes measure one thing each (and print their own table):

- ``--dask``: documents per second over the same ``--limit`` articles through the
  ``process-corpus`` flow, once with the default runner (one process, torch's own thread count)
  and once with the Dask runner on a LocalCluster of ``--workers`` processes (one torch thread
  each), models loaded everywhere before the clock starts (the cluster's start and the workers'
  model loading are timed apart); each worker's peak memory; and whether the two stores hold the
  same quote rows.
- ``--synthetic N``: ``quotes run --runner dask --workers W`` as a user types it, over N documents
  made from the dev articles (repeated, each with its number appended, so that every content
  hash differs): wall time, the driver's peak memory (sampled from /proc), and the checks that
  nothing was lost (documents + failures = inputs) and nothing doubled (no repeated key).
- ``--latency``: ``quotes query quotes --speaker … --format csv`` and ``quotes audit --format json``
  as fresh processes on a synthetic store of ``--quotes`` quotes: the median of 5 runs each.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "data" / "german-news-quotes" / "train.jsonl"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
if not os.environ.get("STANZA_RESOURCES_DIR") and (ROOT.parent / "shared" / "stanza_resources").is_dir():
    os.environ["STANZA_RESOURCES_DIR"] = str(ROOT.parent / "shared" / "stanza_resources")


class Stopwatch:
    """Wraps a callable and adds up the seconds spent in it."""

    def __init__(self, fn):
        self.fn, self.seconds, self.calls = fn, 0.0, 0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - started, out


def write_corpus(limit: int, folder: Path) -> tuple[Path, list[str]]:
    texts = []
    with open(TRAIN, encoding="utf-8") as fh:
        for line in fh:
            if len(texts) == limit:
                break
            texts.append(json.loads(line)["originalText"])
    path = folder / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i, text in enumerate(texts):
            out.write(json.dumps({"id": f"train-{i:04d}", "text": text, "lang": "de"}, ensure_ascii=False) + "\n")
    return path, texts


def stanza_alone(nlp, texts: list[str], batch_size: int) -> tuple[float, int]:
    import stanza

    tokens = 0
    started = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        docs = nlp.bulk_process([stanza.Document([], text=t) for t in texts[i:i + batch_size]])
        tokens += sum(len(s.tokens) for d in docs for s in d.sentences)
    return time.perf_counter() - started, tokens


def synthetic_store(path: Path, n_quotes: int, seed: int = 7) -> dict[str, int]:
    """A store shaped like the real one: 20 quotes and 2 citations a document, 5,000 speakers,
    60 outlets, 40 sources, 3 % of quotes in comments, dates over two years."""
    import numpy as np
    import polars as pl

    from quotes.store.tables import SPECS
    from quotes.store.writer import Store

    rng = np.random.default_rng(seed)
    n_docs = max(1, n_quotes // 20)
    vocab = np.array([f"w{i}" for i in range(20_000)])
    speakers = np.array([f"Speaker {i} Name{i}" for i in range(5_000)])
    outlets = np.array([f"Outlet {i}" for i in range(60)])
    sources = np.array([f"Source {i}" for i in range(40)])
    doc_ids = np.array([f"doc-{i:07d}" for i in range(n_docs)])
    start = np.datetime64("2023-01-01T00:00:00", "us")
    published = start + rng.integers(0, 730 * 86_400, n_docs).astype("timedelta64[s]")
    docs = pl.DataFrame({
        "doc_id": doc_ids, "path": np.char.add("synthetic/", doc_ids), "language": rng.choice(["de", "nb"], n_docs),
        "published": published, "outlet": rng.choice(outlets, n_docs),
    }).with_columns(pl.col("published").dt.replace_time_zone("UTC"),
                    write_id=pl.lit("0000000000000-synthetic"))  # one write: every row visible
    qd = rng.integers(0, n_docs, n_quotes)
    n_lemmas = rng.integers(6, 16, n_quotes)
    flat = rng.choice(vocab, int(n_lemmas.sum()))
    offsets = np.concatenate([[0], np.cumsum(n_lemmas)])
    lemmas = pl.Series("lemmas", [flat[offsets[i]:offsets[i + 1]].tolist() for i in range(n_quotes)])
    speaker = rng.choice(speakers, n_quotes)
    quotes = (
        pl.DataFrame({"qd": qd, "quote_id": [f"q{i:08d}" for i in range(n_quotes)], "speaker_name": speaker,
                      "in_comments": rng.random(n_quotes) < 0.03, "start": rng.integers(0, 5_000, n_quotes)})
        .with_columns(lemmas.list.sort(), pl.col("start").alias("end") + 120)
        .with_columns(text=pl.col("lemmas").list.join(" "), speaker_mention=pl.col("speaker_name"),
                      speaker_key=pl.col("speaker_name").str.split(" ").list.last().str.to_lowercase(),
                      kind=pl.lit("indirect"), confidence=pl.lit(0.8))
        .join(docs.with_row_index("qd").with_columns(pl.col("qd").cast(pl.Int64)), on="qd").drop("qd")
    )
    n_cites = n_docs * 2
    cd = rng.integers(0, n_docs, n_cites)
    citations = (
        pl.DataFrame({"cd": cd, "citation_id": [f"c{i:08d}" for i in range(n_cites)],
                      "source": rng.choice(sources, n_cites), "kind": rng.choice(["credit", "report"], n_cites),
                      "in_comments": rng.random(n_cites) < 0.05, "start": rng.integers(0, 5_000, n_cites)})
        .with_columns(pl.col("start").alias("end") + 10, mention=pl.col("source"))
        .join(docs.with_row_index("cd").with_columns(pl.col("cd").cast(pl.Int64)), on="cd").drop("cd")
    )
    # the corpus entities and each document's links to them, which the quotes and citations views join
    names = pl.concat([quotes.select("doc_id", name="speaker_name"), citations.select("doc_id", name="source")])
    links = names.unique().with_columns(entity_id=pl.col("name").hash().cast(pl.String),
                                        build_id=pl.lit("0000000000000-synthetic"))
    entities = (links.group_by("entity_id").agg(pl.col("name").first(), aliases=pl.col("name").unique(),
                                                documents=pl.len())
                .with_columns(build_id=pl.lit("0000000000000-synthetic")))
    store = Store(path)
    for name, frame in (("documents", docs), ("quotes", quotes), ("citations", citations), ("entities", entities),
                        ("entity_links", links)):
        schema = SPECS[name].schema
        full = frame.with_columns(pl.lit(None, dtype=schema[c]).alias(c) for c in schema if c not in frame.columns)
        full.select([pl.col(c).cast(schema[c]) for c in schema]).write_delta(store.table_uri(name), mode="overwrite")
    return {"documents": n_docs, "quotes": n_quotes, "citations": n_cites, "entity_links": links.height,
            "speaker": str(speaker[0])}


def latency(fn, repeat: int = 5) -> float:
    fn()  # warm the OS file cache
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def cli_latency(args: list[str], repeat: int = 3) -> float:
    def run():
        subprocess.run([str(BIN / "quotes"), *args], check=True, stdout=subprocess.DEVNULL)
    return latency(run, repeat)


def cli_median(args: list[str], repeat: int = 5) -> tuple[float, list[float]]:
    """Median wall time of ``quotes ARGS`` as a fresh process (after one warm-up run), and all runs."""
    def run() -> float:
        started = time.perf_counter()
        subprocess.run([str(BIN / "quotes"), *args], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started
    run()
    times = [run() for _ in range(repeat)]
    return statistics.median(times), times


def print_table(title: str, rows: list[tuple[str, str, str]], header: str = "| measure | result | note |") -> None:
    print(f"\n{title} — {platform.node()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.2f}\n")
    print(header)
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def bench_latency(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="quotes-bench-latency-"))
    shape = synthetic_store(tmp / "store", args.quotes)
    q, q_all = cli_median(["query", "quotes", "--speaker", shape["speaker"], "--format", "csv",
                           "--store", str(tmp / "store")])
    a, a_all = cli_median(["audit", "--format", "json", "--store", str(tmp / "store")])
    h, _ = cli_median(["--help"])
    where = f"{shape['quotes']:,} quotes, {shape['documents']:,} documents"
    print_table("whole-command latency (median of 5 fresh processes)", [
        (f"`quotes query quotes --speaker … --format csv` ({where})", f"{q * 1000:.0f} ms",
         "runs: " + ", ".join(f"{t * 1000:.0f}" for t in q_all) + " ms; target < 500 ms"),
        ("`quotes audit --format json`", f"{a * 1000:.0f} ms",
         "runs: " + ", ".join(f"{t * 1000:.0f}" for t in a_all) + " ms; target < 500 ms"),
        ("`quotes --help` (Python and the CLI starting)", f"{h * 1000:.0f} ms", ""),
    ])
    return {"cli_query_median_s": q, "cli_audit_median_s": a, "cli_help_median_s": h}


def _quote_rows(store_path) -> "object":
    import polars as pl

    from quotes.store.reader import open_store

    return (open_store(store_path).quotes.drop("write_id").collect()
            .sort("doc_id", "quote_id").with_columns(pl.col(pl.List(pl.String)).list.sort()))


def bench_dask(args) -> dict:
    """One process vs the Dask runner over the same articles, both through the flow."""
    tmp = Path(tempfile.mkdtemp(prefix="quotes-bench-dask-"))
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect-home"))  # before Prefect loads: no cache from before

    import torch
    from distributed import LocalCluster
    from prefect.settings import PREFECT_TASKS_REFRESH_CACHE, temporary_settings

    from flows.ephemeral import prefect_api
    from flows.process_corpus import corpus_flow, process_corpus
    from quotes.parse.parser import load_pipeline
    from quotes.run import cluster as qcluster
    corpus_path, _ = write_corpus(args.limit, tmp)
    prefect_api()
    from quotes.embed.encoders import load_encoder

    load_pipeline("de")
    load_encoder()
    load_before = os.getloadavg()[0]
    t_local, local = timed(process_corpus, paths=[str(corpus_path)], store=str(tmp / "local"))
    t_one = one_thread_run(corpus_path, tmp / "one-thread")
    started = time.perf_counter()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        with lc.get_client() as client:
            client.register_plugin(qcluster.worker_setup(1))
            # loaded on every worker (they stay there), as in this process before its run
            client.run(lambda: (load_pipeline("de"), load_encoder()) and None)
            t_start = time.perf_counter() - started
            # the same batches as the local run: parsed again, not read from Prefect's cache
            with temporary_settings(updates={PREFECT_TASKS_REFRESH_CACHE: True}):
                t_dask, dask = timed(corpus_flow("dask", address=lc.scheduler_address), paths=[str(corpus_path)],
                                     store=str(tmp / "dask"), runner="dask", address=lc.scheduler_address)
            states = client.run(qcluster.worker_state)
    same = _quote_rows(tmp / "local").equals(_quote_rows(tmp / "dask"))
    docs = local["processed"]
    assert dask["processed"] == docs, (local, dask)
    memory = ", ".join(f"{s['max_rss_mb']:.0f} MB" for s in states.values())
    threads = {s["torch_threads"] for s in states.values()}
    rows = [
        (f"one process (default runner, torch threads {torch.get_num_threads()}), {docs} articles",
         f"{t_local:.1f} s", f"{docs / t_local:.2f} docs/s"),
        (f"Dask runner, LocalCluster of {args.workers} workers (torch threads {sorted(threads)})",
         f"{t_dask:.1f} s", f"{docs / t_dask:.2f} docs/s: ×{t_local / t_dask:.2f} (target ≥ 1.4)"),
        ("the library's run in one process of one thread (models loaded first; the speed a worker can have)",
         f"{t_one:.1f} s", f"{docs / t_one:.2f} docs/s: 2 workers at most ×{2 * t_local / t_one:.2f} of one process"),
        ("cluster start + stanza and the encoder loaded on every worker (not in the line above)", f"{t_start:.1f} s", ""),
        ("peak memory per worker (resident)", memory, ""),
        ("the two stores hold the same quote rows", "yes" if same else "NO", f"{local['quotes']} quotes"),
    ]
    print_table(f"documents per second: one process vs Dask ({args.limit} articles of train.jsonl; load average "
                f"at start {load_before:.2f})", rows)
    return {"docs": docs, "local_s": t_local, "dask_s": t_dask, "speedup": t_local / t_dask,
            "one_thread_s": t_one, "cluster_start_s": t_start, "worker_rss_mb": [s["max_rss_mb"] for s in states.values()],
            "same_quotes": same}


def one_thread_run(corpus_path: Path, store: Path) -> float:
    """Seconds of ``corpus.run_corpus`` over ``corpus_path`` in a fresh process held to one thread
    (torch, BLAS and the encoder), its models loaded before the clock starts."""
    code = (
        "import json, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import torch; torch.set_num_threads(1)\n"
        "from quotes.run import runner as corpus\nfrom quotes.embed.encoders import load_encoder\nfrom quotes.parse.parser import load_pipeline\n"
        "load_pipeline('de'); load_encoder()\n"
        "started = time.perf_counter()\n"
        f"corpus.run_corpus([{str(corpus_path)!r}], {str(store)!r})\n"
        "print(json.dumps(time.perf_counter() - started))\n")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", QUOTES_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def write_synthetic(n: int, folder: Path) -> Path:
    """``n`` documents from the dev articles, repeated, each with its number appended."""
    dev = [json.loads(line)["originalText"] for line in open(TRAIN.with_name("dev.jsonl"), encoding="utf-8")]
    path = folder / "synthetic.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            text = f"{dev[i % len(dev)]}\n\n(Meldung {i + 1} von {n})"
            out.write(json.dumps({"id": f"synthetic-{i:06d}", "text": text, "lang": "de"}, ensure_ascii=False) + "\n")
    return path


def bench_synthetic(args) -> dict:
    """``quotes run --runner dask`` over N documents; the driver's peak memory from /proc."""
    import polars as pl

    from quotes.run.cluster import CHUNK

    tmp = Path(tempfile.mkdtemp(prefix="quotes-bench-synthetic-"))
    corpus_path = write_synthetic(args.synthetic, tmp)
    store = tmp / "store"
    env = dict(os.environ, PREFECT_HOME=str(tmp / "prefect-home"))
    command = [str(BIN / "quotes"), "run", str(corpus_path), "--store", str(store), "--runner", "dask",
               "--workers", str(args.workers)] + (["--no-embed"] if args.no_embed else [])
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "run.log", "w"))
    peak_kb = processing_kb = 0
    log = tmp / "run.log"
    while process.poll() is None:
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak_kb = max(peak_kb, int(status.split("VmHWM:")[1].split()[0]))
            # until the run's summary line: the batches; after it, the report of the whole store
            if not processing_kb and " inputs: " in log.read_text(encoding="utf-8", errors="replace"):
                processing_kb = peak_kb
        except (OSError, IndexError):
            pass
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    assert process.returncode in (0, 1), (process.returncode, (tmp / "run.log").read_text()[-2000:])
    from quotes.store.reader import open_store

    tables = open_store(store)
    docs = tables.documents.select(pl.len()).collect().item()
    failures = tables.failures.select(pl.len()).collect().item()
    quotes = tables.quotes.select(pl.len(), pl.col("quote_id").n_unique()).collect().row(0)
    doc_keys = tables.documents.select(pl.col("doc_id").n_unique()).collect().item()
    from quotes.store.writer import Store

    raw = {name: Store(store).scan(name).select(pl.len()).collect().item() for name in ("quotes", "documents")}
    rows = [
        (f"`quotes run --runner dask --workers {args.workers}{' --no-embed' if args.no_embed else ''}` over "
         f"{args.synthetic:,} documents", f"{seconds:.0f} s",
         f"{args.synthetic / seconds:.2f} docs/s, Prefect and cluster start included"),
        ("documents + failures = inputs", f"{docs:,} + {failures:,} = {docs + failures:,}",
         "nothing lost" if docs + failures == args.synthetic else f"LOST {args.synthetic - docs - failures}"),
        ("repeated keys (documents; quotes)", f"{docs - doc_keys}; {quotes[0] - quotes[1]}",
         f"{quotes[0]:,} quotes; rows stored, visible or not: {raw['documents']:,} documents, {raw['quotes']:,} quotes"),
        ("peak resident memory of the driver (`quotes run`) while processing", f"{processing_kb / 1024:.0f} MB",
         f"it holds at most 2 batches of {CHUNK} texts per worker thread"),
        ("… and at the end, with the report of the whole store (write-report)", f"{peak_kb / 1024:.0f} MB", ""),
    ]
    print_table(f"a {args.synthetic:,}-document corpus on Dask", rows)
    return {"synthetic_docs": args.synthetic, "synthetic_s": seconds, "documents": docs, "failures": failures,
            "quotes": quotes[0], "unique_quotes": quotes[1], "driver_peak_mb": peak_kb / 1024,
            "driver_processing_peak_mb": processing_kb / 1024, "raw": raw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=700, help="articles from train.jsonl (all: 700)")
    parser.add_argument("--parse-docs", type=int, default=24, help="articles for batched vs one at a time")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--quotes", type=int, default=1_000_000, help="quotes in the synthetic store")
    parser.add_argument("--no-prefect", action="store_true", help="skip the Prefect flow re-run")
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's own choice)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--dask", action="store_true", help="only: one process vs the Dask runner")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes (--dask, --synthetic)")
    parser.add_argument("--synthetic", type=int, help="only: a run of this many documents on Dask")
    parser.add_argument("--latency", action="store_true", help="only: query/audit as whole commands")
    parser.add_argument("--no-embed", action="store_true", help="--synthetic: statements without vectors "
                        "(the run's other steps as usual; `quotes embed` would add them)")
    args = parser.parse_args()
    for mode, run in (("dask", bench_dask), ("synthetic", bench_synthetic), ("latency", bench_latency)):
        if getattr(args, mode):
            figures = run(args)
            if args.json:
                args.json.write_text(json.dumps(figures, indent=2, default=str))
            return

    import polars as pl
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from quotes.ask import query as ask
    from quotes.parse.parser import load_pipeline, parse_documents
    from quotes.run import runner as corpus
    from quotes.store.reader import open_store
    from quotes.store.writer import Store

    load_before = os.getloadavg()[0]
    rows: list[tuple[str, str, str]] = []
    figures: dict[str, float | int | str] = {}
    tmp = Path(tempfile.mkdtemp(prefix="quotes-bench-"))
    corpus_path, texts = write_corpus(args.limit, tmp)
    nlp = load_pipeline("de")
    stanza_alone(nlp, texts[:2], args.batch_size)  # warm-up: first calls allocate

    # end to end, with the time inside stanza measured; stanza alone on each chunk right before
    # the pipeline does it, so that a change in background load hits both alike
    watch = Stopwatch(nlp.bulk_process)
    store = Store(tmp / "store")
    t_e2e = t_alone = 0.0
    tokens = 0
    started = time.perf_counter()
    versions = corpus.current_versions()
    work = corpus.read_plan([str(corpus_path)], store, versions)
    t_e2e += time.perf_counter() - started
    for chunk in corpus.chunks(work.todo, 32):
        seconds, chunk_tokens = stanza_alone(nlp, [d.text for d in chunk], args.batch_size)
        t_alone, tokens = t_alone + seconds, tokens + chunk_tokens
        nlp.bulk_process = watch
        started = time.perf_counter()
        # statements without vectors: the encoder's cost is measured apart (benchmarks/trace_bench.py)
        store.write(corpus.process_batch(list(chunk), versions, "auto", args.batch_size, embed=False))
        t_e2e += time.perf_counter() - started
        nlp.bulk_process = watch.fn
    t_e2e += timed(store.compact)[0]
    counts = {name: store.scan(name).select(pl.len()).collect().item() for name in ("documents", "quotes", "failures")}
    docs = counts["documents"]
    figures.update(docs=docs, tokens=tokens, e2e_s=t_e2e, stanza_in_e2e_s=watch.seconds, stanza_alone_s=t_alone,
                   quotes=counts["quotes"], failures=counts["failures"])
    rows += [
        ("end to end (ingest → … → Delta write, into a fresh store)", f"{docs} docs, {tokens:,} tokens in {t_e2e:.1f} s",
         f"{docs / t_e2e:.2f} docs/s, {tokens / t_e2e:.0f} tokens/s"),
        ("time inside stanza / everything else (in that run)", f"{watch.seconds:.1f} s / {t_e2e - watch.seconds:.1f} s",
         f"{watch.seconds / t_e2e:.1%} / {(t_e2e - watch.seconds) / t_e2e:.1%}"),
        ("stanza alone, same texts and batches", f"{t_alone:.1f} s", f"{tokens / t_alone:.0f} tokens/s"),
        ("pipeline over stanza alone (target ≤ 15 %)", f"{t_e2e:.1f} s vs {t_alone:.1f} s",
         f"{(t_e2e - t_alone) / t_alone:+.1%}"),
    ]

    # batched against one document at a time
    subset = texts[: args.parse_docs]
    t_batched, _ = timed(parse_documents, subset, "de", batch_size=args.batch_size)
    t_single, _ = timed(parse_documents, subset, "de", batch_size=1)
    figures.update(parse_batched_s=t_batched, parse_single_s=t_single)
    rows.append((f"parse {len(subset)} docs: batched ({args.batch_size}) vs one at a time",
                 f"{t_batched:.1f} s vs {t_single:.1f} s",
                 f"{len(subset) / t_batched:.2f} vs {len(subset) / t_single:.2f} docs/s (×{t_single / t_batched:.2f})"))

    # a second run over the unchanged corpus
    t_again, again = timed(corpus.run_corpus, [str(corpus_path)], store, batch_size=args.batch_size)
    assert again.processed == 0 and again.skipped == docs, again
    figures.update(rerun_s=t_again)
    rows.append(("second run, unchanged corpus (library; target < 5 %)", f"{t_again:.2f} s",
                 f"{t_again / t_e2e:.2%} of the first"))
    if not args.no_prefect:
        from flows.process_corpus import process_corpus

        os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect-home"))
        t_flow, flow_summary = timed(process_corpus, paths=[str(corpus_path)], store=store.uri)
        assert flow_summary["processed"] == 0, flow_summary
        figures.update(rerun_flow_s=t_flow)
        rows.append(("second run by the Prefect flow (ephemeral server start included)", f"{t_flow:.1f} s",
                     f"{t_flow / t_e2e:.1%} of the first"))

    # query and audit on a synthetic store
    synth = tmp / "synthetic"
    t_build, shape = timed(synthetic_store, synth, args.quotes)
    t_query = latency(lambda: ask.query_quotes(open_store(synth), speaker=shape["speaker"]).collect())
    t_filters = latency(lambda: ask.query_quotes(open_store(synth), outlet="Outlet 7", source="Source 3",
                                                 since="2024-06-01").collect())
    t_audit = latency(lambda: ask.audit(open_store(synth)))
    t_speakers = latency(lambda: ask.speakers(ask.query_quotes(open_store(synth))).collect())
    t_cli_query = cli_latency(["query", "quotes", "--speaker", shape["speaker"], "--format", "csv",
                               "--store", str(synth)])
    t_cli_audit = cli_latency(["audit", "--format", "json", "--store", str(synth)])
    t_cli_help = cli_latency(["--help"])
    figures.update(synthetic_build_s=t_build, query_s=t_query, query_filters_s=t_filters, audit_s=t_audit,
                   speakers_s=t_speakers, cli_query_s=t_cli_query, cli_audit_s=t_cli_audit,
                   cli_startup_s=t_cli_help)
    where = f"{shape['quotes']:,} quotes, {shape['documents']:,} docs, {shape['citations']:,} citations"
    rows += [
        (f"query quotes --speaker, in-process ({where})", f"{t_query * 1000:.0f} ms", "target < 500 ms"),
        ("query quotes --outlet --source --since, in-process", f"{t_filters * 1000:.0f} ms", "target < 500 ms"),
        ("audit, in-process", f"{t_audit * 1000:.0f} ms", "target < 500 ms"),
        ("query speakers, in-process", f"{t_speakers * 1000:.0f} ms", ""),
        ("`quotes query quotes --speaker … --format csv`, whole command", f"{t_cli_query * 1000:.0f} ms",
         f"of which ~{t_cli_help * 1000:.0f} ms is starting Python + the CLI"),
        ("`quotes audit --format json`, whole command", f"{t_cli_audit * 1000:.0f} ms", ""),
    ]

    print_table(f"quotes benchmark (torch threads {torch.get_num_threads()}, load average at start {load_before:.2f})",
                rows, "| measure | time | rate / share |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
