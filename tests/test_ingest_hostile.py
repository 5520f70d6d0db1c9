"""What a folder walk reads and what it leaves out, and inputs that used to fail or lose data
without a word: a store inside the input folder (never an input, nor a report the tool wrote),
.gz/.zip/suffix-less files, JSONL metadata of the wrong type, HTML nested deeper than the parser
goes, an SVG saved as .html."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import SEEDS, run_main

from quotes.ingest.read import read_documents
from quotes.records import Document, Failure

ARTICLE = ("Der Kremlsprecher Dmitri Peskow sagte am Montag in Moskau, Russland sei zu Gesprächen bereit. "
           "„Wir warten auf Vorschläge“, sagte Peskow. ") * 3


def _read(path, notes=None):
    return list(read_documents([str(path)], on_skip=notes.append if notes is not None else None))


@pytest.mark.models
def test_a_store_inside_the_input_folder_is_never_an_input(tmp_path, capsys):
    from quotes.run.runner import run_corpus

    inputs = tmp_path / "D"
    inputs.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (inputs / seed.name).write_text(seed.read_text())
    first = run_corpus([str(inputs)], str(inputs / "store"), embed=False)
    assert first.processed == 2 and first.failures == 0
    status, _, err = run_main(capsys, "report", "--store", str(inputs / "store"), "--out", str(inputs / "report.html"))
    assert status == 0, err
    (inputs / "store" / "report.html").write_text((inputs / "report.html").read_text())
    second = run_corpus([str(inputs)], str(inputs / "store"), embed=False)
    assert (second.documents, second.processed, second.skipped, second.failures) == (2, 0, 2, 0), second
    assert any("quotes store" in w and str(inputs / "store") in w for w in second.warnings), second.warnings
    assert any("report.html (a report quotes wrote)" in w for w in second.warnings), second.warnings
    assert not [d for d in _read(inputs) if d.path.startswith(str(inputs / "store")) or d.path.endswith("report.html")]


def test_gzip_is_read_zip_and_suffix_less_files_are_named(tmp_path):
    (tmp_path / "one.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    (tmp_path / "feed.jsonl.gz").write_bytes(gzip.compress(json.dumps({"id": "a1", "text": ARTICLE}).encode() + b"\n"))
    (tmp_path / "archive.zip").write_bytes(b"PK\x03\x04")
    (tmp_path / "README").write_text("notes")
    notes: list[str] = []
    found = _read(tmp_path, notes)
    assert [(type(d).__name__, d.doc_id) for d in found] == [("Document", "a1"),
                                                              ("Document", f"one-{found[1].doc_id.split('-')[1]}")]
    assert found[1].text == ARTICLE
    assert len(notes) == 1 and "skipped 2 files" in notes[0] and "README" in notes[0] and "archive.zip" in notes[0]


def test_a_gzip_bomb_stops_at_the_size_limit(tmp_path):
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 5_000_000))
    (failure,) = list(read_documents([str(tmp_path / "bomb.txt.gz")], max_chars=10_000))
    assert isinstance(failure, Failure) and "too large" in failure.error


def test_jsonl_metadata_of_the_wrong_type_is_a_warning_and_null(tmp_path):
    line = {"text": ARTICLE, "outlet": ["RT"], "title": {"de": "x"}, "url": True, "lang": 3, "id": 17}
    (tmp_path / "feed.jsonl").write_text(json.dumps(line) + "\n")
    (doc,) = _read(tmp_path / "feed.jsonl")
    assert isinstance(doc, Document) and doc.outlet is None and doc.title is None and doc.url is None
    assert doc.doc_id == "17" and doc.language is None
    assert "field 'outlet' is a list, not text: left empty" in doc.warnings
    assert len(doc.warnings) == 4


@pytest.mark.parametrize("depth", [300, 3000])
def test_html_nested_deeper_than_the_parser_goes_still_gives_its_text(tmp_path, depth):
    page = ("<html><head><title>Tief</title></head><body>" + "<div>" * depth + f"<p>{ARTICLE}</p>"
            + "</div>" * depth + "</body></html>")
    (tmp_path / "deep.html").write_text(page)
    (doc,) = _read(tmp_path / "deep.html")
    assert isinstance(doc, Document), doc
    assert "Dmitri Peskow" in doc.text and doc.title == "Tief"
    assert any("levels deep" in w for w in doc.warnings)


def test_an_svg_saved_as_html_is_a_clear_failure(tmp_path):
    (tmp_path / "image.html").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
                                         "<text>Hallo</text></svg>")
    (failure,) = _read(tmp_path / "image.html")
    assert isinstance(failure, Failure) and "an SVG image, not an HTML page" in failure.error
    assert "AssertionError" not in failure.error
