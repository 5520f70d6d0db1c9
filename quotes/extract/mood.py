"""Mood as a signal of reported speech: Konjunktiv I, Konjunktiv II and hearsay modals.

German reports speech in the Konjunktiv ("Er sagte, er sei müde"): a Konjunktiv I form marks a
clause as reported on its own, a Konjunktiv II form only continues a report already started, and
"soll … haben" reports hearsay. The tagger's ``Mood=Sub`` is one signal, the forms listed in the
language's cue data (``quotes/data/<lang>/cues.json``) a second, since the pack's morphology is weak."""

from __future__ import annotations

from quotes.extract.candidate import finite
from quotes.extract.cues import CueLexicon
from quotes.parse.parser import Sentence, Word


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
    """Whether ``verb`` has a first-person pronoun as its subject or beside it."""
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
    main = [w for w in words if w.index < first_comma and w.upos in ("VERB", "AUX") and finite(w)]
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
    """Whether the verbs mark reported speech at all (``subjunctive_grade`` above 0)."""
    return subjunctive_grade(sentence, lex, words) > 0


def subjunctive_grade_of(w: Word, lex: CueLexicon) -> int:
    """The grade of one verb form: 2 Konjunktiv I, 1 Konjunktiv II or a hearsay modal, 0 none."""
    form = w.surface.lower()
    if form in lex.subjunctive_forms or w.feats.get("Mood") == "Sub":
        return 2
    return 1 if form in lex.conditional_forms or form in lex.reported_modals else 0


def indicative_finite(w: Word, lex: CueLexicon) -> bool:
    """A finite verb in no subjunctive form: the speaker's own clause, not the report."""
    return w.upos in ("VERB", "AUX") and finite(w) and w.ner == "O" and subjunctive_grade_of(w, lex) == 0
