"""Indirect speech: one function per pattern of a cue and its content clause; each returns the
candidate quotes of one sentence.

Content clauses are found on the surface first (the comma or colon that ends the cue's clause),
because the comma placement of German and Norwegian news is more reliable than the small parser's
attachment of long complement clauses; the parse decides the speaker and checks the clause."""

from __future__ import annotations

from quotes.extract.candidate import Candidate, finite, has_clause, relative_pronoun, trim_span, word_before
from quotes.extract.cues import CueLexicon, CueMatch
from quotes.extract.mood import indicative_finite, is_subjunctive, subjunctive_grade, subjunctive_grade_of
from quotes.extract.speakers import (
    can_speak,
    clause_subject,
    mention_from_words,
    phrase_mention,
    speaker_of_cue,
)
from quotes.parse.parser import Sentence, Word


def content_after_cue(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon) -> tuple[int, int] | None:
    """"X sagte (am Freitag), dass …" / "X erklärte: …": from the comma or colon after the cue to the end."""
    after = [w for w in sentence.words if w.index > max(x.index for x in cue.words)]
    bare = _bare_clause(after, lex, cue, sentence)
    if bare is not None:
        return trim_span(text, bare[0].start, _speaker_resumes(sentence, bare, lex))
    for i, w in enumerate(after):
        if w.surface in (",", ":"):
            rest = after[i + 1 :]
            if not rest:
                return None
            # ", die am Sonntag … eingetroffen ist" after a noun is a relative clause, not content
            if rest[0].lemma.lower() in lex.relative_pronouns and i > 0 and after[i - 1].upos in ("NOUN", "PROPN"):
                return None
            if not _opens_content(rest, lex):
                return None
            if rest[0].lemma.lower() in lex.subordinators or has_clause(rest):
                return trim_span(text, rest[0].start, _speaker_resumes(sentence, rest, lex))
            return None
        if w.upos in ("VERB",) and finite(w) and w is not cue.anchor and w.ner == "O":
            return None  # (a name the tagger took for a verb, "The Washington Times", does not end it)
        if w.lemma.lower() in lex.subordinators and w.upos in ("SCONJ",):
            rest = after[i:]
            return trim_span(text, rest[0].start, _speaker_resumes(sentence, rest, lex)) if has_clause(rest) else None
    return None


def _opens_content(rest: list[Word], lex: CueLexicon) -> bool:
    """Whether the clause after the cue's comma can be what was said. Not: an adverbial clause
    ("nachdem …", "um … zu", "so dass …"), a relative clause ("mit dem …", "dessen …"), or a
    verb-first main clause ("…, hielt sich damals zurück"), which the comma only separates."""
    first = rest[0]
    low = first.lemma.lower()
    if low in lex.clause_subordinators and low not in lex.subordinators and not any(
            subjunctive_grade_of(w, lex) == 2 for w in rest if w.upos in ("VERB", "AUX")):
        return False  # (a Konjunktiv I in it is the speaker's: "…, damit solle ein Vakuum vermieden werden")
    if any(" ".join(w.surface.lower() for w in rest[:len(opener.split())]) == opener for opener in lex.non_content_openers):
        return False
    if first.upos in ("VERB", "AUX") and finite(first) and subjunctive_grade_of(first, lex) == 0:
        return False
    if first.upos == "CCONJ":
        return False  # "…, men ble sittende": the speaker's own clause goes on
    if relative_pronoun(first, lex) or (first.upos == "ADP" and len(rest) > 1 and relative_pronoun(rest[1], lex)):
        return False
    return True


def _bare_clause(after: list[Word], lex: CueLexicon, cue: CueMatch, sentence: Sentence) -> list[Word] | None:
    """"Han mener arbeidsgiveren har spredd usanne rykter": where the language lets a content clause
    follow its cue with neither comma nor complementizer, a subject and a finite verb right after the
    cue open one. Not when that subject is the cue's own, inverted after it ("«…», sa Putin og
    understreket …": the finite verb that follows is the speaker's clause going on)."""
    if not lex.bare_content_clauses:
        return None
    rest = list(after)
    while rest and rest[0].upos in ("ADV", "PART") and rest[0].surface.lower() not in lex.negations:
        rest = rest[1:]
    if len(rest) < 3 or rest[0].upos not in ("NOUN", "PROPN", "PRON", "DET"):
        return None
    if _inverted_subject(rest[0], cue, sentence):
        return None
    if rest[0].upos == "PRON" and rest[0].surface.lower() in lex.reflexive_pronouns:
        return None
    for w in rest[1:6]:
        if w.upos == "PUNCT" or w.upos == "SCONJ" or w.upos == "ADP":
            return None
        if w.upos in ("VERB", "AUX") and finite(w):
            return rest
    return None


def _inverted_subject(w: Word, cue: CueMatch, sentence: Sentence) -> bool:
    """``w`` is the subject of the cue's verb and the verb has none before it: the speaker named
    after the cue (verb-second order after a fronted quote or adverb)."""
    anchor = cue.anchor
    return (w.head == anchor.index and w.deprel.startswith("nsubj")
            and not any(x.head == anchor.index and x.deprel.startswith("nsubj") and x.index < anchor.index
                        for x in sentence.words))


def _speaker_resumes(sentence: Sentence, content: list[Word], lex: CueLexicon) -> int:
    """Where the content clause ends: at the sentence end, or where the speaker's own clause goes on
    ("…, sie müssten … aufgeben und bemühte hier das Bild …"): a conjunction followed at once by an
    indicative finite verb shares the cue's subject."""
    for a, b in zip(content, content[1:]):
        # the small tagger often leaves VerbForm out: Mood=Ind marks the finite verb too
        if (a.upos == "CCONJ" and b.upos == "VERB" and b.feats.get("Mood") == "Ind"
                and b.feats.get("VerbForm") != "Part" and b.surface.lower() not in lex.subjunctive_forms):
            return a.start
        # "…, er sei unschuldig, erkannte die Autorität des Gerichtes nicht an": an indicative
        # finite verb right after a comma is the main clause going on
        if a.surface == "," and indicative_finite(b, lex):
            return a.start
    return sentence.end


def content_before_cue(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon) -> tuple[int, int] | None:
    """"…, sagte Peskow." — the cue right after a comma (verb-first reporting clause)."""
    first = min(cue.words, key=lambda w: w.index)
    prev = word_before(sentence, first)
    # an auxiliary may stand between ("…, hatte Peskow gesagt" is not V1, but "…, hieß es" is)
    if prev is not None and prev.surface == ",":
        if first.feats.get("VerbForm") in ("Part", "Inf"):
            return None  # "…, Larry A. Silverstein, angekündigt": the comma closes an apposition
        before = [w for w in sentence.words if w.index < prev.index]
        # "Als … gewesen war, forderte er …": a subordinate clause before the cue is not its content
        if before and before[0].lemma.lower() in lex.clause_subordinators:
            return None
        # "Der NDR, der … verantwortlich ist, kritisierte …": the last stretch is a relative clause
        # on the cue's subject, not content
        comma = max((w.index for w in before if w.surface == ","), default=0)
        segment = [w for w in before if w.index > comma][:2]
        if comma and any(relative_pronoun(w, lex) for w in segment):
            return None
        if has_clause(before):
            return trim_span(text, sentence.start, prev.start)
    return None


def indirect_speech(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon,
                    excluded: list[tuple[int, int]]) -> Candidate | None:
    """Indirect speech: a cue with a content clause, before ("…, sagte X") or after ("X sagte, dass …")."""
    span = content_before_cue(text, sentence, cue, lex)
    pattern = "cue-final"
    if span is None:
        span = content_after_cue(text, sentence, cue, lex)
        pattern = "cue-initial"
    if span is None or not any(ch.isalnum() for ch in text[span[0]:span[1]]):
        return None
    speaker = speaker_of_cue(text, sentence, cue, lex, excluded=[span] + list(excluded))
    clause = [w for w in sentence.words if span[0] <= w.start < span[1]]
    conf = 0.8 if speaker else 0.6
    if is_subjunctive(sentence, lex, clause):
        conf += 0.1
    if cue.weak and not is_subjunctive(sentence, lex, clause) and not any(
        w.lemma.lower() in lex.subordinators for w in clause[:1]
    ) and not _infinitive_clause(clause, lex):
        return None
    return Candidate(span[0], span[1], "indirect", sentence.index, cue, speaker, min(conf, 0.95), pattern)


def anaphoric_content(text: str, before: list[Sentence], sentence: Sentence, cue: CueMatch,
                      lex: CueLexicon, cued: set[int] = frozenset()) -> Candidate | None:
    """"Die FDP schließt eine Ampel aus. Dies bestätigte Westerwelle am Abend." — a demonstrative
    opening the cue's clause stands for what the paragraph said before it, which is the content; the
    quote runs from the paragraph's start (at most three sentences back, and not past a sentence
    with a cue of its own, ``cued``) to the pronoun."""
    first = sentence.words[0] if sentence.words else None
    if not before or first is None or first.surface.lower() not in lex.anaphoric_pronouns:
        return None
    # the pronoun alone fills the prefield: the cue (or its auxiliary) comes second, whatever the
    # parse made of the rest ("Dies bestätigte …", "Das hat … erklärt")
    second = sentence.word(2)
    if second is None or not (second is cue.anchor or second.upos == "AUX" and (
            second.head == cue.anchor.index or cue.anchor.head == second.index)):
        return None
    if any(w.surface in (",", ":") for w in sentence.words if w.index > cue.anchor.index and
           (nxt := sentence.word(w.index + 1)) is not None and nxt.lemma.lower() in lex.subordinators):
        return None  # "Dies bestätigte er, dass …": the clause has content of its own
    start, following = None, sentence
    for previous in reversed(before[-3:]):
        if "\n" in text[previous.end:following.start] or previous.index in cued:
            break
        start, following = previous.start, previous
    if start is None or len(following.words) < 4:
        return None
    span = trim_span(text, start, first.end)
    speaker = speaker_of_cue(text, sentence, cue, lex, excluded=[(first.start, first.end)])
    return Candidate(span[0], span[1], "indirect", sentence.index, cue, speaker, 0.75 if speaker else 0.55,
                     "anaphoric")


def _infinitive_clause(clause: list[Word], lex: CueLexicon) -> bool:
    """"…, eine Reform der Sozialsysteme voranzutreiben": an infinitive with its marker ("zu", "å"),
    free or inside a particle verb, ends the clause."""
    verbs = [w for w in clause if w.upos in ("VERB", "AUX")]
    if not verbs or verbs[-1].feats.get("VerbForm", "Inf") != "Inf":
        return False
    last = verbs[-1]
    before = next((w for w in reversed(clause) if w.index < last.index), None)
    if before is not None and before.surface.lower() in lex.infinitive_markers:
        return True
    return any(0 < last.surface.lower().find(m) < len(last.surface) - len(m) - 2 for m in lex.infinitive_markers
               if len(m) > 1) and last.feats.get("VerbForm") == "Inf"


def wie_clause(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon) -> Candidate | None:
    """"…, wie RIA Nowosti berichtet": the main clause is reported by the subject of the wie-clause."""
    marks = [d for d in sentence.dependents(cue.anchor, "mark") if d.lemma.lower() in lex.wie_cue]
    # the wie-clause is verb-final: nothing but its own phrase between "wie" and the cue
    starts = [w for w in sentence.words if w.lemma.lower() in lex.wie_cue and w.index < cue.anchor.index
              and not any(x.surface in ";:" or x.upos == "VERB" for x in sentence.words[w.index:cue.anchor.index - 1])]
    if not marks and not starts:
        return None
    wie = marks[0] if marks else starts[-1]
    before = word_before(sentence, wie)
    if before is not None and before.surface == ",":
        span = trim_span(text, sentence.start, before.start)
    elif wie.index == 1 or (before is not None and before.index == 1):
        # "Wie X berichtet, …": the clause after the next comma
        comma = next((w for w in sentence.words if w.index > cue.anchor.index and w.surface == ","), None)
        if comma is None:
            return None
        span = trim_span(text, comma.end, sentence.end)
    else:
        return None
    speaker = None
    nxt = sentence.word(wie.index + 1)
    if nxt is not None and nxt.index < cue.anchor.index:
        # the wie-clause's subject follows "wie" ("Wie der Finanzminister Hartmut Möllring erklärte")
        if nxt.upos == "PRON" and (nxt.surface.lower() in lex.pronouns or nxt.surface.lower() in lex.plural_pronouns):
            speaker = mention_from_words(text, sentence, [nxt], nxt, lex)
        else:
            phrase = phrase_mention(text, sentence, nxt, lex)
            if phrase is not None and phrase.end <= cue.anchor.start:
                speaker = phrase
    if speaker is None:
        speaker = speaker_of_cue(text, sentence, cue, lex, excluded=[span])
    return Candidate(span[0], span[1], "indirect", sentence.index, cue, speaker, 0.75, "wie-clause")


def so_clause(text: str, sentence: Sentence, lex: CueLexicon) -> Candidate | None:
    """"…, so Peskow." — "so" plus a name after a comma closes a reported clause."""
    for w in sentence.words:
        if w.surface.lower() not in lex.so_cue:
            continue
        prev = word_before(sentence, w)
        nxt = sentence.word(w.index + 1)
        if prev is None or prev.surface != "," or nxt is None or nxt.upos not in ("PROPN", "NOUN", "DET", "ADJ", "X"):
            continue
        # the speaker phrase after "so": its first comma-separated piece, and appositions after it
        # ("so Ursula Castrup, die Leiterin der Fachstelle"), not a relative clause or a verb
        tail: list[Word] = []
        piece: list[Word] = []
        for x in [x for x in sentence.words if x.index > w.index] + [None]:
            if x is None or x.surface in ",;:":
                if not piece or any(y.upos in ("VERB", "AUX") for y in piece) or (
                        piece[0].upos == "PRON" and piece[0].surface.lower() in lex.relative_pronouns):
                    break
                tail.extend(piece)
                piece = []
                if x is None or x.surface != ",":
                    break
                continue
            piece.append(x)
        if not tail or len(tail) > 14:
            continue
        span = trim_span(text, sentence.start, prev.start)
        head = next((x for x in tail if x.upos in ("PROPN", "NOUN", "X")), None)
        # the whole phrase after "so" is the speaker: "so VW-Finanzvorstand Hans Dieter Pötsch"
        while tail and tail[-1].upos == "PUNCT" and tail[-1].surface not in "“”\"»«)":
            tail.pop()
        speaker = mention_from_words(text, sentence, tail, head, lex) if head else None
        cue = CueMatch(w, [w], w.lemma.lower())
        return Candidate(span[0], span[1], "indirect", sentence.index, cue, speaker, 0.8, "so-clause")
    return None


def noun_cue_clause(text: str, sentence: Sentence, lex: CueLexicon) -> list[Candidate]:
    """"die Forderung des CSU-Vorsitzenden, auf die SPD zuzugehen", "vertritt die Ansicht, Clarkson
    habe sich selbst getötet", "kravet om at …": a speech noun whose content clause follows it. The
    clause must read as content (dass/ob, an infinitive, or Konjunktiv I). The noun's genitive
    attribute is the speaker ("des CSU-Vorsitzenden"); without one, the clause's subject holds it."""
    out: list[Candidate] = []
    words = sentence.words
    for w in words:
        if w.upos != "NOUN" or not w.lemma.lower().endswith(lex.speech_nouns):
            continue
        link = None
        for x in words[w.index:w.index + 10]:
            if x.surface.lower() in lex.noun_cue_links:
                link = x
                break
            if x.upos in ("VERB", "AUX", "SCONJ") or x.surface in ".;:":
                break
        if link is None:
            continue
        rest = [x for x in words if x.index > link.index]
        if not rest:
            continue
        end = _speaker_resumes(sentence, rest, lex)
        clause = [x for x in rest if x.start < end]
        if not clause or not (clause[0].lemma.lower() in lex.subordinators and clause[0].upos == "SCONJ"
                              or _infinitive_clause(clause, lex) or subjunctive_grade(sentence, lex, clause) == 2):
            continue
        span = trim_span(text, clause[0].start, end)
        if span[1] - span[0] < 10:
            continue
        attribute = [x for x in words if w.index < x.index < link.index and x.surface != ","]
        speaker = None
        if attribute and attribute[0].upos in ("DET", "PROPN", "NOUN", "ADJ") and any(
                x.upos in ("NOUN", "PROPN") for x in attribute):
            speaker = phrase_mention(text, sentence, attribute[0], lex)
        if speaker is None:
            speaker = clause_subject(text, sentence, lex, (w.start, sentence.end))
        cue = CueMatch(w, [w], w.lemma.lower())
        out.append(Candidate(span[0], span[1], "indirect", sentence.index, cue, speaker, 0.6, "noun-cue"))
    return out


def reported_speech(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon) -> Candidate | None:
    """A speech act without a content clause ("Müntefering sprach von einem Riesenerfolg"): the sentence.

    Only for a cue that heads its sentence, with a subject the parse found that can speak (a name,
    an organisation, a role, a personal pronoun): bare speech verbs are too common otherwise.
    """
    if cue.agentless or cue.lemma not in lex.report_verbs:
        return None
    if cue.anchor.base_deprel not in ("root", "conj", "parataxis"):
        return None
    if text[sentence.end - 1 : sentence.end] == "?":
        return None
    speaker = speaker_of_cue(text, sentence, cue, lex, fallback=False)
    if speaker is None or not (can_speak(speaker, lex) or speaker.entity_type == "NOUN"):
        return None
    # "rudi1234 sagt:" heads a comment; a report says something beyond who spoke
    rest = [w for w in sentence.words if w.upos != "PUNCT" and not speaker.start <= w.start < speaker.end
            and w not in cue.words]
    if len(rest) < 2:
        return None
    start, end = trim_span(text, sentence.start, sentence.end, keep_final_punct=True)
    return Candidate(start, end, "reported", sentence.index, cue, speaker, 0.55, "reported")


