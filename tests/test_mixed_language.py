"""A document in two supported languages: each paragraph is read with its own language's rules, so
a German quote in a mostly Norwegian article keeps its German speaker (issue 18: three German quotes
lost their speaker or went to a Norwegian politician named elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes.ingest.language import identify_language, language_parts, split_by_language
from quotes.records import Document

MIXED = Path(__file__).with_name("data") / "mixed_nb_de.txt"


def test_a_mixed_document_splits_into_parts_that_keep_every_offset():
    text = MIXED.read_text(encoding="utf-8")
    doc = Document(doc_id="mixed", path=str(MIXED), text=text)
    parts = split_by_language(doc, "auto")
    assert [p.language for p in parts] == ["nb", "de"]
    assert all(len(p.text) == len(text) for p in parts)
    for i, ch in enumerate(text):  # every character in exactly one part; blanks elsewhere
        owners = [p for p in parts if p.text[i] == ch and not ch.isspace()]
        assert ch.isspace() or len(owners) == 1, (i, ch)
    assert "Peskow" in parts[1].text and "Peskow" not in parts[0].text and "Støre" not in parts[1].text
    assert split_by_language(doc, "nb") == [doc]  # a language asked for is the whole document's


def test_a_document_in_one_language_is_not_split():
    for seed in sorted((Path(__file__).parents[1] / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        assert language_parts(text, identify_language(text)[0]) == [], seed.name


@pytest.mark.models
def test_german_paragraphs_get_german_rules_in_a_norwegian_document(models):
    from quotes.run.pipeline import Pipeline, PipelineConfig

    (result,) = list(Pipeline(PipelineConfig(rules_only=True)).run([str(MIXED)]))
    assert result.language == "nb" and any("written in 2 languages" in w for w in result.warnings)
    german = [q for q in result.quotes if "Russland" in q.text or "Grundlage" in q.text]
    assert len(german) == 2 and all(q.speaker and q.speaker.name == "Dmitri Peskow" for q in german), german
    norwegian = [q for q in result.quotes if "Norge" in q.text or "historisk" in q.text]
    assert norwegian and all(q.speaker and q.speaker.name == "Espen Barth Eide" for q in norwegian)
    text = MIXED.read_text(encoding="utf-8")
    assert all(text[q.start:q.end] == q.text for q in result.quotes)
    assert [s.start for s in result.segments] == sorted(s.start for s in result.segments)


@pytest.mark.models
def test_a_mixed_document_is_stored_whole(models, tmp_path):
    from quotes.run.runner import run_corpus
    from quotes.store.reader import StoreReader

    summary = run_corpus([str(MIXED)], str(tmp_path / "store"), embed=False)
    assert summary.processed == 1 and summary.failures == 0
    tables = StoreReader(tmp_path / "store").tables()
    speakers = set(tables.quotes.collect()["speaker_name"])
    assert {"Dmitri Peskow", "Espen Barth Eide", "Jonas Gahr Støre"} <= speakers
    assert "Dmitri Peskow" in set(tables.mentions.collect()["name"])
