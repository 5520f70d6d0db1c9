"""A full disk is one line, status 74 (EX_IOERR), and a run's summary says what was and was not
written; the store stays consistent. Real full disks: /dev/full under stdout, and a small tmpfs
(mounted when the tests run as root; skipped otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid

import pytest
from conftest import ROOT, SEEDS
from conftest import one_line as conftest_one_line

pytestmark = pytest.mark.models


def one_line(err: str) -> str:
    return conftest_one_line(err, "please report")


def quotes(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "quotes.cli", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("command", [["sql", "SELECT * FROM quotes"], ["export", "--table", "quotes"],
                                     ["query", "quotes", "--format", "jsonl"]])
def test_stdout_on_a_full_device_is_one_line_and_status_74(seed_store, command):
    with open("/dev/full", "w") as full:
        done = quotes(*command, "--store", seed_store.uri, stdout=full)
    assert done.returncode == 74 and "no space left on device" in one_line(done.stderr), done.stderr


@pytest.fixture
def tiny(tmp_path):
    """A 1 MiB tmpfs, and a way to fill it."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    where = tmp_path / "tiny"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")

    def fill():
        with open(where / f"filler-{uuid.uuid4().hex}", "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass

    yield where, fill
    subprocess.run(["umount", "-l", str(where)])


def test_outputs_on_a_full_disk_are_one_line_and_status_74(capsys, seed_store, tiny):
    from conftest import run_main

    where, fill = tiny
    fill()
    for args in (["export", "--table", "quotes", "--out", str(where / "q.csv")],
                 ["report", "--out", str(where / "r.html")]):
        status, _, err = run_main(capsys, *args, "--store", seed_store.uri)
        assert status == 74 and "no space left" in one_line(err), err
    assert sorted(p.name for p in where.iterdir() if not p.name.startswith("filler")) == []


def test_a_run_stopped_by_a_full_disk_says_what_it_wrote_and_the_store_stays_whole(tiny, tmp_path):
    from quotes.run.runner import run_corpus
    from quotes.store.reader import StoreReader

    where, fill = tiny
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for n in range(2):
        for seed in sorted(SEEDS.glob("*.txt"))[:3]:
            (inputs / f"{seed.stem}_{n}.txt").write_text(seed.read_text() + f"\n\nFassung {n}.\n")
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if line.startswith("batch 1/"):
            fill()  # the disk fills up after the first batch is written

    summary = run_corpus([str(inputs)], str(where / "store"), chunk=2, embed=False, log=log)
    assert summary.processed == 2 and "no space left on device while writing batch 2/3" in summary.stopped
    assert "not written: 4 of the 6 documents" in summary.stopped and "run again" in summary.stopped
    assert summary.line().endswith(summary.stopped) and summary.store_documents == 2
    for filler in where.glob("filler-*"):
        filler.unlink()
    stored = StoreReader(where / "store").tables()
    assert stored.documents.collect().height == 2
    assert set(stored.quotes.collect()["doc_id"]) <= set(stored.documents.collect()["doc_id"])
    again = run_corpus([str(inputs)], str(where / "store"), chunk=2, embed=False)
    assert again.processed == 4 and again.skipped == 2 and not again.stopped


@pytest.mark.prefect
def test_a_report_a_full_disk_stops_is_a_line_in_the_summary_not_a_traceback(prefect_harness, tiny, tmp_path,
                                                                            capfd):
    """The run's data is stored; the report the flow writes after it finds the disk full."""
    from flows.process_corpus import process_corpus

    where, fill = tiny
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    (inputs / seed.name).write_text(seed.read_text())
    fill()
    summary = process_corpus(paths=[str(inputs)], store=str(tmp_path / "store"), report=str(where / "report.html"),
                             embed=False)
    assert summary["processed"] == 1 and summary["report_status"] == 74
    assert "no space left" in summary["report_error"]
    assert "Traceback" not in capfd.readouterr().err
