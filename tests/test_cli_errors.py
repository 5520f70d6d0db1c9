"""Ordinary mistakes end in one clear line and a documented exit status (quotes/errors.py), never a
traceback; a wrong --store is an error, not an empty answer; `quotes sql` only reads."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl
import pytest
from conftest import ROOT, SEEDS, one_line, run_main

pytestmark = pytest.mark.models


@pytest.mark.parametrize("command", [["query", "quotes"], ["query", "speakers"], ["audit"], ["trace", "Putin"],
                                     ["sql", "SELECT 1"]])
def test_read_commands_refuse_a_store_that_is_not_there(capsys, tmp_path, command):
    status, _, err = run_main(capsys, *command, "--store", str(tmp_path / "nope"))
    assert status == 2 and "no store at" in one_line(err) and "quotes run" in err
    (tmp_path / "file").write_text("x")
    status, _, err = run_main(capsys, *command, "--store", str(tmp_path / "file"))
    assert status == 2 and "is a file" in one_line(err)
    (tmp_path / "folder").mkdir()
    status, _, err = run_main(capsys, *command, "--store", str(tmp_path / "folder"))
    assert status == 2 and "holds no quotes store" in one_line(err)


def test_run_refuses_a_file_or_a_foreign_folder_as_store_before_parsing(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    status, _, err = run_main(capsys, "run", str(SEEDS), "--store", str(tmp_path / "file"))
    assert status == 2 and "is a file" in one_line(err)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine")
    status, _, err = run_main(capsys, "run", str(SEEDS), "--store", str(tmp_path / "home"))
    assert status == 2 and "other files" in one_line(err)
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("query, says", [
    ("SELEC * FROM quotes", "read-only"),
    ("SELECT nope FROM quotes", "nope"),
    ("SELECT * FROM nowhere", "nowhere"),
    ("SELECT * FROM quotes WHERE", "SQL"),
    ("DELETE FROM quotes", "read-only"),
    ("DROP TABLE quotes", "read-only"),
    ("TRUNCATE quotes", "read-only"),
    ("SELECT 1; DROP TABLE quotes", "one SQL statement"),
])
def test_sql_mistakes_and_writes_are_one_line(capsys, seed_store, query, says):
    before = seed_store.tables().quotes.select(pl.len()).collect().item()
    status, out, err = run_main(capsys, "sql", query, "--store", seed_store.uri)
    assert status == 2 and says in one_line(err) and out == ""
    assert seed_store.tables().quotes.select(pl.len()).collect().item() == before


def test_since_reads_common_dates_and_says_what_it_left_out(capsys, seed_store):
    for value in ("yesterday", "16.01.2024", "2024-01-16", "16 January 2024"):
        status, _, err = run_main(capsys, "query", "quotes", "--since", value, "--store", seed_store.uri)
        assert status == 0, err
        assert "left out 5 documents" in err and "5 with no known date" in err  # the seeds carry no date
    status, _, err = run_main(capsys, "query", "quotes", "--since", "the other day", "--store", seed_store.uri)
    assert status == 2 and "not a date" in one_line(err)


def test_trace_with_an_unsupported_language_is_one_line(capsys, seed_store):
    status, _, err = run_main(capsys, "trace", "Putin besucht Nordkorea", "--lang", "xx", "--store", seed_store.uri)
    assert status == 2 and "'xx' is not a language code" in one_line(err)


def test_audit_plot_mistakes(capsys, seed_store, tmp_path):
    status, _, err = run_main(capsys, "audit", "--plot", str(tmp_path / "report.html"), "--store", seed_store.uri)
    assert status == 2 and ".png" in one_line(err)
    status, _, err = run_main(capsys, "audit", "--plot", str(tmp_path / "missing" / "a.png"), "--store", seed_store.uri)
    assert status == 2 and "does not exist" in one_line(err.split("\n")[-2] + "\n")
    # a store that holds only a failure: nothing to plot
    from quotes.run import runner as corpus

    (tmp_path / "empty.txt").write_text("")
    corpus.run_corpus([str(tmp_path / "empty.txt")], str(tmp_path / "only-failures"))
    status, out, err = run_main(capsys, "audit", "--plot", str(tmp_path / "a.png"), "--store",
                                str(tmp_path / "only-failures"))
    assert status == 2 and "nothing to plot" in err and "Traceback" not in err


def test_an_internal_error_is_one_line_unless_debug(capsys, monkeypatch, seed_store):
    import quotes.ask.query

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(quotes.ask.query, "audit", broken)
    status, _, err = run_main(capsys, "audit", "--store", seed_store.uri)
    assert status == 70 and "internal error: RuntimeError: a bug" in one_line(err) and "--debug" in err
    with pytest.raises(RuntimeError, match="a bug"):
        run_main(capsys, "--debug", "audit", "--store", seed_store.uri)


def test_an_unreachable_prefect_api_is_one_line(tmp_path):
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_HOME": str(tmp_path / "prefect")}
    proc = subprocess.run([sys.executable, "-m", "quotes.cli", "run", str(SEEDS), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 2
    assert "cannot reach the Prefect API at http://127.0.0.1:9/api" in one_line(proc.stderr)
    assert not (tmp_path / "s").exists()


def test_a_language_failure_is_reported_once_and_the_encoding_is_shown(capsys, tmp_path):
    (tmp_path / "sv.txt").write_text("Regeringen meddelade i dag att den kommer att presentera ett nytt förslag om "
                                     "skatter under hösten. Statsministern sade att förslaget är viktigt.")
    (tmp_path / "latin.txt").write_bytes((SEEDS / "000_12ed547d5a234aed.txt").read_text().encode("cp1252"))
    status, out, err = run_main(capsys, "extract", str(tmp_path), "--format", "table")
    assert status == 1
    assert err.count("is not supported") == 1, err
    assert "not UTF-8: decoded as" in out
