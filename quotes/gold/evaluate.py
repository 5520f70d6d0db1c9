"""Score extracted quotes against gold files shaped like ``german-news-quotes`` (one article a line,
``originalText`` and ``annotations[]`` with ``quote``/``speaker`` character spans and a ``type``).

Matching: a predicted and a gold quote match when the Jaccard of their non-space character
positions is at least 0.5, one to one, best pairs first. Speaker accuracy is over matched quotes
with a gold speaker: right when the predicted mention overlaps the gold speaker span, or a word of
the predicted name occurs in it. Attributed F1 counts a match only with the right speaker. Quotes
predicted inside comment sections are left out. A mixed quote is one record; the direct words
inside it (``direct_spans``) are scored as the nested quote the gold marks them as.

Beside them, the share of emitted speaker names that are not names (pronouns, articles, adverbs,
oblique phrases; defined by per-language data in ``quotes/resolve/names.py``), and the recall of speech
reports (gold type ``Reported``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from quotes.records import Quote
from quotes.resolve.names import NameStats

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class GoldQuote:
    chars: frozenset[int]
    kind: str
    speaker_spans: list[tuple[int, int]]
    speaker_text: str
    cue_spans: list[tuple[int, int]] = field(default_factory=list)
    nested: bool = False  # direct words inside another quote (a mixed quote's direct part)


@dataclass
class GoldDocument:
    doc_id: str
    text: str
    quotes: list[GoldQuote]


def _chars(text: str, spans: Iterable[tuple[int, int]]) -> frozenset[int]:
    return frozenset(i for s, e in spans for i in range(s, min(e, len(text))) if not text[i].isspace())


def read_gold(path: str | Path) -> list[GoldDocument]:
    docs: list[GoldDocument] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            text = d["originalText"]
            quotes = []
            for a in d.get("annotations", []):
                if not a.get("quote"):
                    continue
                spans = [(s["charBegin"], s["charEnd"]) for s in a["quote"]["spans"]]
                sp = a.get("speaker") or {}
                sspans = [(s["charBegin"], s["charEnd"]) for s in sp.get("spans", [])]
                cspans = [(s["charBegin"], s["charEnd"]) for s in (a.get("cue") or {}).get("spans", [])]
                quotes.append(GoldQuote(_chars(text, spans), a.get("type", "?"), sspans,
                                        " ".join(text[s:e] for s, e in sspans), cspans, bool(a.get("isNested"))))
            docs.append(GoldDocument(str(d.get("documentName") or d.get("id") or n), text, quotes))
    return docs


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def speaker_right(pred: Quote, gold: GoldQuote) -> bool:
    sp = pred.speaker
    if sp is None:
        return False
    if any(sp.start < e and s < sp.end for s, e in gold.speaker_spans):
        return True
    gold_words = {w.lower() for w in _WORD.findall(gold.speaker_text)}
    return any(w.lower() in gold_words for w in _WORD.findall(sp.name or ""))


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    with_gold_speaker: int = 0
    speaker_right: int = 0
    by_type: dict[str, Counter] = field(default_factory=dict)
    names: NameStats = field(default_factory=NameStats)

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return self._f1(self.precision, self.recall)

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.with_gold_speaker if self.with_gold_speaker else 0.0

    @property
    def attributed_f1(self) -> float:
        p = self.speaker_right / self.predicted if self.predicted else 0.0
        r = self.speaker_right / self.gold if self.gold else 0.0
        return self._f1(p, r)

    @property
    def speech_report_recall(self) -> float:
        c = self.by_type.get("Reported")
        return c["matched"] / c["gold"] if c and c["gold"] else 0.0

    def as_dict(self) -> dict:
        return {
            "documents_gold_quotes": self.gold, "predicted": self.predicted, "matched": self.matched,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "speaker_accuracy": round(self.speaker_accuracy, 4), "attributed_f1": round(self.attributed_f1, 4),
            "speech_report_recall": round(self.speech_report_recall, 4),
            "speaker_names": {"emitted": self.names.emitted, "non_names": self.names.non_names,
                              "non_name_share": round(self.names.share, 4), "unresolved": self.names.unresolved,
                              "by_reason": dict(self.names.reasons)},
            "by_type": {k: dict(v) for k, v in sorted(self.by_type.items())},
        }


def match_spans(gold: GoldDocument, spans: list[tuple[int, int]]) -> dict[int, int]:
    """Predicted span index → gold quote index, one to one: the pairs whose Jaccard of non-space
    characters is at least 0.5, best first (in that order)."""
    chars = [_chars(gold.text, [s]) for s in spans]
    pairs = sorted(((j, gi, si) for gi, g in enumerate(gold.quotes) for si, c in enumerate(chars)
                    if (j := jaccard(g.chars, c)) >= 0.5), reverse=True)
    used_g, out = set(), {}
    for _, gi, si in pairs:
        if gi in used_g or si in out:
            continue
        used_g.add(gi)
        out[si] = gi
    return out


def score_document(gold: GoldDocument, predicted: list[Quote], score: Score,
                   language: str | None = None) -> list[tuple[GoldQuote, Quote]]:
    preds = [q for q in predicted if not q.in_comments]
    if language:
        score.names.add(preds, language)
    # the gold marks a mixed quote's direct words as a nested quote of their own: scored as such
    preds = preds + [q.model_copy(update={"start": d.start, "end": d.end, "kind": "direct", "direct_spans": []})
                     for q in preds for d in q.direct_spans]
    matched = match_spans(gold, [(q.start, q.end) for q in preds])
    matches = [(gold.quotes[gi], preds[pi]) for pi, gi in matched.items()]
    score.gold += len(gold.quotes)
    score.predicted += len(preds)
    score.matched += len(matches)
    for g in gold.quotes:
        score.by_type.setdefault(g.kind, Counter())["gold"] += 1
    for g, p in matches:
        t = score.by_type[g.kind]
        t["matched"] += 1
        if g.speaker_spans:
            score.with_gold_speaker += 1
            t["with_speaker"] += 1
            if speaker_right(p, g):
                score.speaker_right += 1
                t["speaker_right"] += 1
    return matches


def evaluate(gold_docs: list[GoldDocument], predict: Callable[[list[str]], list[list[Quote]]],
             language: str | None = None) -> Score:
    score = Score()
    predictions = predict([g.text for g in gold_docs])
    for g, preds in zip(gold_docs, predictions):
        score_document(g, preds, score, language)
    return score


def marks_baseline(texts: list[str]) -> list[list[Quote]]:
    """Every span between quotation marks as a quote, with no speaker: the floor to beat."""
    from quotes.extract.quotation_marks import find_quoted_spans

    out = []
    for text in texts:
        spans = find_quoted_spans(text, [(0, len(text))])
        out.append([Quote(quote_id=str(i), text=text[q.start:q.end], start=q.start, end=q.end, kind="direct",
                          confidence=1.0) for i, q in enumerate(spans)])
    return out


def format_report(score: Score, title: str) -> str:
    lines = [
        f"{title}",
        f"  quotes    P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}"
        f"   (gold {score.gold}, predicted {score.predicted}, matched {score.matched})",
        f"  speaker accuracy {score.speaker_accuracy:.3f}   ({score.speaker_right}/{score.with_gold_speaker} matched quotes)",
        f"  attributed F1    {score.attributed_f1:.3f}",
        f"  speech-report recall {score.speech_report_recall:.3f}",
        f"  non-name speakers {score.names.share:.3f}   ({score.names.non_names}/{score.names.emitted} emitted names are "
        f"pronouns, articles, adverbs or oblique phrases; {score.names.unresolved} speakers left unresolved)",
        "  by gold type      gold  recall  speaker-acc",
    ]
    for kind, c in sorted(score.by_type.items()):
        rec = c["matched"] / c["gold"] if c["gold"] else 0.0
        acc = c["speaker_right"] / c["with_speaker"] if c["with_speaker"] else 0.0
        lines.append(f"    {kind:<22}{c['gold']:>5}  {rec:6.3f}  {acc:6.3f}")
    return "\n".join(lines)
