"""The store on S3-compatible object storage: moto's S3 server (moto[server], a test dependency)
in a process of its own on a free port of 127.0.0.1, the store's Delta tables under s3://quotes-test/…, deltalake's own
S3 client with storage options (no locking provider: deltalake commits with S3's conditional
writes, which moto implements).

What this covers: a run writes there, readers (the library and the read commands) get the same
rows as from a local folder, and writers racing each other lose nothing. What it does not: real
AWS (or MinIO, R2, …) latency, consistency and credentials."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import polars as pl
import pytest
from conftest import SEEDS, run_main

BUCKET = "quotes-test"


@pytest.fixture(scope="module")
def s3():
    """A running S3 server (its own process: deltalake's client may block this one's GIL while it
    waits for an answer) and the deltalake storage options that reach it."""
    pytest.importorskip("moto.server", reason="moto[server] is a test dependency")
    import boto3

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}"
        options = {"AWS_ENDPOINT_URL": url, "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "testing",
                   "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
        boto3.client("s3", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing",
                     region_name="us-east-1").create_bucket(Bucket=BUCKET)
        yield options
    finally:
        server.terminate()
        server.wait(timeout=10)


def _quotes(tables) -> pl.DataFrame:
    return tables.quotes.collect().drop("write_id").sort("doc_id", "quote_id")


@pytest.mark.models
def test_a_run_on_s3_reads_back_as_from_a_folder(s3, seed_store, capsys, monkeypatch):
    from quotes.run import runner as corpus
    from quotes.store.reader import open_store
    from quotes.store.writer import Store

    uri = f"s3://{BUCKET}/run"
    summary = corpus.run_corpus([str(SEEDS)], Store(uri, storage_options=s3))
    assert (summary.processed, summary.failures) == (5, 0)
    remote, local = open_store(uri, storage_options=s3), open_store(seed_store.uri)
    assert _quotes(remote).equals(_quotes(local))
    # the read commands, with the options in QUOTES_STORAGE_OPTIONS as a user gives them
    monkeypatch.setenv("QUOTES_STORAGE_OPTIONS", json.dumps(s3))
    status, out, err = run_main(capsys, "audit", "--format", "json", "--store", uri)
    assert status == 0, err
    status, local_out, err = run_main(capsys, "audit", "--format", "json", "--store", seed_store.uri)
    assert json.loads(out) == json.loads(local_out) and json.loads(out)
    status, out, err = run_main(capsys, "query", "quotes", "--speaker", "Peskow", "--format", "jsonl", "--store", uri)
    assert status == 0 and out.count("\n") >= 1 and "Peskow" in out, err
    status, out, err = run_main(capsys, "query", "quotes", "--store", f"s3://{BUCKET}/nothing-here")
    assert status == 2 and "holds no quotes store" in err and len(err.strip().splitlines()) == 1


@pytest.mark.models
def test_writers_racing_on_s3_lose_nothing(s3, models):
    """Two threads upsert the seeds, one document a commit, twice over: every document once, every
    quote once, and no row of a replaced version left behind."""
    from quotes.ingest.read import read_documents
    from quotes.run import runner as corpus
    from quotes.store.reader import open_store
    from quotes.store.writer import Store

    uri = f"s3://{BUCKET}/race"
    items = corpus.process_batch(list(read_documents([str(SEEDS)])), corpus.current_versions())
    errors: list[BaseException] = []

    def writer(mine):
        try:
            store = Store(uri, storage_options=s3)
            for _ in range(2):
                for item in mine:
                    store.write([item])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(items[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    tables = open_store(uri, storage_options=s3)
    documents = tables.documents.collect()
    quotes = tables.quotes.collect()
    assert sorted(documents["doc_id"]) == sorted(i.result.doc_id for i in items)
    assert quotes.height == sum(len(i.result.quotes) for i in items) == quotes["quote_id"].n_unique()
    # the replaced versions' rows were deleted, not only hidden
    assert Store(uri, storage_options=s3).scan("quotes").select(pl.len()).collect().item() == quotes.height
