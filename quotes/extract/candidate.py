"""A candidate quote, as the patterns propose it, and the word tests they share.

A ``Candidate`` is a span with its kind, cue, speaker mention and the pattern that proposed it;
the extractor composes the patterns' candidates, the learned layer re-decides them and
resolution turns them into ``Quote`` records."""

from __future__ import annotations

from dataclasses import dataclass, field

from quotes.extract.cues import CueLexicon, CueMatch
from quotes.extract.speakers import Mention
from quotes.parse.parser import Sentence, Word

SENTENCE_END = ".!?"
TRIM = " \t\n,;:–—-"


@dataclass
class Candidate:
    """A quote a pattern proposes: its span, kind, sentence, cue, speaker mention, confidence and pattern."""

    start: int
    end: int
    kind: str  # direct | indirect | reported | mixed
    sentence_index: int
    cue: CueMatch | None
    speaker: Mention | None
    confidence: float
    pattern: str
    nested: list[tuple[int, int]] = field(default_factory=list)  # direct words inside a mixed quote


def trim_span(text: str, start: int, end: int, keep_final_punct: bool = False) -> tuple[int, int]:
    """The span without the spaces, dashes and punctuation at its edges (the final full stop too, unless kept)."""
    strip = TRIM if keep_final_punct else TRIM + "."
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def finite(w: Word) -> bool:
    """A finite verb (or any auxiliary): what heads a clause."""
    return w.feats.get("VerbForm") == "Fin" or w.upos == "AUX"


def has_clause(words: list[Word]) -> bool:
    """Whether the words make a clause: a verb and at least three words that are not punctuation."""
    return any(w.upos in ("VERB", "AUX") for w in words) and len([w for w in words if w.upos != "PUNCT"]) >= 3


def relative_pronoun(w: Word, lex: CueLexicon) -> bool:
    """A relative pronoun, by the tagger's PronType or the language's list."""
    return w.feats.get("PronType") == "Rel" or (w.upos == "PRON" and w.surface.lower() in lex.relative_pronouns)


def word_before(sentence: Sentence, w: Word) -> Word | None:
    """The word before ``w`` in its sentence."""
    return sentence.word(w.index - 1)
