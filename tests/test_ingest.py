"""Reading articles: every bad input becomes a clear Failure and the other inputs go on."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from quotes.ingest.read import content_hash, read_documents
from quotes.records import Document, Failure

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


def test_each_bad_input_fails_clearly_and_the_good_file_still_comes(tmp_path):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_blank.txt").write_bytes(b"  \n\t\n")
    (tmp_path / "c_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    shutil.copy(seed_path("000"), tmp_path / "d_article.txt")

    results = list(read_documents([tmp_path, tmp_path / "e_missing.txt"]))

    assert [type(r).__name__ for r in results] == ["Failure", "Failure", "Failure", "Document", "Failure"]
    empty, blank, binary, article, missing = results
    assert "empty" in empty.error
    assert "empty" in blank.error and "whitespace" in blank.error
    assert "binary" in binary.error and "NUL" in binary.error
    assert "not found" in missing.error
    assert article.text == seed_text("000")
    for failure in (empty, blank, binary, missing):
        assert failure.stage == "ingest"
        assert Path(failure.path).name in failure.error  # the message says which file


def test_too_large_by_argument_and_by_environment(tmp_path, monkeypatch):
    short, long = sorted(["000", "001"], key=lambda p: len(seed_text(p)))
    limit = len(seed_text(short))
    paths = [seed_path(short), seed_path(long)]

    by_argument = list(read_documents(paths, max_chars=limit))
    monkeypatch.setenv("QUOTES_MAX_CHARS", str(limit))
    by_env = list(read_documents(paths))

    for ok, too_large in (by_argument, by_env):
        assert isinstance(ok, Document) and ok.text == seed_text(short)
        assert isinstance(too_large, Failure)
        assert "too large" in too_large.error and f"{limit:,}" in too_large.error
        assert "QUOTES_MAX_CHARS" in too_large.error


def test_bad_size_setting_is_refused_at_the_call(monkeypatch):
    monkeypatch.setenv("QUOTES_MAX_CHARS", "a lot")
    with pytest.raises(ValueError, match="QUOTES_MAX_CHARS"):
        read_documents([seed_path("000")])


def test_latin1_file_is_decoded_and_its_encoding_recorded(tmp_path):
    text = seed_text("000")  # umlauts, ß and no-break spaces: all in Latin-1
    data = text.encode("latin-1")
    (tmp_path / "latin.txt").write_bytes(data)

    (doc,) = read_documents([tmp_path / "latin.txt"])

    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.encoding != "utf-8"
    assert data.decode(doc.encoding) == text


def test_jsonl_metadata_and_a_bad_line_do_not_stop_the_others(tmp_path):
    lines = [
        json.dumps({"id": "rt-001", "text": seed_text("001"), "url": "https://de.rt.com/international/1/",
                    "outlet": "RT DE", "published": "2024-01-15T09:30:00+00:00",
                    "title": "Peskow: Putin wird Nordkorea in absehbarer Zukunft besuchen", "lang": "de"}),
        '{"id": "broken", "text": "',
        "",
        json.dumps({"id": "no-text", "title": "Kim und Putin"}),
        json.dumps({"text": seed_text("004"), "published": "2025-05-20"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    first, broken, no_text, last = read_documents([tmp_path / "feed.jsonl"])

    assert first.doc_id == "rt-001" and first.text == seed_text("001")
    assert first.url == "https://de.rt.com/international/1/"
    assert first.outlet == "RT DE" and first.language == "de"
    assert first.title == "Peskow: Putin wird Nordkorea in absehbarer Zukunft besuchen"
    assert first.published.date() == date(2024, 1, 15) and first.published.hour == 9
    assert isinstance(broken, Failure) and "line 2" in broken.error and "invalid JSON" in broken.error
    assert isinstance(no_text, Failure) and "line 4" in no_text.error and "'text'" in no_text.error
    assert last.doc_id == f"feed-{content_hash(seed_text('004'))[:12]}" and last.text == seed_text("004")
    assert (first.id_from, last.id_from) == ("id", "record")
    assert last.published.date() == date(2025, 5, 20)


def test_html_page_text_title_and_date_come_from_the_page(tmp_path):
    paragraphs = [p for p in seed_text("001").split("\n\n") if p.strip()]
    body = paragraphs[1]  # the lead paragraph, under the headline
    page = (
        "<html><head><title>Peskow: Putin wird Nordkorea in absehbarer Zukunft besuchen</title>"
        '<meta property="article:published_time" content="2024-01-15T08:00:00+00:00"></head><body>'
        "<nav><ul><li><a href='/'>Startseite</a></li><li><a href='/kurzclips'>Kurzclips</a></li></ul></nav>"
        f"<article><h1>Peskow: Putin wird Nordkorea in absehbarer Zukunft besuchen</h1><p>{body}</p>"
        f"<p>{paragraphs[3][:600]}</p></article></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")

    (doc,) = read_documents([tmp_path / "page.html"])

    assert isinstance(doc, Document), doc
    assert body in doc.text
    assert "<p>" not in doc.text and "Startseite" not in doc.text
    assert doc.title == "Peskow: Putin wird Nordkorea in absehbarer Zukunft besuchen"
    assert doc.published.date() == date(2024, 1, 15)


def test_input_order_is_kept_and_directories_are_walked_sorted(tmp_path):
    folder = tmp_path / "folder"
    (folder / "inner").mkdir(parents=True)
    shutil.copy(seed_path("002"), folder / "b.txt")
    shutil.copy(seed_path("003"), folder / "inner" / "a.md")
    shutil.copy(seed_path("000"), folder / "a.txt")
    (folder / "notes.csv").write_text("not an input", encoding="utf-8")

    docs = list(read_documents([seed_path("004"), folder, seed_path("001")]))

    assert [d.doc_id.rsplit("-", 1)[0] for d in docs] == [seed_path("004").stem, "a", "b", "a", seed_path("001").stem]
    assert docs[3].path.endswith("inner/a.md")
    # two files named 'a' with different texts are two documents
    assert docs[1].doc_id != docs[3].doc_id


def test_content_hash_is_sha256_of_the_text():
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(seed_text("000")))
    assert content_hash(seed_text("000")) == content_hash(seed_path("000").read_text(encoding="utf-8"))
    assert content_hash(seed_text("000")) != content_hash(seed_text("001"))


def test_html_without_a_date_in_its_metadata_gets_none_not_a_year_from_the_text(tmp_path):
    from conftest import SEEDS

    from quotes.ingest.read import read_documents

    text = (SEEDS / "000_12ed547d5a234aed.txt").read_text(encoding="utf-8")  # mentions the year 2020
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip())
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>T</title></head><body><article>{paras}</article></body></html>", encoding="utf-8")
    (doc,) = list(read_documents([str(page)]))
    assert doc.published is None
    dated = tmp_path / "dated.html"
    dated.write_text('<html><head><meta property="article:published_time" content="2019-06-29T10:00:00">'
                     f"<title>T</title></head><body><article>{paras}</article></body></html>", encoding="utf-8")
    (doc,) = list(read_documents([str(dated)]))
    assert doc.published is not None and doc.published.year == 2019


def test_dates_in_common_forms_keep_their_zone_or_say_why_they_are_missing(tmp_path):
    records = [
        {"id": "dmy", "text": seed_text("001"), "published": "16.01.2024"},
        {"id": "words", "text": seed_text("001"), "published": "16. Januar 2024"},
        {"id": "zone", "text": seed_text("001"), "published": "2024-01-16T10:00:00+01:00"},
        {"id": "month", "text": seed_text("001"), "published": "2024-01"},
        {"id": "nonsense", "text": seed_text("001"), "published": "irgendwann"},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    docs = {d.doc_id: d for d in read_documents([tmp_path / "feed.jsonl"])}
    assert docs["dmy"].published.date() == date(2024, 1, 16) == docs["words"].published.date()
    assert docs["zone"].published.hour == 10 and docs["zone"].published.utcoffset().total_seconds() == 3600
    assert docs["month"].published.date() == date(2024, 1, 1) and "month only" in docs["month"].warnings[0]
    assert docs["nonsense"].published is None and "not understood" in docs["nonsense"].warnings[0]

    body = "".join(f"<p>{p}</p>" for p in seed_text("001").split("\n\n") if p.strip())
    (tmp_path / "zoned.html").write_text(
        '<html><head><meta property="article:published_time" content="2024-01-16T10:00:00+01:00">'
        f"<title>T</title></head><body><article>{body}</article></body></html>", encoding="utf-8")
    (tmp_path / "header.html").write_text(
        f"<html><head><title>T</title></head><body><header>date 2024-01</header><article>{body}</article>"
        "</body></html>", encoding="utf-8")
    (tmp_path / "none.html").write_text(f"<html><body><article>{body}</article></body></html>", encoding="utf-8")
    zoned, header, none = read_documents([tmp_path / "zoned.html", tmp_path / "header.html", tmp_path / "none.html"])
    assert (zoned.published.hour, zoned.published.utcoffset().total_seconds()) == (10, 3600)
    assert header.published.date() == date(2024, 1, 1) and "header" in header.warnings[0]
    assert none.published is None and "no publication date" in none.warnings[0]


def test_devices_fifos_and_deep_json_are_failures_that_do_not_block(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "deep.json").write_bytes(b"[" * 200_000)
    (tmp_path / "ctl.jsonl").write_bytes(b'{"id": "x", "text": "a\x01b"}\n')
    shutil.copy(seed_path("000"), tmp_path / "good.txt")
    results = list(read_documents([tmp_path / "pipe.txt", "/dev/zero", tmp_path / "deep.json", tmp_path / "ctl.jsonl",
                                   tmp_path / "good.txt"]))
    pipe, zero, deep, ctl, good = results
    assert "FIFO" in pipe.error and "character device" in zero.error
    assert "nested too deeply" in deep.error
    assert "Invalid control character (column" in ctl.error and "at at" not in ctl.error
    assert isinstance(good, Document)
