"""The Prefect flows over the seeds plus one bad file, against one test harness per session:
failures recorded, the report linked as an artifact, a re-run skips everything, a new extractor
version re-processes and replaces."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import SEEDS, file_id

pytestmark = [pytest.mark.models, pytest.mark.prefect]


@pytest.fixture(scope="module")
def first_run(models, prefect_harness, tmp_path_factory):
    from flows.process_corpus import process_corpus

    root = tmp_path_factory.mktemp("flow")
    bad = root / "bad"
    bad.mkdir()
    (bad / "scan.txt").write_bytes(b"%PDF-1.4\x00\x00\x01 binary")
    paths = [str(SEEDS), str(bad)]
    store = str(root / "store")
    return paths, store, process_corpus(paths=paths, store=store)


def _table(store: str, name: str) -> pl.DataFrame:
    from quotes.store.writer import Store

    return Store(store).scan(name).collect()


def test_process_corpus_stores_documents_and_records_the_bad_file(first_run):
    _, store, summary = first_run
    assert (summary["documents"], summary["processed"], summary["failures"]) == (6, 5, 1)
    documents = _table(store, "documents")
    assert sorted(documents["doc_id"]) == sorted(file_id(p) for p in SEEDS.glob("*.txt"))
    failures = _table(store, "failures")
    assert [Path(key).name for key in failures["doc_id"]] == ["scan.txt"]
    assert failures["stage"].to_list() == ["ingest"] and "binary file" in failures["error"][0]
    quotes = _table(store, "quotes")
    assert quotes.height == summary["quotes"] > 20
    assert set(quotes["doc_id"]) == set(documents["doc_id"])


def test_a_run_leaves_the_report_beside_the_store_and_links_it(first_run):
    from prefect.artifacts import Artifact

    _, store, _ = first_run
    page = Path(store) / "report.html"
    assert page.is_file() and 'id="cites-graph"' in page.read_text(encoding="utf-8")
    artifact = Artifact.get("quotes-report")
    assert artifact is not None and artifact.flow_run_id is not None  # a link, shown with the run
    assert page.resolve().as_uri() in artifact.data


def test_rerun_over_the_unchanged_corpus_skips_everything(first_run):
    from flows.process_corpus import process_corpus

    paths, store, first = first_run
    before = _table(store, "documents")
    again = process_corpus(paths=paths, store=store)
    assert (again["processed"], again["skipped"], again["quotes"]) == (0, 5, 0)
    # the bad file is unchanged: still a failure (the exit status says so), but not tried again
    assert (again["failures"], again["failed"], again["failed_before"]) == (1, 0, 1)
    assert again["store_quotes"] == first["quotes"]
    assert "5 unchanged (skipped)" in again["line"] and f"holds 5 documents and {first['quotes']} quotes" in again["line"]
    assert _table(store, "documents").sort("doc_id").equals(before.sort("doc_id"))


def test_quotes_run_command_summarises(first_run):
    from typer.testing import CliRunner

    from quotes.cli.main import app

    paths, store, _ = first_run
    result = CliRunner().invoke(app, ["run", *paths, "--store", store])
    assert result.exit_code == 1, result.output  # the bad file is still among the inputs
    assert "5 unchanged (skipped)" in result.output and "1 failed before" in result.output
    result = CliRunner().invoke(app, ["run", str(SEEDS), "--store", store])
    assert result.exit_code == 0, result.output


def test_a_new_extractor_version_reprocesses_and_replaces_rows(first_run, monkeypatch):
    import quotes.run.pipeline
    from flows.process_corpus import process_corpus

    paths, store, first = first_run
    monkeypatch.setattr(quotes.run.pipeline, "EXTRACTOR_VERSION", "99.0-test")
    again = process_corpus(paths=paths, store=store)
    assert (again["processed"], again["skipped"]) == (5, 0)
    documents = _table(store, "documents")
    versions = documents["extractor_version"].unique().to_list()
    assert documents.height == 5 and len(versions) == 1 and versions[0].startswith("99.0-test+")
    quotes = _table(store, "quotes")
    assert quotes.height == first["quotes"]  # replaced, not added
    assert quotes["quote_id"].n_unique() == quotes.height


def test_inbox_flow_with_an_empty_inbox_does_nothing(prefect_harness, tmp_path):
    from flows.process_corpus import process_inbox

    (tmp_path / "inbox").mkdir()
    summary = process_inbox(inbox=str(tmp_path / "inbox"), store=str(tmp_path / "store"))
    assert summary["documents"] == 0 and not (tmp_path / "store").exists()
