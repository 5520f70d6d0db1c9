"""A cosine index over statement vectors that lives in a folder next to the Delta tables.

    index = VectorIndex.build(ids, vectors, encoder=encoder.name)
    index.add(more_ids, more_vectors)
    ids, scores = index.search(query_vectors, k=10)      # (nq, k) each, best first
    index.save(folder);  index = VectorIndex.load(folder)

Vectors are stored L2-normalised in float16 (768 bytes for a 384-d e5 vector; the rounding moves
a cosine by about 1e-3, far below the gap between a translation and a topic neighbour). Search is
exact: a SIMD brute-force scan by ``usearch`` (numpy when usearch is missing: about 7x slower).
Measured on the 2-core development machine (benchmarks/vector_bench.py, 1,000,000 vectors shaped
like real e5 embeddings): 108 ms a query (p95 118 ms), 0.6 s to load, 741 MB of memory, so
exact search meets the 0.5 s trace budget up to about 4 million statements.

An HNSW graph (usearch) is opt-in, with ``hnsw_above=N``: above N vectors the graph gives
candidates that are re-scored exactly. It is not the default: on the same data a graph with the
usual parameters (connectivity 16) found a translated statement's counterpart first for only
73 % of queries at 1,000,000 vectors (search depth 256), after a 10-minute build. The parameters
here (connectivity 32, build depth 256, search depth 512) found all of them at 200,000 vectors
(recall@10 0.95, 8 ms a query) but took 6 minutes to build those 200,000 on two cores.

The scores returned are cosines recomputed from the stored vectors in float32, so they do not
depend on which path found them.

Folder layout (format 1): ``vectors.npy`` (float16, n x dim), ``ids.npy`` (int64 or unicode),
``meta.json`` (written last: format, dim, count, encoder, and the graph file when there is one),
and ``hnsw.usearch`` when the graph is kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import numpy as np

FORMAT = "quotes-vector-index"
VERSION = 1
DTYPE = np.float16
HNSW_ABOVE: int | None = None  # opt-in: see the module docstring
HNSW_CONNECTIVITY = 32       # measured at 200k: the counterpart first for 100 % of queries
HNSW_EXPANSION_ADD = 256     # (connectivity 16: 95 %, and 73 % at 1M)
HNSW_EXPANSION_SEARCH = 512
CANDIDATES = 64  # graph candidates re-scored exactly per query (at least k)


class VectorIndexError(ValueError):
    """A folder that is not a (complete) vector index, or vectors that do not fit it."""


def _threads() -> int:
    from quotes.embed.encoders import (
        default_threads,  # the cores this process may use (QUOTES_THREADS on a cluster worker)
    )

    return default_threads()


def _as_matrix(vectors, dim: int | None, dtype=np.float32, chunk: int = 65_536) -> np.ndarray:
    """Rows L2-normalised, as dtype; converted a chunk at a time (no full float32 copy of a big input)."""
    v = np.asarray(vectors)
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2 or (dim is not None and v.shape[1] != dim):
        raise VectorIndexError(f"expected vectors of dimension {dim}, got shape {np.shape(vectors)}")
    if v.dtype.kind not in "fiu":
        raise VectorIndexError(f"vectors must be numbers, not {v.dtype}")
    out = np.empty(v.shape, dtype=dtype)
    for s in range(0, len(v), chunk):
        part = v[s:s + chunk].astype(np.float32)
        if not np.all(np.isfinite(part)):
            raise VectorIndexError("vectors contain NaN or infinity")
        norms = np.linalg.norm(part, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out[s:s + chunk] = part / norms
    return out


class VectorIndex:
    """Exact cosine search over (id, vector) pairs, with an HNSW graph for very large indexes."""

    def __init__(self, dim: int, *, encoder: str | None = None, hnsw_above: int | None = HNSW_ABOVE):
        self.dim = int(dim)
        self.encoder = encoder
        self.hnsw_above = hnsw_above
        self._vectors = np.empty((0, self.dim), dtype=DTYPE)
        self._ids: np.ndarray | None = None
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # (ids, vectors) not yet merged
        self._graph = None          # usearch.index.Index over row numbers, or None
        self._graph_rows = 0        # rows the graph holds (rows 0 .. _graph_rows-1)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, ids: Sequence, vectors, *, encoder: str | None = None,
              hnsw_above: int | None = HNSW_ABOVE) -> "VectorIndex":
        dim = np.shape(vectors)[-1] if np.ndim(vectors) else 0
        index = cls(dim, encoder=encoder, hnsw_above=hnsw_above)
        index.add(ids, vectors)
        return index

    def add(self, ids: Sequence, vectors) -> None:
        """Append vectors with their ids (ints or strings; uniqueness is the caller's business)."""
        v = _as_matrix(vectors, self.dim, DTYPE)
        i = np.asarray(ids)
        if i.ndim != 1 or len(i) != len(v):
            raise VectorIndexError(f"{len(i)} ids for {len(v)} vectors")
        if i.dtype.kind not in "iuU":
            raise VectorIndexError(f"ids must be integers or strings, not {i.dtype}")
        if len(v):
            self._pending.append((i, v))

    def _merge(self) -> None:
        if not self._pending:
            return
        ids = [p[0] for p in self._pending]
        vecs = [p[1] for p in self._pending]
        if self._ids is not None:
            ids.insert(0, self._ids)
            vecs.insert(0, np.asarray(self._vectors))
        kinds = {a.dtype.kind for a in ids}
        if "U" in kinds and kinds != {"U"}:
            raise VectorIndexError("ids mix strings and integers")
        self._ids = np.concatenate(ids) if "U" in kinds else np.concatenate(ids).astype(np.int64)
        self._vectors = np.concatenate(vecs)
        self._pending = []

    def __len__(self) -> int:
        return (0 if self._ids is None else len(self._ids)) + sum(len(p[0]) for p in self._pending)

    @property
    def ids(self) -> np.ndarray:
        self._merge()
        return self._ids if self._ids is not None else np.empty(0, dtype=np.int64)

    @property
    def vectors(self) -> np.ndarray:
        """The stored vectors (float16, normalised)."""
        self._merge()
        return self._vectors

    # ------------------------------------------------------------------ search

    def search(self, queries, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The k stored vectors closest to each query: (ids, cosines), each (nq, min(k, len)), best first."""
        q = _as_matrix(queries, self.dim)
        self._merge()
        n = len(self)
        k = min(int(k), n)
        if k <= 0 or n == 0:
            return self.ids[:0].reshape(len(q), 0), np.empty((len(q), 0), dtype=np.float32)
        if self._use_graph(n):
            rows = self._graph_candidates(q, max(k, CANDIDATES))
        else:
            rows = self._exact_candidates(q, k)
        # exact float32 cosines of the candidates, best first
        scores = np.einsum("qcd,qd->qc", self._vectors[rows].astype(np.float32), q)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        rows = np.take_along_axis(rows, order, 1)
        scores = np.clip(np.take_along_axis(scores, order, 1), -1.0, 1.0)  # float16 rounding
        return self._ids[rows], scores.astype(np.float32)

    def _use_graph(self, n: int) -> bool:
        return self.hnsw_above is not None and n > self.hnsw_above

    def _exact_candidates(self, q: np.ndarray, k: int) -> np.ndarray:
        try:
            from usearch.index import search as usearch_search
        except ImportError:
            return self._exact_numpy(q, k)
        m = usearch_search(self._vectors, q.astype(DTYPE), k, "ip", exact=True, threads=_threads())
        return np.asarray(m.keys, dtype=np.int64).reshape(len(q), -1)[:, :k]

    def _exact_numpy(self, q: np.ndarray, k: int, chunk: int = 262_144) -> np.ndarray:
        best_rows = np.empty((len(q), 0), dtype=np.int64)
        best = np.empty((len(q), 0), dtype=np.float32)
        for start in range(0, len(self._vectors), chunk):
            s = self._vectors[start:start + chunk].astype(np.float32) @ q.T  # (c, nq)
            kk = min(k, len(s))
            top = np.argpartition(-s, kk - 1, axis=0)[:kk].T                 # (nq, kk)
            best_rows = np.hstack([best_rows, top + start])
            best = np.hstack([best, np.take_along_axis(s.T, top, 1)])
            keep = np.argsort(-best, axis=1)[:, :k]
            best_rows, best = np.take_along_axis(best_rows, keep, 1), np.take_along_axis(best, keep, 1)
        return best_rows

    def _graph_candidates(self, q: np.ndarray, c: int) -> np.ndarray:
        graph = self._ensure_graph()
        m = graph.search(q, c, threads=_threads())
        keys = np.asarray(m.keys, dtype=np.int64).reshape(len(q), -1)
        # a graph may return fewer than c (marked with the maximum key): fill with the first hit
        bad = (keys < 0) | (keys >= len(self._vectors))
        if bad.any():
            keys = np.where(bad, keys[:, :1], keys)
        return keys

    def _ensure_graph(self):
        from usearch.index import Index
        if self._graph is None:
            self._graph = Index(ndim=self.dim, metric="cos", dtype="f16", connectivity=HNSW_CONNECTIVITY,
                                expansion_add=HNSW_EXPANSION_ADD)
            self._graph_rows = 0
        self._graph.expansion_search = HNSW_EXPANSION_SEARCH
        n = len(self._vectors)
        if self._graph_rows < n:
            step = 100_000
            for s in range(self._graph_rows, n, step):
                e = min(n, s + step)
                self._graph.add(np.arange(s, e, dtype=np.uint64), self._vectors[s:e], threads=_threads())
            self._graph_rows = n
        return self._graph

    # ------------------------------------------------------------------ files

    def save(self, folder: str | os.PathLike) -> Path:
        """Write the index into folder (created when missing); meta.json is written last."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._merge()
        ids = self.ids
        graph_file = None
        if self._use_graph(len(ids)):
            graph = self._ensure_graph()
            graph_file = "hnsw.usearch"
            graph.save(str(folder / (graph_file + ".tmp")))
        for name, arr in (("vectors.npy", np.asarray(self._vectors)), ("ids.npy", ids)):
            tmp = folder / (name + ".tmp")
            with open(tmp, "wb") as f:
                np.save(f, arr, allow_pickle=False)
            os.replace(tmp, folder / name)
        if graph_file:
            os.replace(folder / (graph_file + ".tmp"), folder / graph_file)
        elif (folder / "hnsw.usearch").exists():
            (folder / "hnsw.usearch").unlink()
        meta = {"format": FORMAT, "version": VERSION, "dim": self.dim, "count": int(len(ids)),
                "dtype": "float16", "metric": "cosine", "encoder": self.encoder,
                "hnsw": {"file": graph_file, "rows": int(self._graph_rows),
                         "connectivity": HNSW_CONNECTIVITY} if graph_file else None}
        tmp = folder / "meta.json.tmp"
        tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, folder / "meta.json")
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike, *, encoder: str | None = None, mmap: bool = False,
             hnsw_above: int | None = HNSW_ABOVE) -> "VectorIndex":
        """Read an index folder. With ``encoder``, refuse one built by another encoder.
        With ``mmap``, the vectors are mapped from the file rather than read (instant open;
        the first scan then reads them from disk)."""
        folder = Path(folder)
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise VectorIndexError(f"{folder} holds no vector index (no meta.json)")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise VectorIndexError(f"{meta_path} cannot be read: {exc}") from None
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise VectorIndexError(f"{folder}: not a vector index of format {FORMAT} {VERSION} "
                              f"(found {meta.get('format')} {meta.get('version')})")
        if encoder is not None and meta.get("encoder") != encoder:
            raise VectorIndexError(f"{folder} was built with the encoder {meta.get('encoder')!r}, "
                              f"not {encoder!r}: re-embed the statements")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r" if mmap else None, allow_pickle=False)
        ids = np.load(folder / "ids.npy", allow_pickle=False)
        if vectors.shape != (meta["count"], meta["dim"]) or len(ids) != meta["count"]:
            raise VectorIndexError(f"{folder} is incomplete ({len(ids)} ids, vectors {vectors.shape}, "
                              f"meta.json says {meta['count']} x {meta['dim']}): rebuild it")
        index = cls(meta["dim"], encoder=meta.get("encoder"), hnsw_above=hnsw_above)
        index._ids, index._vectors = ids, vectors
        graph = meta.get("hnsw")
        if graph and (folder / graph["file"]).is_file():
            from usearch.index import Index
            index._graph = Index.restore(str(folder / graph["file"]))
            index._graph_rows = int(graph["rows"])
            if len(index._graph) != index._graph_rows:  # a graph out of step: rebuilt when needed
                index._graph, index._graph_rows = None, 0
        return index
