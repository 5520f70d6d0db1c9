"""The `quotes` command as a user runs it: JSONL contract, bad files as error records, tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

QUOTES = [sys.executable, "-m", "quotes.cli"]


def run(*args, cwd=ROOT):
    return subprocess.run([*QUOTES, *args], capture_output=True, text=True, cwd=cwd, env=os.environ.copy(), timeout=600)


@pytest.mark.models
def test_extract_jsonl_keeps_input_order_and_records_bad_files(models, tmp_path: Path):
    binary = tmp_path / "broken.txt"
    binary.write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    seed = SEEDS / "003_e547071d3c73465a.txt"
    nb = SEEDS / "004_d8e3467ada999945.txt"
    proc = run("extract", str(seed), str(binary), str(empty), str(nb), "--format", "jsonl")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(x["path"]).name for x in lines] == [seed.name, binary.name, empty.name, nb.name]
    assert proc.returncode == 1, "a run with unreadable files says so in its exit status"
    assert "error" in lines[1] and "error" in lines[2]
    assert lines[1]["error"] and lines[2]["error"]
    ok = lines[0]
    assert set(ok) >= {"doc_id", "path", "language", "title", "published", "outlet", "segments", "quotes", "citations"}
    assert ok["outlet"]["name"].lower() == "exxpress"
    assert {c["source"] for c in ok["citations"]} == {"Kyiv Post"}
    text = seed.read_text(encoding="utf-8")
    for q in ok["quotes"]:
        assert text[q["start"]:q["end"]] == q["text"]
        assert set(q) == {"quote_id", "text", "start", "end", "kind", "speaker", "cue", "in_comments", "confidence",
                          "direct_spans"}
    assert lines[3]["language"] == "nb"
    assert "broken.txt" in proc.stderr


@pytest.mark.models
def test_extract_table_is_readable(models):
    proc = run("extract", str(SEEDS / "000_12ed547d5a234aed.txt"), "--format", "table")
    assert proc.returncode == 0, proc.stderr
    assert "Dmitri Peskow" in proc.stdout and "Sputnik" in proc.stdout


def test_lang_option_rejects_unsupported_languages(tmp_path: Path):
    proc = run("extract", str(SEEDS / "000_12ed547d5a234aed.txt"), "--lang", "xx")
    assert proc.returncode != 0
    assert "xx" in (proc.stdout + proc.stderr)


def test_schema_check_reports_drift(tmp_path: Path):
    proc = run("schema", "--check", "--out", str(tmp_path))
    assert proc.returncode == 1 and "drift" in proc.stderr
    assert run("schema", "--out", str(tmp_path)).returncode == 0
    assert run("schema", "--check", "--out", str(tmp_path)).returncode == 0
