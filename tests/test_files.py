"""Every file the tool writes or reads for a person goes through quotes/files.py: a link planted at
the target, a device, a FIFO or a place inside a store is refused with one line and status 2, and
nothing is replaced or read past its bound. The command line is walked, so a new command with an
output or input path cannot slip past these tests."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from conftest import one_line, run_main

from quotes.files import DiskFull, FileRefused, read_bytes, read_text, write_file

# --- the module itself ---------------------------------------------------------------------------


def test_write_file_replaces_a_regular_file_atomically_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_file(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_write_file_refuses_a_link_a_device_a_fifo_and_a_folder(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (tmp_path / "link.html").symlink_to(victim)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    for target in (tmp_path / "link.html", Path("/dev/full"), Path("/dev/null"), tmp_path / "fifo", tmp_path / "folder"):
        with pytest.raises(FileRefused, match="not a regular file"):
            write_file(target, "page")
    assert victim.read_text() == "mine" and (tmp_path / "link.html").is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_link_planted_where_the_old_partial_file_went_is_not_followed(tmp_path):
    """The old report wrote OUT.partial and renamed it: a link planted there got the page."""
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (tmp_path / "rep.html.partial").symlink_to(victim)
    write_file(tmp_path / "rep.html", "<p>page</p>")
    assert victim.read_text() == "mine" and (tmp_path / "rep.html").read_text() == "<p>page</p>"


def test_write_file_refuses_a_missing_folder_and_a_place_inside_a_store(tmp_path):
    with pytest.raises(FileRefused, match="does not exist"):
        write_file(tmp_path / "nope" / "x.csv", "a")
    (tmp_path / "store" / "quotes" / "_delta_log").mkdir(parents=True)
    (tmp_path / "store" / "quotes-store.json").write_text("{}")
    for target in ("store/quotes/_delta_log/00000000000000000000.json", "store/quotes/part.parquet", "store/x.csv"):
        with pytest.raises(FileRefused, match="inside the store"):
            write_file(tmp_path / target, "a")
    assert write_file(tmp_path / "store" / "report.html", "page", may_sit_in_store=True).read_text() == "page"


def test_reads_refuse_special_files_and_stop_at_the_bound(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    for special in ("/dev/zero", "/dev/random", "/dev/urandom", str(tmp_path / "fifo")):
        with pytest.raises(FileRefused, match="not a regular file"):
            read_bytes(special)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(FileRefused, match="too large"):
        read_bytes(big, limit=1000)
    assert read_text(big, limit=1001) == "x" * 1001
    (tmp_path / "latin.txt").write_bytes("Grüße".encode("latin-1"))
    with pytest.raises(FileRefused, match="not UTF-8"):
        read_text(tmp_path / "latin.txt")


def test_a_full_disk_is_disk_full_with_status_74(tmp_path):
    """/dev/full as the folder's device cannot be had without root, so the ENOSPC comes from writing."""

    def fill(f):
        raise OSError(28, "No space left on device")

    with pytest.raises(DiskFull, match="no space left") as caught:
        write_file(tmp_path / "x.csv", fill)
    assert caught.value.exit_code == 74 and list(tmp_path.iterdir()) == []


# --- every command ---------------------------------------------------------------------------------

# Each command with a path to write (OUT) or to read (IN), as a person would type it.
WRITES = {
    ("query", "quotes", "--out"): ["query", "quotes", "--format", "csv", "--out", "OUT"],
    ("query", "speakers", "--out"): ["query", "speakers", "--format", "csv", "--out", "OUT"],
    ("claims", "--out"): ["claims", "--format", "csv", "--out", "OUT"],
    ("sql", "--out"): ["sql", "SELECT 1 AS one", "--format", "csv", "--out", "OUT"],
    ("export", "--out"): ["export", "--table", "quotes", "--out", "OUT"],
    ("report", "--out"): ["report", "--out", "OUT"],
    ("audit", "--plot"): ["audit", "--plot", "OUT"],
}
READS = {
    ("trace", "--file"): ["trace", "--file", "IN"],
}
# Paths that are not files the command writes or reads for a person: a folder the schemas go into
# (each through quotes.files), the model folder of `train`, the inbox `serve` watches, the inputs of
# extract/run/eval/train (ingest's readers: tests/test_bad_input.py), the store.
OTHER_PATHS = {("schema", "--out"), ("train", "--out"), ("serve", "--inbox")}


def _path_options():
    """(command path…, option) of every option of every command whose value is a path."""
    from typing import Optional, get_args

    import typer
    from typer.core import TyperOption

    from quotes.cli.main import app

    found = set()

    def walk(command, prefix):
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, prefix + (name,))
        for param in getattr(command, "params", []):
            annotation = param.type_descriptor.annotation
            if isinstance(param, TyperOption) and (annotation is Path or Path in get_args(annotation)
                                                   or annotation == Optional[Path]):
                found.add(prefix + (max(param.opts, key=len),))

    walk(typer.main.get_command(app), ())
    return found


def test_every_path_option_of_the_command_line_is_walked_here():
    assert _path_options() <= set(WRITES) | set(READS) | OTHER_PATHS, (
        "a command takes a path these tests do not try: add it to WRITES or READS")
    assert set(WRITES) | set(READS) <= _path_options()


def _targets(folder: Path, suffix: str) -> dict[str, Path]:
    victim = folder / "victim.txt"
    victim.write_text("mine")
    (folder / f"link{suffix}").symlink_to(victim)
    os.mkfifo(folder / f"fifo{suffix}")
    return {"a planted link": folder / f"link{suffix}", "/dev/full": Path("/dev/full"), "a FIFO": folder / f"fifo{suffix}"}


@pytest.fixture
def targets(tmp_path):
    return _targets(tmp_path, "")


@pytest.mark.models
@pytest.mark.parametrize("key", sorted(WRITES), ids=" ".join)
def test_no_command_writes_through_a_link_a_device_a_fifo_or_into_the_store(capsys, seed_store, tmp_path, key):
    suffix = ".png" if key[0] == "audit" else ".csv"
    targets = _targets(tmp_path, suffix)
    for what, target in targets.items():
        args = [str(target) if a == "OUT" else a for a in WRITES[key]]
        status, _, err = run_main(capsys, *args, "--store", seed_store.uri)
        assert status == 2 and "not a regular file" in one_line(err), (what, err)
    assert Path(targets["a planted link"]).is_symlink() and Path(targets["a planted link"]).read_text() == "mine"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode) and stat.S_ISFIFO(os.lstat(targets["a FIFO"]).st_mode)
    log = Path(seed_store.uri) / "quotes" / "_delta_log"
    before = sorted(p.name for p in log.iterdir())
    for inside in (log / "00000000000000000000.json", Path(seed_store.uri) / "quotes" / f"x{suffix}",
                   Path(seed_store.uri) / f"out{suffix}"):
        args = [str(inside) if a == "OUT" else a for a in WRITES[key]]
        status, _, err = run_main(capsys, *args, "--store", seed_store.uri)
        assert status == 2 and "inside the store" in one_line(err), err
    assert sorted(p.name for p in log.iterdir()) == before


@pytest.mark.models
@pytest.mark.parametrize("key", sorted(READS), ids=" ".join)
def test_no_command_reads_a_device_or_a_fifo_or_past_its_bound(capsys, seed_store, targets, key, tmp_path,
                                                              monkeypatch):
    for special in ("/dev/zero", "/dev/random", str(targets["a FIFO"])):
        args = [special if a == "IN" else a for a in READS[key]]
        status, _, err = run_main(capsys, *args, "--store", seed_store.uri)
        assert status == 2 and "not a regular file" in one_line(err), err
    monkeypatch.setenv("QUOTES_MAX_CHARS", "100")
    big = tmp_path / "lines.txt"
    big.write_text("Putin besucht Nordkorea.\n" * 100)
    args = [str(big) if a == "IN" else a for a in READS[key]]
    status, _, err = run_main(capsys, *args, "--store", seed_store.uri)
    assert status == 2 and "too large" in one_line(err), err


def test_a_link_to_a_folder_inside_a_store_is_inside_the_store(tmp_path):
    """Found by the re-probe: --out through a linked _delta_log wrote a commit file into the store."""
    log = tmp_path / "store" / "quotes" / "_delta_log"
    log.mkdir(parents=True)
    (tmp_path / "store" / "quotes-store.json").write_text("{}")
    (tmp_path / "dl").symlink_to(log)
    (tmp_path / "qs").symlink_to(tmp_path / "store")
    for target in ("dl/00000000000000000001.json", "qs/x.csv"):
        with pytest.raises(FileRefused, match="inside the store"):
            write_file(tmp_path / target, "a")
    assert list(log.iterdir()) == []


def test_a_socket_is_named_as_a_socket(tmp_path):
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sock"))
        with pytest.raises(FileRefused, match="a socket, not a regular file"):
            read_bytes(tmp_path / "sock")


# Modules that write files other than through quotes/files.py, and why; a new one fails the test below.
OWN_WRITERS = {
    "quotes/ask/query.py": "savefig into the file object quotes.files hands it (audit --plot)",
    "quotes/cli/output.py": "frames as text, or into a file object of quotes.files, or onto stdout",
    "quotes/cli/ask.py": "trace --format jsonl onto stdout",
    "quotes/store/tables.py": "`python -m quotes.store.tables` regenerates a source file (development)",
    "quotes/store/statement_index.py": "the statement index's cache in the store's own _index folder",
    "quotes/embed/vector_index.py": "the vector index's files in the store's own _index folder (atomic renames)",
    "quotes/parse/cache.py": "the parse cache in the models folder (atomic renames)",
}
_WRITES = re.compile(r"\.write_text\(|\.write_bytes\(|\bopen\([^)]*[\"'][wax]b?[\"']|os\.replace\(|\.savefig\(|"
                     r"\.write_(?:parquet|csv|ndjson|json)\(|\bmkstemp\(")


def test_every_module_that_writes_files_is_quotes_files_or_says_why():
    from conftest import ROOT

    writers = {str(p.relative_to(ROOT)) for folder in ("quotes", "flows") for p in (ROOT / folder).rglob("*.py")
               if _WRITES.search(p.read_text(encoding="utf-8"))}
    assert writers - {"quotes/files.py"} <= set(OWN_WRITERS), (
        "a module writes files past quotes/files.py: route it through write_file, or say why in OWN_WRITERS")
