"""The Dask runner: a real LocalCluster of two worker processes (one torch thread each) behind
prefect-dask's DaskTaskRunner, against the session's Prefect test server.

- the seeds and a few dev articles give the same rows on Dask as in one process;
- `quotes run --runner dask --address` on an existing scheduler, and a re-run that skips all;
- a LocalCluster started for the run (the default when no address is given);
- workers that run other software than the driver are refused;
- the driver's loop keeps at most ``in_flight`` batches out and reads its inputs as it goes;
- mistakes with the runner options are one line each (no cluster needed).
"""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
import pytest
from conftest import GERMAN_GOLD, SEEDS, need, run_main

DEV_ARTICLES = 6
CHUNK = 4  # small batches, so that both workers get some


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- mistakes: one line, exit status 2, nothing started ------------------------------------------


@pytest.mark.parametrize("args, says", [
    (["--runner", "dask", "--workers", "0"], "--workers 0: give at least 1 worker process"),
    (["--workers", "2"], "--workers needs --runner dask"),
    (["--runner", "dask", "--address", "localhost:8786"], "with its protocol"),
    (["--runner", "dask", "--workers", "2", "--address", "tcp://127.0.0.1:8786"], "not both"),
    (["--runner", "dask", "--address", "tcp://127.0.0.1:{port}"], "no Dask scheduler answers at tcp://127.0.0.1:"),
    (["--runner", "dask", "--address", "tcp://127.0.0.1:99999"], "give the scheduler's host and port (1-65535)"),
    (["--runner", "dask", "--address", "tcp://127.0.0.1"], "give the scheduler's host and port (1-65535)"),
    (["--runner", "dask", "--address", ""], "with its protocol"),
])
def test_runner_mistakes_are_one_line(capsys, tmp_path, args, says):
    args = [a.replace("{port}", str(_free_port())) for a in args]
    status, out, err = run_main(capsys, "run", str(SEEDS), "--store", str(tmp_path / "store"), *args)
    assert status == 2, err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "store").exists()


def test_serve_checks_the_runner_options_too(capsys, tmp_path):
    status, _, err = run_main(capsys, "serve", "--inbox", str(tmp_path / "inbox"), "--store", str(tmp_path / "s"),
                              "--runner", "dask", "--workers", "0")
    assert status == 2 and "--workers 0" in err and len(err.strip().splitlines()) == 1, err


# --- a real cluster ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_cluster(models):
    """An existing scheduler with two worker processes of one thread each."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        with Client(lc.scheduler_address, set_as_default=False) as client:
            yield lc.scheduler_address, client


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The seeds, and the first dev articles as JSONL."""
    dev = GERMAN_GOLD / "dev.jsonl"
    need(dev.is_file(), str(dev))
    folder = tmp_path_factory.mktemp("dask-inputs")
    with open(dev, encoding="utf-8") as fh, open(folder / "dev.jsonl", "w", encoding="utf-8") as out:
        for i, line in zip(range(DEV_ARTICLES), fh):
            record = {"id": f"dev-{i}", "text": json.loads(line)["originalText"], "lang": "de"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return [str(SEEDS), str(folder / "dev.jsonl")]


def _rows(store: str, table: str, drop: tuple[str, ...] = ("write_id",)) -> pl.DataFrame:
    from quotes.store.reader import open_store

    frame = open_store(store)[table].collect().drop(drop)
    return frame.sort([c for c, t in frame.schema.items() if not t.is_nested() and t != pl.Binary])  # every row's place fixed


def _claim_groups(store: str) -> set[frozenset[str]]:
    """The claims as groups of statements (claim ids name a group by one of its members, whichever came first)."""
    from quotes.store.reader import open_store

    members = open_store(store).claim_members.collect()
    return {frozenset(g["statement_id"]) for _, g in members.group_by("claim_id")}


@pytest.fixture(scope="module")
def both_runs(models, prefect_harness, dask_cluster, inputs, tmp_path_factory):
    from prefect.settings import PREFECT_TASKS_REFRESH_CACHE, temporary_settings

    from flows.process_corpus import corpus_flow, process_corpus

    address, _ = dask_cluster
    root = tmp_path_factory.mktemp("dask-runs")
    local = process_corpus(paths=inputs, store=str(root / "local"), chunk=CHUNK)
    # the same batches have the same cache key: the workers must parse them, not read the local run's results
    with temporary_settings(updates={PREFECT_TASKS_REFRESH_CACHE: True}):
        dask = corpus_flow("dask", address=address)(paths=inputs, store=str(root / "dask"), chunk=CHUNK,
                                                     runner="dask", address=address)
    return (str(root / "local"), local), (str(root / "dask"), dask)


@pytest.mark.models
@pytest.mark.prefect
def test_dask_runner_stores_the_same_rows_as_one_process(both_runs, dask_cluster):
    (local_store, local), (dask_store, dask) = both_runs
    inputs = len(list(SEEDS.glob("*.txt"))) + DEV_ARTICLES
    assert (local["documents"], local["processed"], local["failures"]) == (inputs, inputs, 0)
    for key in ("documents", "processed", "skipped", "failures", "quotes", "citations", "store_quotes"):
        assert dask[key] == local[key], key
    assert local["quotes"] > 30
    for table in ("quotes", "citations", "mentions"):
        assert _rows(dask_store, table).equals(_rows(local_store, table)), table
    assert _rows(dask_store, "documents", ("write_id", "processed_at")).equals(
        _rows(local_store, "documents", ("write_id", "processed_at")))
    for table in ("entities", "entity_links"):  # the corpus tables, rebuilt by the driver after the batches
        assert _rows(dask_store, table, ("build_id",)).equals(_rows(local_store, table, ("build_id",))), table
    # the statements' texts are the same; their vectors, encoded with one thread instead of two, agree
    # to float16 rounding; the claims built on them are the same groups of statements
    local_st, dask_st = _rows(local_store, "statements"), _rows(dask_store, "statements")
    assert local_st.height > 100 and dask_st.drop("vector").equals(local_st.drop("vector"))
    a, b = (np.frombuffer(b"".join(f["vector"]), dtype=np.float16).reshape(f.height, -1).astype(np.float32)
            for f in (local_st, dask_st))
    assert float((a * b).sum(axis=1).min()) > 0.999
    assert _claim_groups(dask_store) == _claim_groups(local_store)
    assert len(_claim_groups(local_store)) >= 1
    # both worker processes parsed (each loaded stanza once), with one torch thread each
    _, client = dask_cluster
    from quotes.run.cluster import worker_state

    states = client.run(worker_state)
    loaded = client.run(lambda: len(__import__("quotes.parse.parser", fromlist=["_PIPELINES"])._PIPELINES))
    assert len(states) == 2 and all(n >= 1 for n in loaded.values()), loaded
    assert {s["torch_threads"] for s in states.values()} == {1}


@pytest.mark.models
@pytest.mark.prefect
def test_quotes_run_on_an_existing_scheduler_and_again(both_runs, dask_cluster, capsys):
    address, _ = dask_cluster
    _, (dask_store, first) = both_runs
    status, _, err = run_main(capsys, "run", str(SEEDS), "--store", dask_store, "--runner", "dask",
                              "--address", address)
    assert status == 0, err
    assert "5 inputs: 0 processed, 5 unchanged (skipped)" in err
    assert f"the store holds {first['store_documents']} documents" in err


@pytest.mark.models
@pytest.mark.prefect
def test_a_local_cluster_is_started_for_the_run(both_runs, inputs):
    """No address: the flow's runner starts (and stops) a LocalCluster of its own."""
    from flows.process_corpus import corpus_flow

    _, (dask_store, first) = both_runs
    again = corpus_flow("dask", workers=1)(paths=inputs, store=dask_store, runner="dask", workers=1)
    assert (again["processed"], again["skipped"], again["store_quotes"]) == (0, first["documents"], first["quotes"])


@pytest.mark.models
def test_workers_with_other_software_are_refused(dask_cluster):
    from quotes.run.cluster import ClusterError, prepare
    from quotes.run.runner import Versions, current_versions

    _, client = dask_cluster
    assert prepare(client, current_versions()) == 2
    with pytest.raises(ClusterError, match="2 of 2 Dask workers run other software than this machine"):
        prepare(client, Versions(extractor="0.0.1+other", model="stanza-0+other"))


@pytest.mark.models
def test_the_driver_keeps_few_batches_out_and_reads_as_it_goes(models, tmp_path, monkeypatch):
    """``run_streaming`` with an in-process executor: at most ``in_flight`` batches are out, and an
    input is read only when its batch is about to be submitted."""
    from quotes.run import runner as corpus
    from quotes.run.cluster import run_streaming

    out, most, read_when_submitted = [0], [0], []
    seen = []
    progress = []

    def submit(docs, versions):
        out[0] += 1
        most[0] = max(most[0], out[0])
        read_when_submitted.append(len(seen))
        return pool.submit(corpus.process_batch, docs, versions)

    def result(future):
        out[0] -= 1
        return future.result()

    def stored(store):
        return corpus.StoredState.of(store)

    import quotes.ingest.read as ingest

    real = ingest.read_documents

    def counting(paths, lang=None, **options):  # the real reader, counting what it has handed out
        for entry in real(paths, lang=lang, **options):
            seen.append(entry)
            yield entry

    monkeypatch.setattr(ingest, "read_documents", counting)
    with ThreadPoolExecutor(1) as pool:
        summary = run_streaming([str(SEEDS)], str(tmp_path / "store"), submit=submit, result=result,
                                in_flight=2, chunk=1, stored=stored,
                                progress=lambda n, total: progress.append((n, total)))
    assert (summary.documents, summary.processed, summary.quotes > 0) == (5, 5, True)
    assert most[0] == 2
    assert read_when_submitted == [1, 2, 3, 4, 5]  # one input read per batch of one, never ahead
    # the total is known once every input was read
    assert sum(n for n, _ in progress) == 5 and progress[-1] == (1, 5) and {t for _, t in progress} == {None, 5}


@pytest.mark.models
@pytest.mark.prefect
def test_the_inbox_flow_runs_its_batches_on_dask(dask_cluster, prefect_harness, tmp_path):
    """What `quotes serve --runner dask --address …` deploys: process-inbox with the runner as parameters."""
    import shutil

    from flows.process_corpus import process_inbox

    address, _ = dask_cluster
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, inbox / seed.name)
    summary = process_inbox(inbox=str(inbox), store=str(tmp_path / "store"), runner="dask", address=address)
    assert (summary["processed"], summary["failures"], summary["store_documents"]) == (2, 0, 2)
