"""Fuzzing (hypothesis): no input escapes as an exception from ingest → segment → extract, and no
stored text breaks the terminal tables.

The budget is fixed for CI (QUOTES_FUZZ_EXAMPLES, default 60 examples a property; the stanza one
a third of that); run it longer by hand, e.g. ``QUOTES_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotes.extract.citations import extract_citations
from quotes.extract.outlets import detect_outlet, load_registry
from quotes.extract.quotation_marks import find_quoted_spans
from quotes.ingest.read import read_documents
from quotes.ingest.segment import segment_document
from quotes.records import Citation, Document, DocumentResult, Failure, Outlet, Quote, Speaker

EXAMPLES = int(os.environ.get("QUOTES_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                              HealthCheck.too_slow])

# Pieces that the rules react to, mixed with arbitrary text: quotation marks of every style,
# dialogue dashes, credit lines, outlet names spaced out, speech verbs, markup, control characters.
PIECES = ["„", "“", "”", '"', "«", "»", "‚", "‘", "’", "‹", "›", "– ", "- ", "\n", "\n\n", " ", ". ", ", ",
          "sagte", "sa", "Peskow", "Kremlsprecher Dmitri Peskow", "laut", "ifølge", "Quelle: Sputnik",
          "wie RIA Nowosti berichtet", "k y i v p o s t", "Kommentare", "[/bold]", "[link=http://x]", "[red]",
          "<script>", "\x00", "\x01", "\u200b", "\ufeff", "\r", "\t", "😀", "ß", "Ä"]
texty = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map("".join)


@FUZZ
@given(texty, st.sampled_from(["de", "nb"]))
def test_segments_marks_outlets_and_citations_never_raise(text, lang):
    segments = segment_document(text, lang) if text else []
    for s in segments:
        assert 0 <= s.start <= s.end <= len(text)
    spans = find_quoted_spans(text, [(0, len(text))])
    for span in spans:
        assert 0 <= span.start <= span.end <= len(text)
    registry = load_registry()
    detect_outlet(Document(doc_id="f", path="f", text=text or " "), text, registry)
    for c in extract_citations(text, segments, lang, registry, None):
        assert text[c.start:c.end] == c.mention


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([".txt", ".html", ".jsonl", ".json", ".md"]))
def test_any_bytes_in_any_input_file_become_a_document_or_a_failure(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    results = list(read_documents([path], max_chars=10_000))
    assert results and all(isinstance(r, (Document, Failure)) for r in results)


@FUZZ
@given(st.lists(st.one_of(st.dictionaries(st.sampled_from(["id", "text", "url", "published", "lang", "title",
                                                           "outlet"]),
                                          st.one_of(texty, st.integers(), st.none(), st.lists(st.integers()))),
                          texty, st.integers()), max_size=5))
def test_any_json_lines_become_documents_or_failures_one_each(tmp_path_factory, records):
    path = tmp_path_factory.mktemp("fuzz") / "feed.jsonl"
    lines = [json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = list(read_documents([path]))
    assert len(results) == max(1, sum(1 for line in lines if line.strip()))


@pytest.mark.models
@settings(max_examples=max(5, EXAMPLES // 3), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(texty.filter(lambda t: t.strip()), min_size=1, max_size=4), st.sampled_from(["de", "nb"]))
def test_the_whole_pipeline_gives_each_document_a_result_or_a_failure(models, texts, lang):
    from quotes.run.pipeline import Pipeline, PipelineConfig

    docs = [Document(doc_id=f"d{i}", path="fuzz", text=t, language=lang) for i, t in enumerate(texts)]
    results = Pipeline(PipelineConfig(language=lang, batch_size=4)).process_documents(docs)
    assert len(results) == len(docs)
    for doc, result in zip(docs, results):
        assert isinstance(result, (DocumentResult, Failure))
        if isinstance(result, DocumentResult):
            for q in result.quotes:
                assert doc.text[q.start:q.end] == q.text


@FUZZ
@given(texty, texty, texty)
def test_terminal_tables_print_any_stored_text_as_it_is(title, name, quote):
    from rich.console import Console

    from quotes.cli.output import print_document, print_frame

    out = Console(file=io.StringIO(), width=400, color_system=None)
    result = DocumentResult(
        doc_id=name or "d", path=title or "p", language="de", title=title or None,
        outlet=Outlet(name=name or "o", evidence=quote or "e"),
        quotes=[Quote(quote_id="q", text=quote, start=0, end=len(quote), kind="direct", confidence=0.5,
                      speaker=Speaker(name=name or None, mention=name or "x", start=0, end=1))],
        citations=[Citation(source=name or "s", mention=title or "m", start=0, end=1, kind="credit")])
    print_document(result, out)
    print_frame([(title, name, quote)], ["title", "name", "quote"], title=quote, out=out)
    shown = out.file.getvalue()
    for value in (title, name):
        word = next((w for w in value.split() if w.isprintable() and len(w) < 20), None)
        if word and "[" in word:
            assert word in shown, "markup-looking text is printed as written"
