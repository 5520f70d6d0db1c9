"""The pipeline isolates failures: one document that cannot be parsed fails alone."""

from __future__ import annotations

import pytest
from conftest import SEEDS


@pytest.mark.models
def test_a_document_in_an_unsupported_language_fails_alone(models):
    from quotes.records import Document, DocumentResult, Failure
    from quotes.run.pipeline import Pipeline, PipelineConfig

    text = (SEEDS / "000_12ed547d5a234aed.txt").read_text(encoding="utf-8")
    good = Document(doc_id="good", path="a.txt", text=text, language="de")
    # metadata says Swedish: a language needs data files and stanza models, and sv has neither here
    odd = Document(doc_id="odd", path="b.txt", text=text, language="sv")
    results = Pipeline(PipelineConfig(language="auto")).process_documents([good, odd])
    assert isinstance(results[0], DocumentResult) and results[0].quotes
    assert isinstance(results[1], Failure) and results[1].doc_id == "odd"
    assert "sv" in results[1].error


def test_extractor_fingerprint_follows_the_language_data(tmp_path, monkeypatch):
    """A changed cue list must re-process stored documents even without a version bump."""
    import shutil
    from importlib import resources

    import quotes.run.pipeline as pipeline

    before = pipeline.extractor_fingerprint()
    assert before.startswith(pipeline.EXTRACTOR_VERSION + "+")
    copy = tmp_path / "quotes"
    shutil.copytree(resources.files("quotes"), copy, ignore=shutil.ignore_patterns("__pycache__"))
    cues = copy / "data" / "de" / "cues.json"
    cues.write_text(cues.read_text(encoding="utf-8").replace('"sagen"', '"sagen", "flüstern"', 1), encoding="utf-8")
    original = resources.files
    monkeypatch.setattr(resources, "files", lambda package: copy if package == "quotes" else original(package))
    assert pipeline.extractor_fingerprint() != before
