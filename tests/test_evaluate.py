"""The scorer itself, checked with the gold quotes as predictions and with broken predictions."""

from __future__ import annotations

from conftest import GERMAN_GOLD, need

from quotes.gold.evaluate import GoldDocument, Score, read_gold, score_document
from quotes.records import Quote, Speaker


def gold_docs(n=30):
    path = GERMAN_GOLD / "dev.jsonl"
    need(path.is_file(), str(path))
    return [d for d in read_gold(path) if d.quotes][:n]


def as_prediction(doc: GoldDocument, i: int, shift: int = 0, speaker: bool = True) -> Quote:
    g = doc.quotes[i]
    start, end = min(g.chars) + shift, max(g.chars) + 1 + shift
    sp = None
    if speaker and g.speaker_spans:
        s, e = g.speaker_spans[0]
        sp = Speaker(name=doc.text[s:e], mention=doc.text[s:e], start=s, end=e)
    return Quote(quote_id=str(i), text=doc.text[start:end], start=start, end=end, kind="direct",
                 speaker=sp, confidence=1.0)


def test_gold_as_prediction_scores_perfectly():
    score = Score()
    for doc in gold_docs():
        score_document(doc, [as_prediction(doc, i) for i in range(len(doc.quotes))], score)
    assert score.precision > 0.95 and score.recall > 0.95
    assert score.speaker_accuracy == 1.0


def test_missing_speakers_and_missing_quotes_are_counted():
    score = Score()
    for doc in gold_docs():
        preds = [as_prediction(doc, i, speaker=False) for i in range(0, len(doc.quotes), 2)]
        score_document(doc, preds, score)
    assert 0.4 < score.recall < 0.65
    assert score.speaker_accuracy == 0.0 and score.attributed_f1 == 0.0


def test_a_span_far_off_does_not_match_and_comments_are_left_out():
    doc = gold_docs(1)[0]
    far = as_prediction(doc, 0, shift=len(doc.text) // 2)
    near = as_prediction(doc, 0).model_copy(update={"in_comments": True})
    score = Score()
    score_document(doc, [far, near], score)
    assert score.predicted == 1 and score.matched <= 1
