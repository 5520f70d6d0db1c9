"""The bad-input corpus (tests/bad_inputs.py) through `quotes extract` and `quotes run`, as a user
runs them (a subprocess; as an unprivileged user when the tests run as root, so that permission
errors are real): for every input its outcome, the exit status, and the good documents beside
the bad ones processed; nothing printed as markup, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest
from bad_inputs import EVIL_EMPTY, EVIL_NAME, MARKUP, MAX_CHARS, cleanup, make_corpus, unprivileged, world_readable
from conftest import ROOT

pytestmark = [pytest.mark.models, pytest.mark.prefect]


@pytest.fixture(scope="module")
def corpus(models):
    base = Path(tempfile.mkdtemp(prefix="quotes-bad-input-"))
    world_readable(base)
    for sub in ("home", "prefect", "out"):
        (base / sub).mkdir(mode=0o777)
        (base / sub).chmod(0o777)
    cases = make_corpus(base / "inputs")
    env = {**os.environ, "HOME": str(base / "home"), "PREFECT_HOME": str(base / "prefect"),
           "QUOTES_MAX_CHARS": str(MAX_CHARS), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "STANZA_RESOURCES_DIR": models}
    env.pop("PREFECT_API_URL", None)
    yield base, cases, env
    cleanup(base)


def quotes(env: dict, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quotes.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout, **unprivileged())


def _outcome(case, root: Path, documents: dict[str, dict], failures: dict[str, dict]) -> dict | None:
    path = str(root / case.file)
    if case.expect == "document":
        if case.doc_id:
            return documents.get(case.doc_id)
        return next((d for d in documents.values() if d["path"] == path), None)
    if "#" in case.path:
        return failures.get(f"{path}#{case.path.split('#')[1]}")
    return next((f for f in failures.values() if f["path"] == path), None)


def _check_every_case(cases, root: Path, documents: dict[str, dict], failures: dict[str, dict]) -> None:
    for case in cases:
        got = _outcome(case, root, documents, failures)
        assert got is not None, f"{case.path}: no {'document' if case.expect == 'document' else 'failure'} for it"
        if case.expect != "document":
            assert case.expect in got["error"] and got["stage"] == case.stage, (case.path, got["error"])


def test_extract_reports_every_input_and_processes_the_good_ones(corpus):
    base, cases, env = corpus
    root = base / "inputs"
    proc = quotes(env, "extract", str(root), "--format", "jsonl")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    documents = {x["doc_id"]: x for x in lines if "error" not in x}
    failures = {x["doc_id"] or x["path"]: x for x in lines if "error" in x}
    _check_every_case(cases, root, documents, failures)
    same = [d["doc_id"] for d in documents.values() if d["path"].endswith("/article.txt")]
    pages = [d["doc_id"] for d in documents.values() if d["path"].endswith("/index.html")]
    assert len(set(same)) == 2 and len(set(pages)) == 2, "same file names, different documents"
    assert documents["dated-dmy"]["published"].startswith("2024-01-16")
    assert any("not understood" in w for w in documents["odd-date"]["warnings"])
    latin = next(d for d in documents.values() if d["path"].endswith("latin1.txt"))
    assert latin["encoding"] != "utf-8" and latin["quotes"]
    assert proc.stderr.count("swedish.txt") + proc.stderr.count("'sv'") <= 1, "a failure is reported once"


def test_extract_table_prints_document_text_as_it_is_written(corpus):
    base, _, env = corpus
    root = base / "inputs"
    proc = quotes(env, "extract", str(root / "feed.jsonl"), str(root / EVIL_NAME), str(root / EVIL_EMPTY),
                  "--format", "table")
    assert proc.returncode == 1  # the control-character line, the empty file
    assert MARKUP in proc.stdout, "the title with markup is printed as written"
    assert f"{root / EVIL_EMPTY}: empty" in proc.stderr, "a failing path is printed as written"
    assert "Traceback" not in proc.stderr


def test_run_stores_every_input_or_its_failure_and_reads_back(corpus):
    base, cases, env = corpus
    root, store = base / "inputs", base / "out" / "store"
    proc = quotes(env, "run", str(root), "--store", str(store))
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    from quotes.store.writer import Store

    tables = Store(store).tables()
    documents = {r["doc_id"]: r for r in tables.documents.collect().iter_rows(named=True)}
    failures = {r["doc_id"]: r for r in tables.failures.collect().iter_rows(named=True)}
    _check_every_case(cases, root, documents, failures)
    assert tables.quotes.filter(pl.col("text").str.contains(MARKUP, literal=True)).collect().height == 1

    for args in (["query", "quotes"], ["query", "speakers"], ["sql", "SELECT title FROM documents"]):
        shown = quotes(env, *args, "--store", str(store))
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, (args, shown.stderr)
    assert MARKUP in quotes(env, "sql", "SELECT title FROM documents", "--store", str(store)).stdout

    again = quotes(env, "run", str(root), "--store", str(store))
    assert again.returncode == 1, "the bad inputs are still there"
    assert "failed before and are unchanged" in again.stderr
    assert Store(store).tables().documents.collect().height == len(documents)
