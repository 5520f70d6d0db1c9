"""According-to frames: a statement attributed by a preposition or a phrase rather than a verb.

"laut X", "X zufolge", "nach Angaben von X", "Seiner Meinung nach", "ifølge X", and on a relative
pronoun ("Studien, nach denen …"): the clause around the frame is what X said, and X is its
source. The words that make the frame are data (``according_to`` in the language's cue file)."""

from __future__ import annotations

from quotes.extract.candidate import Candidate, finite, trim_span
from quotes.extract.cues import CueLexicon, CueMatch
from quotes.extract.mood import indicative_finite
from quotes.extract.speakers import mention_from_head, mention_from_words, pro_form_mention, source_phrase
from quotes.parse.parser import Sentence, Word


def _source_noun(word: str, lex: CueLexicon) -> bool:
    """A noun that names where a statement comes from, compounds included ("Polizeiangaben"), but not
    the look-alikes ("Voraussicht" is no "Sicht")."""
    low = word.lower()
    return low.endswith(lex.source_nouns) and not low.endswith(lex.not_source_nouns)


def according_to(text: str, sentence: Sentence, lex: CueLexicon) -> list[Candidate]:
    """"laut X", "X zufolge", "nach Angaben von X", "ifølge X": the clause is attributed to X."""
    out: list[Candidate] = []
    for w in sentence.words:
        lemma, low = w.lemma.lower(), w.surface.lower()
        head: Word | None = None
        relative = _relative_according(text, sentence, w, lex)
        if relative is not None:
            out.append(relative)
            continue
        if low in lex.according_before and w.upos in ("ADP", "ADV", "X"):
            head = sentence.word(w.head) if w.head else sentence.word(w.index + 1)
            if head is None or head.index < w.index:
                head = sentence.word(w.index + 1)
        elif low in lex.according_after:
            head = sentence.word(w.head) if w.head and w.head < w.index else sentence.word(w.index - 1)
        elif low in lex.source_prepositions:
            nxt = [x for x in sentence.words if x.index > w.index][:4]
            noun = next((x for x in nxt if x.upos not in ("DET", "ADJ", "PRON", "NUM")), None)
            if noun is not None and noun.upos not in ("NOUN", "PROPN"):
                noun = None
            if noun is not None and (_source_noun(noun.lemma, lex) or _source_noun(noun.surface, lex)):
                head = noun
            elif (prev := sentence.word(w.index - 1)) is not None and prev.upos in ("NOUN", "PROPN") and (
                    _source_noun(prev.surface, lex)) and (
                    nxt := sentence.word(w.index + 1)) is not None and nxt.upos not in ("NOUN", "PROPN", "DET", "ADJ"):
                head = prev  # postposed: "Seiner Meinung nach hätte …", "Dem Vernehmen nach soll …"
        elif low in lex.according_relative and (prev := sentence.word(w.index - 1)) is not None and prev.surface == ",":
            # "ein Bericht …, wonach X festgenommen worden sein soll": the report speaks the clause
            source = next((x for x in reversed(sentence.words[: prev.index - 1][-4:]) if x.upos in ("NOUN", "PROPN")), None)
            speaker = mention_from_head(text, sentence, source, lex, [(w.start, sentence.end)]) if source else None
            span = trim_span(text, w.end, sentence.end)
            if span[1] - span[0] >= 10:
                out.append(Candidate(span[0], span[1], "indirect", sentence.index, CueMatch(w, [w], low), speaker,
                                     0.7, "according-to-relative"))
            continue
        elif low in lex.according_adverbs and w.index <= 2:
            cue = CueMatch(w, [w], lemma)
            span = trim_span(text, w.end, sentence.end, keep_final_punct=False)
            out.append(Candidate(span[0], span[1], "indirect", sentence.index, cue,
                                 None, 0.6, "according-to-adverb"))
            continue
        if head is None or head.upos not in ("NOUN", "PROPN", "X", "PRON", "ADJ"):
            continue
        speaker = mention_from_head(text, sentence, head, lex, [(w.start, w.end)])
        if head.index > w.index and (nxt := sentence.word(w.index + 1)) is not None:
            phrase = source_phrase(sentence, nxt, lex)
            if phrase and phrase[-1].end < speaker.end:
                phrase_head = head if phrase[0].index <= head.index <= phrase[-1].index else phrase[-1]
                speaker = mention_from_words(text, sentence, phrase, phrase_head, lex)
        frame = (min(w.start, speaker.start), max(w.end, speaker.end))
        span = _clause_around(text, sentence, frame, lex)
        if span[1] - span[0] < 10:
            continue
        cue = CueMatch(w, [w], lemma)
        out.append(Candidate(span[0], span[1], "indirect", sentence.index, cue, speaker, 0.8, "according-to"))
    return out


def _relative_according(text: str, sentence: Sentence, w: Word, lex: CueLexicon) -> Candidate | None:
    """"Studien der Charité, nach denen Homöopathie ebenbürtig sei", "ein Gutachten, laut dem …",
    "die Tasche, die nach dessen Angaben die Bombe enthalten sollte", "Berichte, denen zufolge …":
    an according-to frame on a relative pronoun attributes the relative clause to its antecedent."""
    low = w.surface.lower()
    rel: Word | None = None
    if low in lex.according_before or low in lex.source_prepositions:
        nxt = sentence.word(w.index + 1)
        if nxt is not None and nxt.surface.lower() in lex.relative_pronouns and nxt.upos in ("PRON", "DET"):
            rel = nxt
    elif low in lex.according_after:
        prev = sentence.word(w.index - 1)
        if prev is not None and prev.surface.lower() in lex.relative_pronouns and prev.upos == "PRON":
            rel = prev
    if rel is None:
        return None
    first = min(rel, w, key=lambda x: x.index)
    comma = sentence.word(first.index - 1)
    if comma is None or comma.surface != ",":
        return None
    # "nach dessen Angaben": the possessive relative takes its noun along
    last = max(rel, w, key=lambda x: x.index)
    if rel.surface.lower() in lex.possessive_relative_pronouns and (noun := sentence.word(last.index + 1)) is not None \
            and noun.upos == "NOUN":
        last = noun
    rest = [x for x in sentence.words if x.index > last.index]
    end = sentence.end
    for a, b in zip(rest, rest[1:]):
        if b.surface == "," and a.upos in ("VERB", "AUX"):
            end = a.end  # the relative clause ends after its verb
            break
    span = trim_span(text, rest[0].start if rest else last.end, end)
    if span[1] - span[0] < 10:
        return None
    # the antecedent: the nearest noun before the comma, one agreeing in number first ("Studien der
    # Universität Wien, nach denen …")
    nouns = [x for x in reversed(sentence.words[: comma.index - 1][-6:]) if x.upos in ("NOUN", "PROPN")]
    number = rel.feats.get("Number")
    source = next((x for x in nouns if number and x.feats.get("Number") == number), nouns[0] if nouns else None)
    ante = mention_from_head(text, sentence, source, lex, [(comma.start, sentence.end)]) if source else None
    speaker = pro_form_mention(rel, ante, sentence.index)  # the pronoun is the mention, the antecedent the name
    return Candidate(span[0], span[1], "indirect", sentence.index, CueMatch(w, [w], w.lemma.lower()), speaker,
                     0.7, "according-to-relative")


def _clause_around(text: str, sentence: Sentence, frame: tuple[int, int], lex: CueLexicon) -> tuple[int, int]:
    """The clause an according-to frame belongs to, without the frame: the rest of the sentence for a
    frame at its start or end. A frame inside the clause splits it in two; a span is contiguous, so
    it is the clause with the frame when the frame is short against both sides, else the longer side."""
    if frame[0] - sentence.start <= 2:
        return trim_span(text, frame[1], sentence.end)  # ("Laut X habe …, und verlangt": all of it)
    if sentence.end - frame[1] <= 2:
        return trim_span(text, sentence.start, frame[0])
    # "unter denen sich nach Einschätzung der Ermittler der Mörder befinden sollte, sind gestern …":
    # the frame's clause ends where an indicative main clause goes on after a comma
    end = sentence.end
    following = [w for w in sentence.words if w.start >= frame[1]]
    for a_, b_ in zip(following, following[1:]):
        if a_.surface == "," and indicative_finite(b_, lex):
            end = a_.start
            break
    left = text.rfind(",", sentence.start, frame[0])
    after_comma = next((w for w in sentence.words if w.start > left), None) if left >= 0 else None
    # "Gegen Beamte, die … reagierten, sollen nach Ansicht von ai …": a finite verb right after the
    # comma continues the clause the fronted phrase began
    fronted = after_comma is not None and after_comma.upos in ("VERB", "AUX") and finite(after_comma)
    start = left + 1 if left >= 0 and len(text[left:frame[0]].split()) >= 2 and not fronted else sentence.start
    semicolon = text.rfind(";", sentence.start, frame[0])
    if semicolon >= start:
        start = semicolon + 1  # "…; nach Polizeiangaben waren es zirka 1.000": a clause of its own
    before = trim_span(text, start, frame[0])
    after = trim_span(text, frame[1], end)
    b, a, f = before[1] - before[0], after[1] - after[0], frame[1] - frame[0]
    if max(a, b) / max(a + b, 1) > (a + b) / max(a + b + f, 1):
        return before if b >= a else after
    return trim_span(text, start, end)
