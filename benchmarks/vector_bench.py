"""Vector search for `trace` at store scale: exact (brute force) vs HNSW, at N x 384 vectors.

    # 1. real embeddings to build realistic vectors from (German news sentences + PUD de/en pairs)
    flock /tmp/quotes-heavy.lock env PYTHONPATH=$PWD .venv/bin/python benchmarks/vector_bench.py base \
        --news ../shared/data/german-news-quotes/train.jsonl --pud ../shared/data/pud-de-en/dev.jsonl
    # 2. the N stored vectors, the queries and the exact answers
    flock /tmp/quotes-heavy.lock env PYTHONPATH=$PWD .venv/bin/python benchmarks/vector_bench.py data --n 1000000
    # 3. one method at a time (each builds in one process and searches in a fresh one)
    flock /tmp/quotes-heavy.lock env PYTHONPATH=$PWD .venv/bin/python benchmarks/vector_bench.py run \
        --n 1000000 numpy-f32 usearch-exact-f16 usearch-hnsw-f16 ...
    # 4. the table of everything measured so far
    .venv/bin/python benchmarks/vector_bench.py table --n 1000000

Realistic vectors: the e5 space is strongly anisotropic (unrelated news sentences score 0.7-0.85),
unlike uniform random vectors. So the stored vectors are drawn from a Gaussian with the mean and
covariance of 4,000 real German news sentence embeddings, then normalised: random pairs score
like real ones. (A Gaussian has none of the near-duplicate clusters of a real news corpus, which
makes it, if anything, harder for a graph index.) Queries come in two kinds: 'counterpart' queries
are a stored vector shifted by a real translation difference (English minus German embedding of
one PUD sentence pair), as a translated statement would be; 'fresh' queries are new samples,
shifted the same way, with no counterpart. Recall@10 is measured against the exact float32 top 10; for
counterpart queries also whether the stored original is found first.

Work files go to --work (default /tmp/vector-bench); the results accumulate in results.jsonl there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pathlib import Path

import numpy as np
from measure import peak_mb, rss_mb  # noqa: E402

K = 10
N_QUERIES = 200  # half counterpart, half fresh




def normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


# ---------------------------------------------------------------- 1. real embeddings

def cmd_base(args) -> None:
    from quotes.embed.encoders import load_encoder
    enc = load_encoder()
    news: list[str] = []
    with open(args.news, encoding="utf-8") as f:
        for line in f:
            for s in json.loads(line).get("sentences", []):
                t = " ".join(s["text"].split())
                if len(t) >= 20:
                    news.append(t)
    news = news[: args.sentences]
    de, en = [], []
    with open(args.pud, encoding="utf-8") as f:
        for line in f:
            for s in json.loads(line)["sentences"]:
                de.append(s["de"])
                en.append(s["en"])
    t = time.perf_counter()
    base = enc.encode(news)
    pde, pen = enc.encode(de), enc.encode(en)
    print(f"embedded {len(news)} news + {len(de)} PUD pairs in {time.perf_counter() - t:.0f} s")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    np.savez(work / "base.npz", news=base, pud_de=pde, pud_en=pen)


# ---------------------------------------------------------------- 2. data set

class Gaussian:
    """Samples with the mean and covariance of real sentence embeddings, normalised."""

    def __init__(self, real: np.ndarray):
        self.mu = real.mean(0)
        cov = np.cov(real - self.mu, rowvar=False) + 1e-6 * np.eye(real.shape[1])
        self.L = np.linalg.cholesky(cov).astype(np.float32)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        out = np.empty((n, len(self.mu)), dtype=np.float32)
        step = 100_000
        for s in range(0, n, step):
            e = min(n, s + step)
            z = rng.standard_normal((e - s, len(self.mu)), dtype=np.float32)
            out[s:e] = normalise(self.mu + z @ self.L.T)
        return out


def cmd_data(args) -> None:
    work = Path(args.work)
    z = np.load(work / "base.npz")
    news, pde, pen = z["news"], z["pud_de"], z["pud_en"]
    rng = np.random.default_rng(args.seed)
    t = time.perf_counter()
    gauss = Gaussian(news)
    X = gauss.sample(args.n, rng)
    half = N_QUERIES // 2
    shifts = pen - pde                # real translation differences
    targets = rng.choice(args.n, half, replace=False)
    q_counter = normalise(X[targets] + shifts[rng.integers(0, len(shifts), half)])
    q_fresh = normalise(gauss.sample(half, rng) + shifts[rng.integers(0, len(shifts), half)])
    Q = np.vstack([q_counter, q_fresh]).astype(np.float32)
    # exact answers (float32, all at once)
    S = np.empty((len(Q), K), dtype=np.int64)
    scores = X @ Q.T
    for j in range(len(Q)):
        col = scores[:, j]
        top = np.argpartition(-col, K)[:K]
        S[j] = top[np.argsort(-col[top])]
    np.save(work / f"X{args.n}.npy", X)
    np.savez(work / f"Q{args.n}.npz", Q=Q, targets=targets, truth=S)
    # how realistic: cosine of random pairs, of nearest neighbours, of counterpart queries
    rp = rng.integers(0, args.n, (2000, 2))
    real_nn = news[:2000] @ news[2000:].T
    real_rp = rng.integers(0, len(news), (2000, 2))
    print(f"data: {args.n} x {X.shape[1]} in {time.perf_counter() - t:.0f} s")
    print(f"cos of random pairs: synthetic {np.mean(np.sum(X[rp[:, 0]] * X[rp[:, 1]], 1)):.3f}, "
          f"real news {np.mean(np.sum(news[real_rp[:, 0]] * news[real_rp[:, 1]], 1)):.3f}")
    print(f"cos of real PUD translation pairs (de, en): {np.mean(np.sum(pde * pen, 1)):.3f}")
    print(f"counterpart queries: cos to their stored vector {np.mean(np.sum(q_counter * X[targets], 1)):.3f}; "
          f"exact top-1 is the stored vector for {np.mean(S[:half, 0] == targets):.3f}")
    print(f"nearest-neighbour cosine among 2000 x 2000: real {real_nn.max(1).mean():.3f}, "
          f"synthetic {(X[:2000] @ X[2000:4000].T).max(1).mean():.3f}")
    best = np.take_along_axis(scores, S.T[:1], 0)[0]
    print(f"fresh queries: best stored cosine mean {best[half:].mean():.3f} (max {best[half:].max():.3f})")


# ---------------------------------------------------------------- 3. methods

def exact_topk(scores: np.ndarray, k: int) -> np.ndarray:
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


I8_SCALE = 640.0  # e5 components stay within +-0.19: scaled so that they fill the int8 range


def to_i8(X: np.ndarray) -> np.ndarray:
    """int8 codes for cosine search (the scale does not change a cosine; clipping is rare)."""
    return np.clip(np.round(X * I8_SCALE), -127, 127).astype(np.int8)


class Method:
    """build(X) in one process, save; load in a fresh one and search one query at a time."""

    efs: tuple[int, ...] = (0,)  # query-time search depths to measure (graph indexes)

    def set_ef(self, ef: int) -> None: ...

    def build(self, X: np.ndarray, path: Path) -> None: ...
    def load(self, path: Path) -> None: ...
    def search(self, q: np.ndarray, k: int) -> np.ndarray: ...


class NumpyF32(Method):
    def build(self, X, path):
        np.save(path, X)

    def load(self, path):
        self.X = np.load(str(path) + ".npy")

    def search(self, q, k):
        return exact_topk(self.X @ q, k)


class NumpyF16(Method):
    """float16 at rest; scored in chunks upcast to float32 (numpy has no float16 BLAS)."""
    chunk = 65536

    def build(self, X, path):
        np.save(path, X.astype(np.float16))

    def load(self, path):
        self.X = np.load(str(path) + ".npy")

    def search(self, q, k):
        n = len(self.X)
        s = np.empty(n, dtype=np.float32)
        for i in range(0, n, self.chunk):
            s[i:i + self.chunk] = self.X[i:i + self.chunk].astype(np.float32) @ q
        return exact_topk(s, k)


class NumpyF16Matmul(NumpyF16):
    """float16 at rest, numpy's own float16 matmul (no BLAS)."""

    def search(self, q, k):
        return exact_topk((self.X @ q.astype(np.float16)).astype(np.float32), k)


class UsearchExact(Method):
    """usearch.index.search(exact=True): SIMD brute force over float16 or int8 vectors."""

    def __init__(self, dtype):
        self.dtype = dtype

    def build(self, X, path):
        np.save(path, self._cast(X))

    def _cast(self, X):
        if self.dtype == "f16":
            return X.astype(np.float16)
        return to_i8(X)

    def load(self, path):
        from usearch.index import search as usearch_search
        self.fn = usearch_search
        self.X = np.load(str(path) + ".npy")

    def search(self, q, k):
        m = self.fn(self.X, self._cast(q[None])[0], k, "ip" if self.dtype == "f16" else "cos",
                    exact=True, threads=2)
        return np.asarray(m.keys)


class UsearchHNSW(Method):
    efs = (64, 128, 256)

    def __init__(self, dtype, connectivity=16, expansion_add=128, efs=None):
        self.dtype, self.M, self.efc = dtype, connectivity, expansion_add
        self.efs = efs or self.efs

    def _cast(self, X):
        return to_i8(X) if self.dtype == "i8" else X

    def build(self, X, path):
        from usearch.index import Index
        idx = Index(ndim=X.shape[1], metric="cos", dtype=self.dtype, connectivity=self.M,
                    expansion_add=self.efc)
        step = 100_000
        for s in range(0, len(X), step):
            idx.add(np.arange(s, min(len(X), s + step), dtype=np.uint64), self._cast(X[s:s + step]), threads=2)
        idx.save(str(path) + ".usearch")

    def load(self, path):
        from usearch.index import Index
        self.idx = Index.restore(str(path) + ".usearch")

    def set_ef(self, ef):
        self.idx.expansion_search = ef

    def search(self, q, k):
        return np.asarray(self.idx.search(self._cast(q), k, threads=1).keys)


class Hnswlib(Method):
    efs = (64, 128, 256)

    def __init__(self, M=16, efc=128):
        self.M, self.efc = M, efc

    def set_ef(self, ef):
        self.idx.set_ef(ef)

    def build(self, X, path):
        import hnswlib
        idx = hnswlib.Index(space="ip", dim=X.shape[1])
        idx.init_index(max_elements=len(X), M=self.M, ef_construction=self.efc)
        idx.set_num_threads(2)
        idx.add_items(X, np.arange(len(X)))
        idx.save_index(str(path) + ".hnsw")

    def load(self, path):
        import hnswlib
        self.idx = hnswlib.Index(space="ip", dim=384)
        self.idx.load_index(str(path) + ".hnsw")
        self.idx.set_num_threads(1)

    def search(self, q, k):
        return self.idx.knn_query(q[None], k)[0][0]


class Faiss(Method):
    def __init__(self, factory):
        self.factory = factory
        if "HNSW" in factory:
            self.efs = (64, 128, 256)

    def set_ef(self, ef):
        import faiss
        faiss.ParameterSpace().set_index_parameter(self.idx, "efSearch", ef)

    def build(self, X, path):
        import faiss
        faiss.omp_set_num_threads(2)
        idx = faiss.index_factory(X.shape[1], self.factory, faiss.METRIC_INNER_PRODUCT)
        if not idx.is_trained:
            idx.train(X[:100_000])
        idx.add(X)
        faiss.write_index(idx, str(path) + ".faiss")

    def load(self, path):
        import faiss
        faiss.omp_set_num_threads(2)
        self.idx = faiss.read_index(str(path) + ".faiss")

    def search(self, q, k):
        return self.idx.search(q[None], k)[1][0]


class QuotesVectorIndex(Method):
    """quotes.embed.vector_index.VectorIndex itself: build, save to a folder, load, search one query."""

    def build(self, X, path):
        from quotes.embed.vector_index import VectorIndex
        VectorIndex.build(np.arange(len(X)), X).save(str(path) + ".vi")

    def load(self, path):
        from quotes.embed.vector_index import VectorIndex
        self.idx = VectorIndex.load(str(path) + ".vi")

    def search(self, q, k):
        return self.idx.search(q, k)[0][0]


METHODS = {
    "quotes-vector-index": lambda: QuotesVectorIndex(),
    "numpy-f32": lambda: NumpyF32(),
    "numpy-f16-chunked": lambda: NumpyF16(),
    "numpy-f16-matmul": lambda: NumpyF16Matmul(),
    "usearch-exact-f16": lambda: UsearchExact("f16"),
    "usearch-exact-i8": lambda: UsearchExact("i8"),
    "faiss-flat-f32": lambda: Faiss("Flat"),
    "faiss-sq-f16": lambda: Faiss("SQfp16"),
    "faiss-sq-i8": lambda: Faiss("SQ8"),
    "usearch-hnsw-f32": lambda: UsearchHNSW("f32"),
    "usearch-hnsw-f16": lambda: UsearchHNSW("f16"),
    "usearch-hnsw-i8": lambda: UsearchHNSW("i8"),
    "usearch-hnsw-f16-m32": lambda: UsearchHNSW("f16", connectivity=32, expansion_add=256, efs=(256, 512, 1024)),
    "hnswlib-f32": lambda: Hnswlib(),
    "faiss-hnsw-f32": lambda: Faiss("HNSW32"),
}


def index_bytes(path: Path) -> int:
    files = [p for p in path.parent.glob(path.name + ".*")]
    files += [f for p in files if p.is_dir() for f in p.iterdir()]
    return sum(p.stat().st_size for p in files if p.is_file())


def cmd_build(args) -> None:  # child process
    work = Path(args.work)
    X = np.load(work / f"X{args.n}.npy")
    method = METHODS[args.method]()
    path = work / f"idx-{args.method}-{args.n}"
    rss0 = rss_mb()
    t = time.perf_counter()
    method.build(X, path)
    out = {"build_s": time.perf_counter() - t, "build_rss_mb": rss_mb() - rss0 + X.nbytes / 2**20,
           "build_peak_mb": peak_mb(), "file_mb": index_bytes(path) / 2**20}
    print(json.dumps(out))


def cmd_query(args) -> None:  # child process
    work = Path(args.work)
    z = np.load(work / f"Q{args.n}.npz")
    Q, targets, truth = z["Q"], z["targets"], z["truth"]
    method = METHODS[args.method]()
    path = work / f"idx-{args.method}-{args.n}"
    rss0 = rss_mb()
    t = time.perf_counter()
    method.load(path)
    load_s = time.perf_counter() - t
    rss1 = rss_mb()
    half = len(Q) // 2
    for ef in method.efs:
        if ef:
            method.set_ef(ef)
        method.search(Q[0], K)  # warm-up
        lat, recall, first = [], [], []
        for j, q in enumerate(Q):
            t = time.perf_counter()
            found = np.asarray(method.search(q, K), dtype=np.int64)
            lat.append(time.perf_counter() - t)
            recall.append(len(set(found.tolist()) & set(truth[j].tolist())) / K)
            if j < half:
                first.append(len(found) > 0 and found[0] == targets[j])
        lat_ms = sorted(x * 1000 for x in lat)
        out = {"ef": ef, "load_s": load_s, "query_rss_mb": rss1 - rss0, "p50_ms": statistics.median(lat_ms),
               "p95_ms": lat_ms[int(0.95 * len(lat_ms)) - 1], "recall10": float(np.mean(recall)),
               "recall10_fresh": float(np.mean(recall[half:])), "counterpart_first": float(np.mean(first))}
        print(json.dumps(out), flush=True)


def cmd_run(args) -> None:
    work = Path(args.work)
    env = dict(os.environ)
    for name in args.methods:
        row = {"method": name, "n": args.n}
        rows = []
        for phase in ("build", "query"):
            r = subprocess.run([sys.executable, __file__, phase, "--n", str(args.n), "--work", args.work,
                                "--method", name], capture_output=True, text=True, env=env)
            if r.returncode:
                row[f"{phase}_error"] = (r.stderr.strip().splitlines() or ["?"])[-1]
                rows = [row]
                break
            if phase == "build":
                row.update(json.loads(r.stdout.strip().splitlines()[-1]))
            else:
                for line in r.stdout.strip().splitlines():
                    q = json.loads(line)
                    rows.append({**row, **q, "method": name + (f" ef={q['ef']}" if q["ef"] else "")})
        with open(work / "results.jsonl", "a") as f:
            for r in rows:
                print(json.dumps(r), flush=True)
                f.write(json.dumps(r) + "\n")
        for p in work.glob(f"idx-{name}-{args.n}.*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def cmd_table(args) -> None:
    rows = {}
    with open(Path(args.work) / "results.jsonl") as f:
        for line in f:
            r = json.loads(line)
            if r["n"] == args.n:
                rows[r["method"]] = r  # the latest run of each
    print(f"| method (N = {args.n:,}) | build s | build peak RSS MB | on disk MB | load s | RSS after load MB "
          "| query p50 ms | p95 ms | recall@10 | counterpart first |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows.values():
        if "build_error" in r or "query_error" in r:
            print(f"| {r['method']} | error: {r.get('build_error') or r.get('query_error')} |")
            continue
        print(f"| {r['method']} | {r['build_s']:.1f} | {r['build_peak_mb']:.0f} | {r['file_mb']:.0f} | "
              f"{r['load_s']:.2f} | {r['query_rss_mb']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
              f"{r['recall10']:.3f} | {r['counterpart_first']:.3f} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("base", "data", "build", "query", "run", "table"):
        p = sub.add_parser(name)
        p.add_argument("--work", default="/tmp/vector-bench")
        p.add_argument("--n", type=int, default=1_000_000)
        if name == "base":
            p.add_argument("--news", required=True)
            p.add_argument("--pud", required=True)
            p.add_argument("--sentences", type=int, default=4000)
        if name == "data":
            p.add_argument("--seed", type=int, default=9)
        if name in ("build", "query"):
            p.add_argument("--method", required=True, choices=sorted(METHODS))
        if name == "run":
            p.add_argument("methods", nargs="+", choices=sorted(METHODS))
    args = ap.parse_args(argv)
    {"base": cmd_base, "data": cmd_data, "build": cmd_build, "query": cmd_query, "run": cmd_run,
     "table": cmd_table}[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
