"""What the attribution tagger reads of a document: its e5 pieces, sentence by sentence, each with
the frozen encoder's states and a few facts the parse and the rules know about it.

The states are those of one encoder pass per sentence (quotes/embed/e5.py: layers 4, 8 and 12),
the same pass that gives the sentence its statement vector. The facts are categorical, one small
vocabulary each, and name no word of any language: whether a rule candidate covers the piece (and
of which kind, and whether it starts there), whether the piece is a rule's cue or speaker, a cue
word of the language's lexicon, inside quotation marks, the first of its sentence, of its word, of
a paragraph; the word's UPOS and, for a verb, the grade of reported-speech mood it carries.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from quotes.extract.candidate import Candidate
from quotes.extract.cues import cue_lexicon, find_cues
from quotes.extract.mood import subjunctive_grade_of
from quotes.extract.quotation_marks import find_quoted_spans
from quotes.parse.parser import ParsedDocument

LAYERS = (4, 8, 12)  # encoder layers whose states the tagger reads (1-based)
KINDS = {"direct": 1, "indirect": 2, "reported": 3, "mixed": 4}
UPOS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ",
        "SYM", "VERB", "X")
# (name, vocabulary size) of each categorical fact, in column order
FACTS = (("rule_kind", 5), ("rule_start", 2), ("rule_cue", 2), ("rule_speaker", 2), ("in_marks", 2),
         ("sentence_start", 2), ("word_start", 2), ("upos", len(UPOS) + 1), ("lexicon_cue", 2), ("mood", 3),
         ("paragraph_start", 2))


@dataclass
class DocumentTokens:
    """A document's pieces in text order: character spans, encoder states, sentence, facts."""

    spans: np.ndarray  # (n, 2) int: [start, end) in the document text
    states: np.ndarray  # (n, 384 × len(LAYERS)) float16
    sentence: np.ndarray  # (n,) int: index into ``ParsedDocument.sentences``
    facts: np.ndarray  # (n, len(FACTS)) int

    def __len__(self) -> int:
        return len(self.spans)


def document_tokens(doc: ParsedDocument, encoded: dict, candidates: list[Candidate],
                    regions: list[tuple[int, int]]) -> DocumentTokens:
    """The pieces of every encoded sentence (``encoded``: sentence index → EncodedText), with facts."""
    spans, states, sentence = [], [], []
    for s in doc.sentences:
        e = encoded.get(s.index)
        if e is None or e.states is None:
            continue
        for (a, b), st in zip(e.spans, e.states):
            spans.append((s.start + a, s.start + b))
            states.append(st)
            sentence.append(s.index)
    width = 384 * len(LAYERS)
    out = DocumentTokens(np.array(spans, dtype=np.int64).reshape(-1, 2),
                         np.stack(states) if states else np.zeros((0, width), np.float16),
                         np.array(sentence, dtype=np.int64), np.zeros((len(spans), len(FACTS)), np.int64))
    _facts(doc, out, candidates, regions)
    return out


def _mark(out: DocumentTokens, column: int, start: int, end: int, value: int = 1) -> list[int]:
    """Set ``column`` to ``value`` for the pieces that start in [start, end); returns their positions."""
    starts = out.spans[:, 0]
    lo, hi = int(np.searchsorted(starts, start)), int(np.searchsorted(starts, end))
    out.facts[lo:hi, column] = value
    return list(range(lo, hi))


def _facts(doc: ParsedDocument, out: DocumentTokens, candidates: list[Candidate],
           regions: list[tuple[int, int]]) -> None:
    col = {name: i for i, (name, _) in enumerate(FACTS)}
    if not len(out):
        return
    for c in sorted(candidates, key=lambda c: c.end - c.start, reverse=True):  # the innermost kind wins
        covered = _mark(out, col["rule_kind"], c.start, c.end, KINDS.get(c.kind, 0))
        if covered:
            out.facts[covered[0], col["rule_start"]] = 1
        if c.cue is not None:
            _mark(out, col["rule_cue"], c.cue.start, c.cue.end)
        if c.speaker is not None:
            _mark(out, col["rule_speaker"], c.speaker.start, c.speaker.end)
    for q in find_quoted_spans(doc.text, regions):
        _mark(out, col["in_marks"], q.start, q.end)
    lex = cue_lexicon(doc.language)
    words = [w for s in doc.sentences for w in s.words]
    word_starts = [w.start for w in words]
    firsts = dict(zip(*np.unique(out.sentence, return_index=True)))
    for s in doc.sentences:
        if s.index in firsts:
            out.facts[firsts[s.index], col["sentence_start"]] = 1
            before = doc.sentence_before(s.index)
            if before is None or "\n" in doc.text[before.end:s.start]:
                out.facts[firsts[s.index], col["paragraph_start"]] = 1
        for cue in find_cues(s, lex):
            for w in cue.words:
                _mark(out, col["lexicon_cue"], w.start, w.end)
    upos = {u: i + 1 for i, u in enumerate(UPOS)}
    for i, (a, _) in enumerate(out.spans):
        j = bisect.bisect_right(word_starts, a) - 1
        if j < 0:
            continue
        w = words[j]
        out.facts[i, col["word_start"]] = int(w.start == a)
        out.facts[i, col["upos"]] = upos.get(w.upos, 0)
        if w.upos in ("VERB", "AUX"):
            out.facts[i, col["mood"]] = subjunctive_grade_of(w, lex)
