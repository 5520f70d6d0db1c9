"""`quotes sql` sees the store's tables and views and nothing else: table functions that read files
(read_csv, read_parquet, read_json, read_ndjson, read_ipc, …) and file paths as tables are refused
with one line; DESCRIBE works; a comment is not a second statement."""

from __future__ import annotations

import pytest
from conftest import one_line, run_main

pytestmark = pytest.mark.models


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text("password\nhunter2\n")
    (tmp_path / "secret.jsonl").write_text('{"password": "hunter2"}\n')
    return tmp_path


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('{d}/secret.csv')",
    "select * from READ_CSV('{d}/secret.csv')",
    'SELECT * FROM "read_csv"(\'{d}/secret.csv\')',
    "SELECT * FROM read_ndjson('{d}/secret.jsonl')",
    "SELECT * FROM read_json('{d}/secret.jsonl')",
    "SELECT * FROM read_parquet('{store}/quotes/*.parquet')",
    "SELECT * FROM read_ipc('{d}/secret.csv')",
    "SELECT count(*) FROM quotes, read_csv('{d}/secret.csv')",
    "SELECT * FROM quotes /* x */ JOIN read_csv('{d}/secret.csv') ON true",
    "WITH s AS (SELECT * FROM read_csv('{d}/secret.csv')) SELECT * FROM s",
    "SELECT * FROM (SELECT * FROM read_csv('{d}/secret.csv'))",
    "SELECT * FROM '{d}/secret.csv'",
    "SELECT * FROM glob('{d}/*')",
])
def test_table_functions_and_paths_are_refused(capsys, seed_store, secret, query):
    status, out, err = run_main(capsys, "sql", query.format(d=secret, store=seed_store.uri), "--store", seed_store.uri)
    assert status == 2 and "the store's tables only" in one_line(err), err
    assert "hunter2" not in out + err and out == ""


@pytest.mark.parametrize("query", ["ATTACH '/tmp/x.db' AS x", "COPY quotes TO '/tmp/x.csv'", "INSTALL httpfs",
                                   "LOAD httpfs", "SHOW DATABASES", "PRAGMA x"])
def test_other_statements_are_refused(capsys, seed_store, query):
    status, out, err = run_main(capsys, "sql", query, "--store", seed_store.uri)
    assert status == 2 and "read-only" in one_line(err) and out == ""


def test_describe_and_comments(capsys, seed_store):
    status, out, err = run_main(capsys, "sql", "DESCRIBE quotes", "--format", "csv", "--store", seed_store.uri)
    assert status == 0, err
    assert out.splitlines()[0] == "column,type" and "speaker_name,String" in out and "entity_id,String" in out
    status, out, err = run_main(capsys, "sql", "SELECT 1 AS one /* ; */", "--format", "csv", "--store", seed_store.uri)
    assert status == 0 and out.split() == ["one", "1"], err
    status, out, err = run_main(capsys, "sql", "SELECT count(*) AS n FROM quotes -- ; DROP TABLE quotes",
                                "--format", "csv", "--store", seed_store.uri)
    assert status == 0 and out.split()[0] == "n", err
    status, _, err = run_main(capsys, "sql", "DESCRIBE nowhere", "--store", seed_store.uri)
    assert status == 2 and "tables:" in one_line(err)
