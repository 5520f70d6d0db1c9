"""The repairs made to the small models' sentence splits, on sentences built by hand (no models)."""

from __future__ import annotations

import re

from quotes.parse.parser import Sentence, Word, repair_sentence_splits


def _sentences(text: str, cuts: list[int]) -> list[Sentence]:
    """Sentences as the tokenizer would give them, split at the character offsets ``cuts``."""
    out, bounds = [], [0, *cuts, len(text)]
    for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
        words = [Word(n, m.group(), m.group(), "X", {}, 0, "dep", a + m.start(), a + m.end(), n - 1)
                 for n, m in enumerate(re.finditer(r"\w+|[^\w\s]", text[a:b]), 1)]
        out.append(Sentence(i, words[0].start, words[-1].end, words))
    return out


def test_closing_mark_after_a_word_ends_no_sentence():
    text = "Wie die Zeitung „The Guardian“ berichtete, sei der Befehl aus Pakistan gekommen."
    cut = text.index("berichtete")
    assert len(repair_sentence_splits(text, _sentences(text, [cut]))) == 1


def test_closing_mark_after_a_full_stop_ends_the_sentence():
    text = "Er sagte: „Wir gehen.“ Dann verließ er den Saal."
    cut = text.index("Dann")
    assert len(repair_sentence_splits(text, _sentences(text, [cut]))) == 2


def test_a_lower_case_word_after_a_closing_mark_joins_only_without_a_line_break():
    text = "Das Motto „Gemeinsam“\nberichtete die Zeitung am Montag."
    cut = text.index("berichtete")
    assert len(repair_sentence_splits(text, _sentences(text, [cut]))) == 2
