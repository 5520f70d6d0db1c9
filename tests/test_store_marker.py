"""A store carries a marker this tool wrote; Delta tables without it are not taken for a store unless
they are a quotes store from before the marker (recognised by their columns). An upgrade says what it
will change, keeps the old versions in the tables' Delta history, and never drops a column quotes did
not write. A damaged table is one line that names it and says how to recover."""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest
from conftest import SEEDS, run_main
from conftest import one_line as conftest_one_line

pytestmark = pytest.mark.models


def one_line(err: str) -> str:
    return conftest_one_line(err, "<unknown>")


@pytest.fixture
def foreign(tmp_path):
    folder = tmp_path / "foreign"
    for name in ("quotes", "documents"):
        pl.DataFrame({"a": [1, 2]}).write_delta(str(folder / name))
    return folder


@pytest.mark.parametrize("command", [["upgrade"], ["query", "quotes"], ["sql", "SELECT 1"], ["export", "--table",
                                                                                            "quotes"]])
def test_foreign_delta_tables_are_refused_not_upgraded(capsys, foreign, command):
    status, _, err = run_main(capsys, *command, "--store", str(foreign))
    assert status == 2 and "quotes did not write" in one_line(err), err
    for name in ("quotes", "documents"):
        assert pl.read_delta(str(foreign / name)).columns == ["a"]
    assert not (foreign / "quotes-store.json").exists()


def test_a_run_into_foreign_tables_is_refused_before_it_starts(capsys, foreign):
    status, _, err = run_main(capsys, "run", str(SEEDS), "--store", str(foreign), "--no-embed")
    assert status == 2 and "quotes did not write" in one_line(err), err
    assert pl.read_delta(str(foreign / "quotes")).columns == ["a"]


def test_a_store_carries_the_marker_and_a_marker_of_another_tool_is_refused(capsys, seed_store, tmp_path):
    marker = json.loads((seed_store.marker_path()).read_text())
    assert marker["format"] == "quotes-store" and marker["created_by"].startswith("quotes") and marker["layout"] == 1
    copy = tmp_path / "copy"
    shutil.copytree(seed_store.uri, copy)
    (copy / "quotes-store.json").write_text('{"format": "something-else"}')
    status, _, err = run_main(capsys, "query", "quotes", "--store", str(copy))
    assert status == 2 and "not a marker quotes wrote" in one_line(err)


def test_a_store_from_before_the_marker_opens_and_upgrade_marks_it(capsys, seed_store, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(seed_store.uri, old)
    (old / "quotes-store.json").unlink()
    status, out, err = run_main(capsys, "query", "quotes", "--format", "csv", "--store", str(old))
    assert status == 0 and len(out.splitlines()) > 10, err
    assert not (old / "quotes-store.json").exists()  # reading changes nothing
    status, _, err = run_main(capsys, "upgrade", "--store", str(old))
    assert status == 0 and "marked as a quotes store" in err, err
    assert json.loads((old / "quotes-store.json").read_text())["format"] == "quotes-store"


def _older(seed_store, tmp_path, extra: dict | None = None):
    """A copy of the seed store as an older version left it: citations without in_registry."""
    old = tmp_path / "older"
    shutil.copytree(seed_store.uri, old)
    (old / "quotes-store.json").unlink()
    cites = pl.read_delta(str(old / "citations")).drop("in_registry")
    if extra:
        cites = cites.with_columns(**{k: pl.lit(v) for k, v in extra.items()})
    cites.write_delta(str(old / "citations"), mode="overwrite", delta_write_options={"schema_mode": "overwrite"})
    return old


def test_upgrade_says_what_it_changes_first_and_keeps_the_history(capsys, seed_store, tmp_path):
    from deltalake import DeltaTable

    old = _older(seed_store, tmp_path)
    before = DeltaTable(str(old / "citations")).version()
    status, _, err = run_main(capsys, "upgrade", "--dry-run", "--store", str(old))
    assert status == 0 and "citations: add in_registry" in err and "nothing changed" in err, err
    assert "in_registry" not in pl.read_delta(str(old / "citations")).columns
    status, _, err = run_main(capsys, "upgrade", "--store", str(old))
    assert status == 0, err
    lines = err.splitlines()
    assert lines[0].endswith("citations: add in_registry (True)") and f"citations version {before}" in err
    assert pl.read_delta(str(old / "citations"))["in_registry"].to_list() == [True] * 7
    assert "in_registry" not in pl.read_delta(str(old / "citations"), version=before).columns  # time travel


def test_upgrade_never_drops_a_column_quotes_did_not_write(capsys, seed_store, tmp_path):
    old = _older(seed_store, tmp_path, extra={"my_notes": "keep me"})
    status, _, err = run_main(capsys, "upgrade", "--store", str(old))
    assert status == 2 and "my_notes" in one_line(err) and "nothing changed" in err
    assert pl.read_delta(str(old / "citations"))["my_notes"].to_list() == ["keep me"] * 7


@pytest.mark.parametrize("command", [["query", "quotes"], ["sql", "SELECT count(*) FROM quotes"], ["upgrade"],
                                     ["run", str(SEEDS), "--no-embed"], ["report", "--out", "REPORT"]])
def test_a_damaged_table_is_named_with_how_to_recover(capsys, seed_store, tmp_path, command):
    """What an export into the store's log did before outputs inside a store were refused."""
    damaged = tmp_path / "damaged"
    shutil.copytree(seed_store.uri, damaged)
    log = sorted((damaged / "quotes" / "_delta_log").glob("*.json"))[-1]
    log.write_text("doc_id,text\na,b\n")
    args = [str(tmp_path / "r.html") if a == "REPORT" else a for a in command]
    status, _, err = run_main(capsys, *args, "--store", str(damaged))
    line = one_line(err)
    assert status == 2 and "table quotes is damaged" in line and "to recover" in line, err


@pytest.mark.parametrize("command", [["query", "quotes"], ["export", "--table", "quotes"]])
def test_a_table_whose_data_files_are_gone_is_named_as_damaged(capsys, seed_store, tmp_path, command):
    """Found by the re-probe: a data file removed under a table was an internal error (70)."""
    damaged = tmp_path / "damaged"
    shutil.copytree(seed_store.uri, damaged)
    for part in (damaged / "quotes").glob("*.parquet"):
        part.unlink()
    status, _, err = run_main(capsys, *command, "--store", str(damaged))
    assert status == 2 and "table quotes is damaged" in one_line(err), err
