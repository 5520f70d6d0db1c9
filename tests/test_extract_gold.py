"""Each pattern against the gold annotations of real German news (train.jsonl, read at test time).

The expectations are the annotators' spans, not our output: for every gold quote of a pattern in
the first articles of the file, we check it is found (Jaccard ≥ 0.5) and attributed. The floors
are well below the measured rates, so they catch a broken pattern, not a small drift.
"""

from __future__ import annotations

import pytest

from quotes.gold.evaluate import Score, jaccard, score_document, speaker_right

N_DOCS = 60


@pytest.fixture(scope="module")
def scored(models, train_documents):
    from conftest import GERMAN_GOLD

    from quotes.gold.evaluate import read_gold
    from quotes.records import Document
    from quotes.run.pipeline import Pipeline, PipelineConfig

    gold = read_gold(GERMAN_GOLD / "train.jsonl")[:N_DOCS]
    raw = train_documents[:N_DOCS]
    docs = [Document(doc_id=f"train-{i}", path="train.jsonl", text=g.text, language="de") for i, g in enumerate(gold)]
    results = Pipeline(PipelineConfig(language="de", processors=("language", "segment", "parse", "quotes"))).process_documents(docs)
    out = []
    for g, r, d in zip(gold, results, raw):
        anns = [a for a in d["annotations"] if a.get("quote")]
        out.append((g, r.quotes, anns))
    return out




def rates(scored, select):
    found = right = total = 0
    for g, preds, anns in scored:
        text = g.text
        pred_chars = [(p, frozenset(i for i in range(p.start, p.end) if not text[i].isspace())) for p in preds]
        for gq, a in zip(g.quotes, anns):
            if not select(a, text):
                continue
            total += 1
            hit = next((p for p, pc in pred_chars if jaccard(gq.chars, pc) >= 0.5), None)
            if hit is not None:
                found += 1
                right += speaker_right(hit, gq)
    assert total >= 10, f"too few gold quotes of this pattern ({total})"
    return found / total, (right / found if found else 0.0)


def cue_word(a) -> str:
    return (a["cue"]["text"].split() or [""])[0].lower() if a.get("cue") else ""


def test_according_to_frames(scored):
    recall, speaker = rates(scored, lambda a, t: cue_word(a) in ("laut", "zufolge", "gemäß", "nach"))
    assert recall >= 0.5 and speaker >= 0.7


def test_direct_quotes_in_marks(scored):
    recall, speaker = rates(scored, lambda a, t: a["type"] == "Direct")
    assert recall >= 0.75 and speaker >= 0.5


def test_indirect_speech_with_speech_verbs(scored):
    recall, speaker = rates(scored, lambda a, t: a["type"] == "Indirect" and cue_word(a) in (
        "sagte", "erklärte", "betonte", "sagt", "erklärt", "teilte", "kündigte", "bestätigte"))
    assert recall >= 0.6 and speaker >= 0.75


def test_free_indirect_continuation(scored):
    recall, _ = rates(scored, lambda a, t: a["type"] in ("FreeIndirect", "IndirectFreeIndirect"))
    assert recall >= 0.4


def test_reported_speech_acts(scored):
    recall, speaker = rates(scored, lambda a, t: a["type"] == "Reported")
    assert recall >= 0.15 and speaker >= 0.6


def test_overall_precision_on_real_articles(scored):
    score = Score()
    for g, preds, _ in scored:
        score_document(g, preds, score)
    assert score.precision >= 0.55 and score.recall >= 0.5
