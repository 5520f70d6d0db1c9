"""The read path stays light: the read commands and ``quotes.open_store`` load polars and
deltalake but never pydantic, stanza, torch or Prefect (whole commands, in a fresh Python);
the tables' schemas the reader uses are the records' (quotes/store/table_schemas.py is generated);
and option values keep typer's checks and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
from conftest import ROOT, run_main

HEAVY = ("pydantic", "pydantic_core", "stanza", "torch", "prefect", "quotes.records", "quotes.store.writer",
         "quotes.store.tables")

# a fresh interpreter runs the console script's main() and reports the heavy modules it loaded
PROBE = """
import json, sys
sys.argv = ["quotes", *json.loads(sys.argv[1])]
from quotes.cli.main import main
try:
    main()
except SystemExit as exc:
    status = exc.code
heavy = sorted(m for m in sys.modules if m in HEAVY or m.split(".")[0] in HEAVY)
sys.stderr.write("\\nPROBE " + json.dumps({"status": status, "heavy": heavy}) + "\\n")
"""


def _probe(*args: str) -> dict:
    code = f"HEAVY = {HEAVY!r}\n" + PROBE
    done = subprocess.run([sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("PROBE ")][-1]
    return json.loads(line[len("PROBE "):])


class Fmt(str, Enum):
    a = "a"
    b = "b"


def test_the_table_schemas_module_is_what_the_records_make():
    from quotes.store.tables import SCHEMAS_MODULE, table_schemas_source

    assert SCHEMAS_MODULE.read_text(encoding="utf-8") == table_schemas_source(), \
        "the store's tables changed: run `python -m quotes.store.tables` and commit quotes/store/table_schemas.py"


def test_the_reader_sees_the_writers_schemas():
    import polars as pl

    from quotes.store import reader
    from quotes.store import tables as store

    assert reader.TABLES == store.TABLES and reader.CHILD_TABLES == store.CHILD_TABLES
    for name in store.TABLES:
        assert pl.Schema(reader.SCHEMAS[name]) == store.SPECS[name].schema, name


@pytest.mark.models
@pytest.mark.parametrize("args", [
    ("query", "quotes", "--speaker", "Peskow", "--format", "csv"),
    ("query", "quotes", "--limit", "3"),  # a table, through rich
    ("query", "speakers", "--since", "2020-01-01", "--format", "jsonl"),
    ("audit", "--format", "json"),
    ("sql", "SELECT COUNT(*) AS n FROM quotes"),
    ("export", "--table", "citations", "--format", "csv"),
])
def test_read_commands_load_no_pydantic_stanza_torch_or_prefect(seed_store, args):
    found = _probe(*args, "--store", seed_store.uri)
    assert found == {"status": 0, "heavy": []}


@pytest.mark.models
def test_open_store_loads_none_of_them_either(seed_store):
    code = (f"import quotes, sys; t = quotes.open_store({seed_store.uri!r}); n = t.quotes.collect().height; "
            f"print(n, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    count, heavy = out.split(" ", 1)
    assert int(count) > 20 and heavy.strip() == "[]"


@pytest.mark.parametrize("args, says", [
    (("query", "quotes", "--limit", "x"), "Invalid value for '--limit'"),
    (("query", "quotes", "--format", "xml"), "Invalid value for '--format'"),
    (("report", "--max-quotes", "-1"), "Invalid value for '--max-quotes'"),
])
def test_bad_option_values_keep_typers_messages(capsys, tmp_path, args, says):
    status, _, err = run_main(capsys, *args, "--store", str(tmp_path))
    assert status == 2 and says in " ".join(err.split()), err


def test_option_values_arrive_converted(capsys, tmp_path):
    """Plain values (text, numbers, choices) reach the command as their types."""
    import typer

    from quotes.cli.main import _plain_coercion

    _plain_coercion()  # applied once on import; again is a no-op
    app = typer.Typer()
    got = {}

    @app.command()
    def probe(count: int = typer.Option(3), ratio: float = typer.Option(0.5), name: str = typer.Option("x"),
              fmt: Fmt = typer.Option(Fmt.a), out: Path = typer.Option(None)):
        got.update(count=count, ratio=ratio, name=name, fmt=fmt, out=out)

    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["--count", "12", "--ratio", "1e-2", "--name", "peskow", "--fmt", "b",
                                      "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 0, result.output
    assert got == {"count": 12, "ratio": 0.01, "name": "peskow", "fmt": Fmt.b, "out": tmp_path / "x.csv"}
    result = CliRunner().invoke(app, [])
    assert got["count"] == 3 and got["fmt"] is Fmt.a and got["out"] is None


@pytest.mark.models
def test_a_read_command_run_as_the_program_prints_all_and_keeps_its_status(seed_store, capsys):
    """Run as the program, a read command skips the interpreter's teardown: its output is whole,
    its exit status the same as in-process."""
    args = ["query", "quotes", "--format", "jsonl", "--store", seed_store.uri]
    status, expected, _ = run_main(capsys, *args)
    done = subprocess.run([sys.executable, "-m", "quotes.cli", *args], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, status) == (0, 0) and done.stdout == expected and expected.count("\n") > 20
    done = subprocess.run([sys.executable, "-m", "quotes.cli", "sql", "DROP TABLE quotes", "--store", seed_store.uri],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "read-only" in done.stderr
