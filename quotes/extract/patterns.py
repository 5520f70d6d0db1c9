"""One function per reported-speech pattern; each returns candidate quotes for one sentence.

Content clauses are found on the surface first (the comma or colon that ends the cue's clause),
because the comma placement of German and Norwegian news is more reliable than the small parser's
attachment of long complement clauses; the parse decides the speaker and checks the clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..parse import ParsedDocument, Sentence, Word
from .cues import CueLexicon, CueMatch
from .quotation_marks import QuotedSpan
from .speakers import (
    Mention,
    can_speak,
    mention_from_head,
    mention_from_words,
    phrase_mention,
    pro_form_mention,
    source_phrase,
    speaker_of_cue,
    subject_before_quote,
)

SENTENCE_END = ".!?"
TRIM = " \t\n,;:–—-"


@dataclass
class Candidate:
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
    strip = TRIM if keep_final_punct else TRIM + "."
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def _finite(w: Word) -> bool:
    return w.feats.get("VerbForm") == "Fin" or w.upos == "AUX"


def subjunctive_grade(sentence: Sentence, lex: CueLexicon, words: list[Word] | None = None) -> int:
    """How strongly the verbs mark reported speech: 2 for Konjunktiv I ("sei", "habe", "werde") or a
    hearsay modal ("soll … haben"), 1 for Konjunktiv II only ("wäre", "hätte"), 0 for none.

    The tagger's Mood=Sub is one signal, the form list a second, since German UFeats are weak.
    """
    grade = 0
    for w in words if words is not None else sentence.words:
        if w.upos not in ("VERB", "AUX"):
            continue
        form = w.surface.lower()
        if _first_person_subject(sentence, w, lex) and not form.startswith(lex.distinct_first_person_subjunctive):
            continue  # "halte ich", "wir haben": Konjunktiv I and indicative coincide there ("ich sei" aside)
        if form in lex.subjunctive_forms or form in lex.reported_modals and _perfect_infinitive(sentence, w, lex):
            return 2
        if form in lex.conditional_forms or form in lex.reported_modals:
            grade = 1
        elif w.feats.get("Mood") == "Sub" or _konjunktiv_from_lemma(w, lex):
            return 2
    return grade


def _konjunktiv_from_lemma(w: Word, lex: CueLexicon) -> bool:
    """"funktioniere", "ruhe", "befinde": the third-person Konjunktiv I is the lemma with its ending
    swapped ("-en" to "-e"), a form the indicative never takes there."""
    lemma, form = w.lemma.lower(), w.surface.lower()
    if w.feats.get("VerbForm") in ("Inf", "Part") or w.feats.get("Tense") == "Past" or form == lemma:
        return False  # ("kuppelte" under a lemma "kuppelten" is the past tense the lemmatizer garbled)
    return any(lemma.endswith(a) and form == lemma[: len(lemma) - len(a)] + b for a, b in lex.subjunctive_endings)


def _first_person_subject(sentence: Sentence, verb: Word, lex: CueLexicon) -> bool:
    near = [sentence.word(verb.index - 1), sentence.word(verb.index + 1)]
    heads = [verb] + ([sentence.word(verb.head)] if verb.head else [])
    subjects = [d for h in heads if h is not None for d in sentence.dependents(h, "nsubj")]
    return any(w is not None and w.upos == "PRON" and w.surface.lower() in lex.first_person for w in near + subjects)


def _perfect_infinitive(sentence: Sentence, modal: Word, lex: CueLexicon) -> bool:
    """"soll … getötet haben / gewesen sein": hearsay, unlike the plan in "soll am Mittwoch starten"."""
    later = [w for w in sentence.words if w.index > modal.index]
    return any(w.feats.get("VerbForm") == "Part" or w.surface.endswith(("t", "en")) and w.upos == "VERB"
               for w in later) and any(w.lemma in lex.perfect_auxiliaries and w.feats.get("VerbForm") == "Inf"
                                       or w.surface in lex.perfect_auxiliaries for w in later)


def subordinate_report(sentence: Sentence, lex: CueLexicon) -> Word | None:
    """"Vertreter der Organisationen erwarten keine schnelle Entscheidung, weil die Abgeordneten keinen
    Eilantrag gestellt hätten." — an indicative main clause whose Konjunktiv sits only in a
    subordinate clause: the main clause's subject gives the reason, and only that clause is reported.
    Returns the first word of that clause."""
    words = sentence.words
    if not words or words[0].lemma.lower() in lex.clause_subordinators | lex.subordinators:
        return None
    first_comma = next((w.index for w in words if w.surface == ","), None)
    if first_comma is None:
        return None
    main = [w for w in words if w.index < first_comma and w.upos in ("VERB", "AUX") and _finite(w)]
    if not main or subjunctive_grade(sentence, lex, main) > 0:
        return None
    for w in words:
        if w.surface != ",":
            continue
        nxt = sentence.word(w.index + 1)
        if nxt is None:
            break
        opens = nxt.lemma.lower() in lex.clause_subordinators | lex.subordinators or (
            nxt.upos == "PRON" and nxt.surface.lower() in lex.relative_pronouns)
        if opens and subjunctive_grade(sentence, lex, [x for x in words if x.index > w.index]) == 2:
            return nxt
    return None


def is_subjunctive(sentence: Sentence, lex: CueLexicon, words: list[Word] | None = None) -> bool:
    return subjunctive_grade(sentence, lex, words) > 0


def _has_clause(words: list[Word]) -> bool:
    return any(w.upos in ("VERB", "AUX") for w in words) and len([w for w in words if w.upos != "PUNCT"]) >= 3


def _relative_pronoun(w: Word, lex: CueLexicon) -> bool:
    return w.feats.get("PronType") == "Rel" or (w.upos == "PRON" and w.surface.lower() in lex.relative_pronouns)


def _word_before(sentence: Sentence, w: Word) -> Word | None:
    return sentence.word(w.index - 1)


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
            if rest[0].lemma.lower() in lex.subordinators or _has_clause(rest):
                return trim_span(text, rest[0].start, _speaker_resumes(sentence, rest, lex))
            return None
        if w.upos in ("VERB",) and _finite(w) and w is not cue.anchor and w.ner == "O":
            return None  # (a name the tagger took for a verb, "The Washington Times", does not end it)
        if w.lemma.lower() in lex.subordinators and w.upos in ("SCONJ",):
            rest = after[i:]
            return trim_span(text, rest[0].start, _speaker_resumes(sentence, rest, lex)) if _has_clause(rest) else None
    return None


def subjunctive_grade_of(w: Word, lex: CueLexicon) -> int:
    form = w.surface.lower()
    if form in lex.subjunctive_forms or w.feats.get("Mood") == "Sub":
        return 2
    return 1 if form in lex.conditional_forms or form in lex.reported_modals else 0


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
    if first.upos in ("VERB", "AUX") and _finite(first) and subjunctive_grade_of(first, lex) == 0:
        return False
    if first.upos == "CCONJ":
        return False  # "…, men ble sittende": the speaker's own clause goes on
    if _relative_pronoun(first, lex) or (first.upos == "ADP" and len(rest) > 1 and _relative_pronoun(rest[1], lex)):
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
        if w.upos in ("VERB", "AUX") and _finite(w):
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
        if a.surface == "," and _indicative_finite(b, lex):
            return a.start
    return sentence.end


def _indicative_finite(w: Word, lex: CueLexicon) -> bool:
    return w.upos in ("VERB", "AUX") and _finite(w) and w.ner == "O" and subjunctive_grade_of(w, lex) == 0


def content_before_cue(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon) -> tuple[int, int] | None:
    """"…, sagte Peskow." — the cue right after a comma (verb-first reporting clause)."""
    first = min(cue.words, key=lambda w: w.index)
    prev = _word_before(sentence, first)
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
        if comma and any(_relative_pronoun(w, lex) for w in segment):
            return None
        if _has_clause(before):
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
    before = _word_before(sentence, wie)
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
        prev = _word_before(sentence, w)
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
        if a_.surface == "," and _indicative_finite(b_, lex):
            end = a_.start
            break
    left = text.rfind(",", sentence.start, frame[0])
    after_comma = next((w for w in sentence.words if w.start > left), None) if left >= 0 else None
    # "Gegen Beamte, die … reagierten, sollen nach Ansicht von ai …": a finite verb right after the
    # comma continues the clause the fronted phrase began
    fronted = after_comma is not None and after_comma.upos in ("VERB", "AUX") and _finite(after_comma)
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


def clause_subject(text: str, sentence: Sentence, lex: CueLexicon,
                   outside: tuple[int, int] = (0, 0)) -> Mention | None:
    """The subject of the sentence's main verb, outside the span ``outside``, when it can speak."""
    root = next((w for w in sentence.words if w.deprel == "root"), None)
    if root is None or outside[0] <= root.start < outside[1]:
        return None
    subj = [d for d in sentence.dependents(root, "nsubj") if not outside[0] <= d.start < outside[1]]
    if not subj or subj[0].upos not in ("PROPN", "NOUN", "PRON", "X"):
        return None
    speaker = mention_from_head(text, sentence, subj[0], lex, [outside])
    return speaker if can_speak(speaker, lex) else None


def colon_introducer(text: str, doc: ParsedDocument, quoted: QuotedSpan, first: Sentence,
                     lex: CueLexicon) -> Mention | None:
    """"BKA-Präsident Ziercke: „…“", "Seine Meinung zu Kirchhof: „…“" — a colon right before the
    marks hands the quote to what introduces it: a short verbless phrase is the speaker itself, a
    clause ("Er glaubt weiterhin, dass …: „…“") gives its subject."""
    lead = text[first.start:quoted.start]
    if lead.strip():
        intro, colon_at = first, first.start + len(lead.rstrip())
    else:
        prev = doc.sentence_before(first.index)
        if prev is None:
            return None
        intro, colon_at = prev, prev.start + len(text[prev.start:prev.end].rstrip())
    if text[colon_at - 1:colon_at] != ":" or "\n\n" in text[colon_at:quoted.start]:
        return None
    words = [w for w in intro.words if w.end < colon_at]
    content = [w for w in words if w.upos != "PUNCT"]
    if not content:
        return None
    if not any(w.upos in ("VERB", "AUX") for w in content):
        heads = [w for w in content if w.upos in ("NOUN", "PROPN", "X")]
        if not heads or len(content) > 12 or content[0].upos in ("ADP", "SCONJ") or (
                content[0].upos == "ADV" and content[0].surface.islower()):
            return None
        while words and words[0].upos == "PUNCT":
            words = words[1:]
        return mention_from_words(text, intro, words, heads[0], lex)
    return clause_subject(text, intro, lex, (colon_at, intro.end))


def direct_quote(text: str, doc: ParsedDocument, quoted: QuotedSpan, sentences: list[Sentence],
                 cues_by_sentence: dict[int, list[CueMatch]], lex: CueLexicon) -> Candidate:
    """A quoted span and its cue: the nearest cue outside the marks in the sentences it touches,
    else a colon-introduced cue in the sentence before ("…teilten mit: „…“")."""
    best: tuple[int, CueMatch, Sentence] | None = None
    for s in sentences:
        for cue in cues_by_sentence.get(s.index, []):
            if quoted.start <= cue.anchor.start < quoted.end:
                continue
            dist = min(abs(cue.start - quoted.end), abs(quoted.start - cue.end))
            if best is None or dist < best[0]:
                best = (dist, cue, s)
    if best is None and sentences:
        first = sentences[0]
        prev = doc.sentence_before(first.index)
        colon = text[first.start:quoted.start].strip()
        if colon.endswith(":") and first.start < quoted.start:
            for cue in cues_by_sentence.get(first.index, []):
                best = (0, cue, first)
        elif prev is not None and text[prev.start:prev.end].rstrip().endswith(":"):
            for cue in cues_by_sentence.get(prev.index, []):
                best = (0, cue, prev)
    if best is not None:
        _, cue, s = best
        speaker = speaker_of_cue(text, s, cue, lex, excluded=[(quoted.start, quoted.end)])
        conf = 0.9 if speaker else 0.7
        return Candidate(quoted.start, quoted.end, "direct", s.index, cue, speaker, conf,
                         "dash" if quoted.dash else "marks")
    if sentences:
        speaker = colon_introducer(text, doc, quoted, sentences[0], lex)
        if speaker is not None:
            return Candidate(quoted.start, quoted.end, "direct", sentences[0].index, None, speaker, 0.75, "colon")
    s = sentences[0] if sentences else None
    # "Peskow rechne mit „guten … Verhandlungen“": the clause's subject speaks the partial quote.
    speaker = None
    if s is not None:
        span = (quoted.start, quoted.end)
        speaker = clause_subject(text, s, lex, span) or subject_before_quote(text, s, span, lex)
    return Candidate(quoted.start, quoted.end, "direct", s.index if s else -1, None, speaker,
                     0.6 if speaker else 0.45, "marks-nocue")
