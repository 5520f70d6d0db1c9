"""The learned attribution layer: its parse cache, its model file and card, how the pipeline uses
it, and what it does on text. Tests that need the trained model fail under CI when it is missing
(the set-up trains it from ../shared: `make train`)."""

from __future__ import annotations

import json

import pytest


def test_parse_cache_key_follows_text_and_stanza_models(monkeypatch):
    import quotes.parse.cache as cache

    monkeypatch.setattr(cache, "model_version", lambda lang: "stanza-1+aaa")
    a = cache._key("Er sagte das.", "de", "tokenize,pos")
    assert a == cache._key("Er sagte das.", "de", "tokenize,pos")
    assert a != cache._key("Er sagte dies.", "de", "tokenize,pos")
    monkeypatch.setattr(cache, "model_version", lambda lang: "stanza-1+bbb")
    assert a != cache._key("Er sagte das.", "de", "tokenize,pos")


@pytest.mark.models
def test_cached_parse_is_the_fresh_parse(models, tmp_path):
    from quotes.parse.cache import parse_documents_cached
    from quotes.parse.parser import parse_documents

    text = "Kremlsprecher Dmitri Peskow sagte gestern, Kim werde Moskau besuchen. „Wir sind bereit“, so Peskow."
    fresh = parse_documents([text], "de")[0]
    first = parse_documents_cached([text], "de", cache_dir=tmp_path)[0]
    assert len(list(tmp_path.rglob("*.json.gz"))) == 1
    again = parse_documents_cached([text], "de", cache_dir=tmp_path)[0]

    def shape(doc):
        return [(w.surface, w.lemma, w.upos, w.head, w.deprel, w.start, w.ner) for s in doc.sentences for w in s.words]

    assert shape(fresh) == shape(first) == shape(again)


def test_rules_only_setting_switches_the_model_off(monkeypatch):
    import quotes.run.pipeline as pipeline
    from quotes.learn.model import active_model

    monkeypatch.setenv("QUOTES_RULES_ONLY", "1")
    assert active_model() is None
    assert "+model-" not in pipeline.extractor_fingerprint()


def test_unreadable_model_leaves_the_rules_alone(tmp_path, monkeypatch, caplog):
    from quotes.learn.model import MODEL_FILE, active_model

    (tmp_path / "attribution").mkdir()
    (tmp_path / "attribution" / MODEL_FILE).write_bytes(b"not a model")
    monkeypatch.setenv("QUOTES_MODELS_DIR", str(tmp_path))
    monkeypatch.delenv("QUOTES_RULES_ONLY", raising=False)
    assert active_model() is None
    assert "running the rules alone" in caplog.text


@pytest.fixture(scope="module")
def model():
    from conftest import need

    from quotes.learn.model import active_model, model_folder

    found = active_model()
    need(found is not None, f"a trained model in {model_folder()} (`make train`)")
    return found


def test_model_card_carries_licence_hash_and_scores(model):
    from quotes.learn.model import CARD_FILE, model_folder

    card = json.loads((model_folder() / CARD_FILE).read_text(encoding="utf-8"))
    assert card["training_data"]["licence"] == "CC BY-NC-SA 4.0"
    assert card["sha256_16"] == model.digest
    assert card["training_data"]["fit_articles"] == [0, 600] and card["training_data"]["selection_articles"] == [600, 700]
    assert {"rules", "rules+model"} <= set(card["selection_scores"])


def test_fingerprint_and_pipeline_use_the_model(model):
    import quotes.run.pipeline as pipeline

    assert pipeline.extractor_fingerprint().endswith(f"+model-{model.digest}")
    quotes = next(p for p in pipeline.Pipeline().processors if p.name == "quotes")
    assert quotes.model is model
    rules = next(p for p in pipeline.Pipeline(pipeline.PipelineConfig(rules_only=True)).processors if p.name == "quotes")
    assert rules.model is None


@pytest.fixture(scope="module")
def both(models, model):
    from quotes.records import Document
    from quotes.run.pipeline import Pipeline, PipelineConfig

    steps = ("language", "segment", "parse", "quotes")
    learned = Pipeline(PipelineConfig(language="de", processors=steps))
    rules = Pipeline(PipelineConfig(language="de", processors=steps, rules_only=True))

    def run(text: str):
        doc = Document(doc_id="t", path="t.txt", text=text, language="de")
        return rules.process_documents([doc])[0].quotes, learned.process_documents([doc])[0].quotes

    return run


def test_speaker_ranker_fills_a_free_indirect_speaker(both):
    """The rules leave this Konjunktiv sentence without a speaker (the sentence before reports
    nothing); the ranker picks the organisation that acted there."""
    _, learned = both("Die Gewerkschaft kündigte am Montag einen Streik an. "
                      "Der Lohn der Arbeiter liege derzeit weit unter dem Tariflohn.")
    q = next(q for q in learned if "Tariflohn" in q.text)
    assert q.speaker is not None and "Gewerkschaft" in q.speaker.mention
