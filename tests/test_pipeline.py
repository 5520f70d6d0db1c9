"""The pipeline isolates failures: one document that cannot be parsed fails alone."""

from __future__ import annotations

import pytest

from conftest import SEEDS


@pytest.mark.models
def test_a_document_in_an_unsupported_language_fails_alone(models):
    from quotes.pipeline import Pipeline, PipelineConfig
    from quotes.records import Document, DocumentResult, Failure

    text = (SEEDS / "000_12ed547d5a234aed.txt").read_text(encoding="utf-8")
    good = Document(doc_id="good", path="a.txt", text=text, language="de")
    # metadata says Swedish: a language needs data files and stanza models, and sv has neither here
    odd = Document(doc_id="odd", path="b.txt", text=text, language="sv")
    results = Pipeline(PipelineConfig(language="auto")).process_documents([good, odd])
    assert isinstance(results[0], DocumentResult) and results[0].quotes
    assert isinstance(results[1], Failure) and results[1].doc_id == "odd"
    assert "sv" in results[1].error
