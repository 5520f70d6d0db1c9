"""The HTML report and the exports: the seeds' report in a real browser (headless Chromium driven
by Playwright), document text that tries to be markup, an empty and a missing store, the
commands, and the page's size and speed at 10,000 quotes.

The seeds' store is built once for the module, by the library, from the seeds plus one article
dated and credited to Sputnik that repeats the first paragraph of seed 001 (so a statement has
travelled) and one binary file (a failure).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT, SEEDS, need, run_main

from quotes.corpus.claims import update_claims
from quotes.embed.encoders import load_encoder
from quotes.embed.statements import embed_statements
from quotes.ingest.read import content_hash
from quotes.records import Citation, DocumentResult, Failure, Outlet, Quote, Speaker
from quotes.report.context import sentence_around
from quotes.report.html import json_block, write_report
from quotes.run import runner as corpus
from quotes.store.tables import SPECS, TABLES, Provenance, StatementRow
from quotes.store.writer import Failed, Processed, Store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EVIL = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_store(models, tmp_path_factory) -> Store:
    root = tmp_path_factory.mktemp("report-store")
    extra = root / "extra"
    extra.mkdir()
    paragraph = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8").split("\n\n")[1]
    record = {"id": "sputnik-peskow", "text": paragraph, "published": "2024-01-15T09:00:00+00:00",
              "outlet": "Sputnik", "lang": "de"}
    (extra / "sputnik.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (extra / "scan.txt").write_bytes(b"%PDF-1.4\x00\x01 binary")
    store = Store(root / "store")
    corpus.run_corpus([str(SEEDS), str(extra)], store)
    return store


@pytest.fixture(scope="module")
def seed_page(report_store, tmp_path_factory) -> Path:
    return write_report(report_store.uri, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium (Debian's, not a Playwright download), driven by Playwright."""
    need(Path(CHROMIUM).is_file(), f"chromium at {CHROMIUM} (apt-get install -y chromium)")
    need(importlib.util.find_spec("playwright") is not None, "playwright (pip install -e '.[test]')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def open_page(browser, path: Path):
    """The page, loaded and drawn; ``page.errors`` and ``page.requests`` collect what happened."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.errors, page.requests = [], []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=10_000)
    return page


def shown_rows(page) -> list[str]:
    return page.locator("#quote-rows tr").all_inner_texts()


# --- the seeds' report in a browser --------------------------------------------------------------


def edge(page, outlet: str, source: str) -> dict:
    g = page.locator(f'#cites-graph g.edge[data-outlet="{outlet}"][data-source="{source}"]')
    assert g.count() == 1, (outlet, source)
    return {"documents": int(g.get_attribute("data-documents")), "comments": int(g.get_attribute("data-comments")),
            "paths": g.locator("path").evaluate_all("ps => ps.map(p => p.getAttribute('class'))"),
            "label": g.locator("text").text_content()}


def test_seed_report_in_a_browser_shows_who_cites_whom(chromium, seed_page, tmp_path):
    page = open_page(chromium, seed_page)
    assert edge(page, "RT", "Sputnik") == {"documents": 2, "comments": 0, "paths": ["article"], "label": "2"}
    assert edge(page, "RT", "RIA Novosti")["documents"] == 1
    for source in ("oe24", "t-online", "ZDF"):  # the Norwegian article, its outlet not detected
        assert edge(page, "(unknown)", source) == {"documents": 1, "comments": 0, "paths": ["article"], "label": "1"}
    # eXXpress cites Kyiv Post only in its reader comments: a dashed edge of its own, no article edge
    assert edge(page, "eXXpress", "Kyiv Post") == {"documents": 0, "comments": 1, "paths": ["comments"],
                                                  "label": "1 in comments"}
    assert page.locator("#cites-graph g.edge").count() == 6
    rt = page.locator('#shares tr[data-outlet="RT"]').inner_text()
    assert "Sputnik 67 %" in rt and "RIA Novosti 33 %" in rt and "3 of 3" in rt
    assert "Kyiv Post (1)" in page.locator('#shares tr[data-outlet="eXXpress"]').inner_text()
    assert page.locator("#cites-graph").bounding_box()["height"] > 100  # drawn, not just present
    page.screenshot(path=str(tmp_path / "cites.png"))
    assert not page.errors
    assert all(url.startswith(("file:", "data:", "about:")) for url in page.requests), page.requests  # offline


def test_seed_report_table_filters_and_links(chromium, seed_page, report_store, tmp_path):
    page = open_page(chromium, seed_page)
    total = report_store.scan("quotes").select(pl.len()).collect().item()
    assert page.locator("#quote-count").inner_text().startswith(f"1–{total} of {total} matching quotes")
    assert len(shown_rows(page)) == total  # fewer than a page: all drawn
    # searching filters the table
    page.fill("#filter-q", "Nordkorea")
    rows = shown_rows(page)
    assert 0 < len(rows) < total and all("nordkorea" in r.lower() for r in rows)
    page.fill("#filter-q", "no such words anywhere")
    assert shown_rows(page) == [] and page.locator("#quote-count").inner_text().startswith("0 matching")
    page.click("#reset")
    # a speaker's quotes are one click away (from the speakers table)
    page.click('#top-speakers button[data-set-speaker="Dmitri Peskow"]')
    peskow = report_store.scan("quotes").filter(pl.col("speaker_name") == "Dmitri Peskow").select(pl.len()).collect()
    assert len(shown_rows(page)) == peskow.item()
    page.click("#reset")
    # filters: cited source (documents citing it), comments only, sort by outlet
    page.select_option("#filter-source", "Sputnik")
    assert {r.split("\t")[1] for r in shown_rows(page)} == {"RT"}
    page.select_option("#filter-source", "")
    page.select_option("#filter-comments", "comments")
    assert shown_rows(page) and all(r.split("\t")[1] == "eXXpress" for r in shown_rows(page))
    page.select_option("#filter-comments", "")
    page.click('#quote-table th[data-sort="outlet"]')
    outlets = [r.split("\t")[1] for r in shown_rows(page)]
    assert outlets == sorted(outlets) and len(set(outlets)) > 2
    # each quote in its sentence: seed 000's first quote with the words after it
    page.fill("#filter-q", "G20-Gipfels")
    assert "sagte Kremlsprecher Dmitri Peskow" in shown_rows(page)[0]
    # its document's details
    page.locator("#quote-rows a.doc").first.click()
    details = page.locator("#details")
    assert details.is_visible() and "Japan: Putin lädt Trump" in details.inner_text()
    assert "Sputnik" in details.inner_text()
    page.screenshot(path=str(tmp_path / "browser.png"), full_page=True)
    assert not page.errors


def test_seed_report_lists_claims_and_failures(seed_page):
    """Without a browser: the sections made in Python."""
    html = seed_page.read_text(encoding="utf-8")
    claims = html[html.index('<section id="claims">'):html.index('<section id="browser">')]
    assert "Damit erwidere Putin eine Einladung" in claims and "2 documents" in claims
    assert claims.index("sputnik-peskow") < claims.index("001_da0e2f8f427599a1")  # first appearance first
    failures = html[html.index('<section id="failures">'):]
    assert "scan.txt" in failures and "binary file" in failures


# --- escaping ------------------------------------------------------------------------------------


def evil_item(root: Path, doc_id: str) -> Processed:
    """A document whose title, outlet, speaker, quote and cited source all carry markup."""
    text = f"Titel {EVIL}\n\n{EVIL} sagte er.\n"
    path = root / f"{doc_id}.txt"
    path.write_text(text, encoding="utf-8")
    start = text.index(EVIL, 10)
    quote = Quote(quote_id=f"q-{doc_id}", text=EVIL, start=start, end=start + len(EVIL), kind="direct",
                  speaker=Speaker(name=f"Evil {EVIL}", mention="er", start=start, end=start + 2, entity_type="PER"),
                  confidence=0.9)
    cite = Citation(source=f"Source {EVIL}", mention=EVIL, start=6, end=6 + len(EVIL), kind="credit")
    result = DocumentResult(doc_id=doc_id, path=str(path), language="de", title=f"Title {EVIL}",
                            outlet=Outlet(name=f"Outlet {EVIL}", evidence=EVIL), quotes=[quote], citations=[cite])
    prov = Provenance(content_hash=content_hash(text), extractor_version="test", model_version="test",
                      processed_at=datetime.now(timezone.utc))
    statement = StatementRow(statement_id=f"s-{doc_id}", kind="quote", start=start, end=start + len(EVIL),
                             text=f"{EVIL} sagte er.", quote_id=quote.quote_id, text_hash="evil")
    return Processed(result, prov, chars=len(text), statements=[statement])


def test_document_text_is_shown_as_text_and_runs_no_script(chromium, tmp_path):
    store = Store(tmp_path / "store")
    failure = Failure(doc_id=f"bad {EVIL}", path=f"/in/{EVIL}", stage="ingest", error=f"cannot read {EVIL}")
    items = [evil_item(tmp_path, "evil-1"), evil_item(tmp_path, "evil-2")]
    embed_statements([s for i in items for s in i.statements], load_encoder())  # the same text: one claim
    store.write(items + [Failed(failure, Provenance(extractor_version="t", model_version="t",
                                                    processed_at=datetime.now(timezone.utc)))])
    update_claims(store)
    path = write_report(store.uri, tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert "<script>window" not in html and "<img" not in html
    data = html[html.index('id="report-data">'):]
    assert "<" not in data[len('id="report-data">'):data.index("</script>")]

    page = open_page(chromium, path)
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.images.length") == 0
    assert page.evaluate("document.scripts.length") == 2  # the data block and the page's own script
    assert EVIL in page.locator("#quote-rows tr").first.inner_text()  # the quote, and its context
    assert f"Evil {EVIL}" in page.locator("#top-speakers").inner_text()
    assert f"Outlet {EVIL}" in page.locator("#shares").inner_text()
    assert f"Source {EVIL}" in page.locator("#cites-graph").text_content()
    assert EVIL in page.locator("#claims").inner_text()
    assert f"cannot read {EVIL}" in page.locator("#failure-table").inner_text()
    page.locator("#quote-rows a.doc").first.click()
    assert f"Title {EVIL}" in page.locator("#details").inner_text()
    page.fill("#filter-q", "onerror")
    assert len(shown_rows(page)) == 2
    assert page.evaluate("window.__pwned") is None and page.evaluate("document.images.length") == 0
    assert not page.errors


def test_json_block_cannot_close_its_script():
    text = json_block({"t": "</script><!--<script>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!--<script>&"}


# --- empty and missing stores, the commands ------------------------------------------------------


def test_a_store_of_failures_only_gives_a_page_of_no_data(chromium, tmp_path):
    from quotes.run import runner as corpus

    (tmp_path / "empty.txt").write_text("")
    corpus.run_corpus([str(tmp_path / "empty.txt")], str(tmp_path / "store"))
    path = write_report(tmp_path / "store", tmp_path / "report.html")
    html = path.read_text(encoding="utf-8")
    assert "empty.txt" in html[html.index('<section id="failures">'):]
    for section in ("cites", "speakers", "claims", "browser"):
        part = html[html.index(f'<section id="{section}">'):]
        assert "No data" in part[:part.index("</section>")], section
    page = open_page(chromium, path)
    assert page.locator("#quote-count").inner_text().startswith("0 matching") and not page.errors


def test_report_command_and_its_errors(capsys, report_store, tmp_path):
    status, _, err = run_main(capsys, "report", "--store", report_store.uri, "--out", str(tmp_path / "r.html"))
    assert status == 0 and (tmp_path / "r.html").stat().st_size > 10_000, err
    for args, message in (
        (("--store", tmp_path / "missing", "--out", tmp_path / "x.html"), "no store at"),
        (("--store", report_store.uri, "--out", tmp_path / "no" / "such" / "dir.html"), "cannot write the report"),
    ):
        status, _, err = run_main(capsys, "report", *map(str, args))
        assert status == 2, err
        assert message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_export_writes_whole_tables(capsys, report_store, tmp_path, fmt):
    for table in TABLES:
        out = tmp_path / f"{table}.{fmt}"
        status, _, err = run_main(capsys, "export", "--store", report_store.uri, "--table", table, "--format", fmt,
                                  "--out", str(out))
        assert status == 0, err
        stored = report_store.tables()[table].collect()
        if fmt == "parquet":
            key = SPECS[table].key
            assert pl.read_parquet(out).sort(key, nulls_last=True).equals(stored.sort(key, nulls_last=True)), table
            continue
        back = (pl.read_csv if fmt == "csv" else pl.read_ndjson)(out, infer_schema_length=None)
        assert back.height == stored.height and back.columns == stored.columns, table
    if fmt == "csv":  # lists as '; '-joined text, for spreadsheets
        spans = pl.read_csv(tmp_path / "quotes.csv", infer_schema_length=None)["direct_spans"]
        assert spans.dtype in (pl.String, pl.Null)


def test_export_errors_are_one_line(capsys, report_store, tmp_path):
    status, _, err = run_main(capsys, "export", "--store", str(tmp_path / "missing"), "--table", "quotes")
    assert status == 2 and err.strip().startswith(f"error: no store at {tmp_path / 'missing'}")
    status, _, err = run_main(capsys, "export", "--store", report_store.uri, "--table", "quotes", "--out",
                              str(tmp_path / "no" / "x.csv"))
    assert status == 2 and len(err.strip().splitlines()) == 1
    status, _, err = run_main(capsys, "export", "--store", report_store.uri, "--table", "speakers")
    assert status == 2


def test_the_report_command_loads_no_stanza_torch_or_prefect(report_store, tmp_path):
    code = ("import sys; from quotes.cli.main import app; "
            f"app(['report', '--store', {report_store.uri!r}, '--out', {str(tmp_path / 'r.html')!r}], "
            "standalone_mode=False); "
            "print(sorted(m for m in ('stanza', 'torch', 'prefect') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


# --- context and traced statements, on small made-up data ----------------------------------------


def test_sentence_around_a_quote():
    text = 'Erster Satz. Peskow sagte: "Wir kommen." Dann ging er.\nNeue Zeile.'
    start = text.index('"Wir')
    end = text.index('."') + 2
    assert sentence_around(text, start, end) == ("Peskow sagte: ", "")
    inner = text.index("Wir")
    assert sentence_around(text, inner, inner + 3) == ('Peskow sagte: "', ' kommen."')
    cut = sentence_around("x " * 300 + "Mitte" + " y" * 300, 600, 605, max_side=20)
    assert cut[0].startswith("…") and cut[1].endswith("…") and len(cut[0]) <= 21


# --- size and speed ------------------------------------------------------------------------------


def test_a_page_of_10000_quotes_is_small_and_quick(chromium, tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench import synthetic_store

    synthetic_store(tmp_path / "store", 10_000)
    path = write_report(tmp_path / "store", tmp_path / "report.html")
    assert path.stat().st_size < 3_000_000
    page = open_page(chromium, path)
    assert page.locator("#quote-rows tr").count() == 50  # drawn a page at a time
    assert "of 10000 matching quotes" in page.locator("#quote-count").inner_text()
    elapsed = page.evaluate("""() => { const t = performance.now(); const box = document.getElementById('filter-q');
        box.value = 'w1234'; box.dispatchEvent(new Event('input')); return performance.now() - t; }""")
    assert elapsed < 1000 and 0 < len(shown_rows(page)) <= 50
    assert not page.errors
