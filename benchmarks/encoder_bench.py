"""Speed and memory of the sentence encoder on real German news sentences.

    flock /tmp/quotes-heavy.lock env PYTHONPATH=$PWD .venv/bin/python benchmarks/encoder_bench.py \
        ../shared/data/german-news-quotes/dev.jsonl --sentences 512

Reads the sentences of a German-news-quotes file (the ``sentences[].text`` field; any JSONL with
that shape), embeds the first N with batch sizes 1, 16 and 64 (one warm-up pass first), and prints
a markdown table: wall-clock and CPU ms per sentence (the machine is shared: wall time
grows when other jobs run, CPU time much less), sentences per second, and the process memory (RSS) before the
encoder was loaded, after loading, and at its peak.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import peak_mb, rss_mb  # noqa: E402


def read_sentences(path: str, n: int) -> list[str]:
    out: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for s in doc.get("sentences", []):
                text = " ".join(s["text"].split())
                if text:
                    out.append(text)
                if len(out) >= n:
                    return out
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--sentences", type=int, default=512)
    ap.add_argument("--batches", default="1,16,64")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--encoder", default=None, help="encoder name (default: the 'encoder' setting)")
    ap.add_argument("--repeat", type=int, default=2, help="timed passes per batch size (median reported)")
    args = ap.parse_args(argv)

    texts = read_sentences(args.path, args.sentences)
    chars = statistics.mean(len(t) for t in texts)
    rss0 = rss_mb()
    t0 = time.perf_counter()
    from quotes.embed.encoders import load_encoder
    enc = load_encoder(args.encoder, threads=args.threads)
    load_s = time.perf_counter() - t0
    rss1 = rss_mb()
    tokens = None
    if hasattr(enc, "_model") and hasattr(enc._model, "token_count"):
        tokens = statistics.mean(enc._model.token_count(t, True) for t in texts)
    enc.batch_size = 64
    enc.encode(texts[:64])  # warm-up
    print(f"encoder {enc.name}, threads {getattr(enc, 'threads', '?')}, {len(texts)} sentences, "
          f"mean {chars:.0f} chars" + (f", {tokens:.1f} tokens with prefix" if tokens else "")
          + f"; load {load_s * 1000:.0f} ms; cores {os.cpu_count()}")
    print()
    print("| batch | wall ms / sentence | CPU ms / sentence (all threads) | sentences / s | total s |")
    print("|---:|---:|---:|---:|---:|")
    for b in [int(x) for x in args.batches.split(",")]:
        enc.batch_size = b
        times, cpus = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            enc.encode(texts)
            times.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        s, c = statistics.median(times), statistics.median(cpus)
        print(f"| {b} | {s / len(texts) * 1000:.2f} | {c / len(texts) * 1000:.2f} | {len(texts) / s:.1f} | {s:.2f} |")
    print()
    print(f"memory: RSS {rss0:.0f} MB before loading, {rss1:.0f} MB after loading, "
          f"{rss_mb():.0f} MB after the runs, peak {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
