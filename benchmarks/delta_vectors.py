"""How to keep statement vectors in a Delta table: size, write and read-back time per layout.

    env PYTHONPATH=$PWD .venv/bin/python benchmarks/delta_vectors.py --n 100000

Writes N random normalised 384-d vectors with string ids through polars' write_delta in three
layouts (a fixed-size ``Array(Float32, 384)`` column, a ``List(Float32)`` column, and the float16
bytes in a ``Binary`` column), reads each back with read_delta into one numpy matrix, and prints
the time, the size on disk and the largest error. A layout that fails says where.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import polars as pl


def folder_mb(path: str) -> float:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=384)
    args = ap.parse_args(argv)
    import deltalake

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.n, args.dim)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = [f"st{i:08d}" for i in range(args.n)]
    root = tempfile.mkdtemp(prefix="delta-vectors-")
    print(f"polars {pl.__version__}, deltalake {deltalake.__version__}; {args.n:,} x {args.dim}")
    print()
    print("| layout | write s | on disk MB | read + to numpy s | max error |")
    print("|---|---:|---:|---:|---:|")
    layouts = {
        "Array(Float32, dim)": lambda: pl.DataFrame({"statement_id": ids, "vector": x},
                                                    schema={"statement_id": pl.String,
                                                            "vector": pl.Array(pl.Float32, args.dim)}),
        "List(Float32)": lambda: pl.DataFrame({"statement_id": ids,
                                               "vector": pl.Series(x).cast(pl.List(pl.Float32))}),
        "Binary (float16 bytes)": lambda: pl.DataFrame({"statement_id": ids,
                                                        "vector": [r.tobytes() for r in x.astype(np.float16)]}),
    }
    for name, make in layouts.items():
        path = os.path.join(root, name.split()[0].strip("(,"))
        df = make()
        t = time.perf_counter()
        try:
            df.write_delta(path)
        except Exception as exc:
            print(f"| {name} | write fails: {type(exc).__name__}: {str(exc)[:100]} | | | |")
            continue
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        try:
            col = pl.read_delta(path)["vector"]
        except Exception as exc:
            print(f"| {name} | {write_s:.2f} | {folder_mb(path):.0f} | read fails: {type(exc).__name__}: "
                  f"{str(exc)[:100]} | |")
            continue
        if col.dtype == pl.Binary:
            v = np.frombuffer(b"".join(col.to_list()), dtype=np.float16).reshape(-1, args.dim)
        elif isinstance(col.dtype, pl.List):
            v = col.list.to_array(args.dim).to_numpy()
        else:
            v = col.to_numpy()
        read_s = time.perf_counter() - t
        err = float(np.abs(v.astype(np.float32) - x).max())
        print(f"| {name} | {write_s:.2f} | {folder_mb(path):.0f} | {read_s:.2f} | {err:.1e} |")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
