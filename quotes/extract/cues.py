"""Speech cues: the words that report speech ("sagte", "teilte mit", "stellt in Aussicht", "sa").

All knowledge comes from ``quotes/data/<lang>/cues.json``; this module only reads it against a
parse. A cue is anchored on a verb; separable particles and multi-word frames add their words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from quotes.lexicon import load_data
from quotes.parse.parser import Sentence, Word


@dataclass(frozen=True)
class CueLexicon:
    speech_verbs: frozenset[str]
    weak_speech_verbs: frozenset[str]
    particle_verbs: dict[str, frozenset[str]]
    frames: tuple[dict, ...]
    according_before: frozenset[str]
    according_after: frozenset[str]
    source_prepositions: frozenset[str]
    source_nouns: tuple[str, ...]
    not_source_nouns: tuple[str, ...]
    according_adverbs: frozenset[str]
    according_relative: frozenset[str]
    source_attachments: frozenset[str]
    document_nouns: tuple[str, ...]
    document_prepositions: frozenset[str]
    anaphoric_pronouns: frozenset[str]
    so_cue: frozenset[str]
    wie_cue: frozenset[str]
    negations: frozenset[str]
    subordinators: frozenset[str]
    subjunctive_forms: frozenset[str]
    conditional_forms: frozenset[str]
    reported_modals: frozenset[str]
    pronouns: dict[str, dict]
    plural_pronouns: frozenset[str]
    first_person: frozenset[str]
    distinct_first_person_subjunctive: tuple[str, ...]
    role_suffixes: tuple[str, ...]
    organisation_words: frozenset[str]
    name_particles: frozenset[str]
    relative_pronouns: frozenset[str]
    possessive_relative_pronouns: frozenset[str]
    clause_subordinators: frozenset[str]
    non_content_openers: tuple[str, ...]
    infinitive_markers: frozenset[str]
    subjunctive_endings: tuple[tuple[str, str], ...]
    nouns_capitalised: bool
    speech_nouns: tuple[str, ...]
    noun_cue_links: frozenset[str]
    bare_content_clauses: bool
    participles: dict[str, str]
    report_verbs: frozenset[str]
    not_speakers: frozenset[str]
    indefinite_articles: frozenset[str]
    reflexive_pronouns: frozenset[str]
    expletive_pronouns: frozenset[str]
    case_ambiguous_pronouns: frozenset[str]
    agent_prepositions: frozenset[str]
    passive_speaker_verbs: frozenset[str]
    perfect_auxiliaries: frozenset[str]
    speech_stems: tuple[tuple[str, str], ...]  # (stem, lemma), longest first


@cache
def cue_lexicon(lang: str) -> CueLexicon:
    d = load_data("cues", lang)
    acc = d["according_to"]
    low = lambda xs: frozenset(x.lower() for x in xs)  # noqa: E731
    return CueLexicon(
        speech_verbs=low(d["speech_verbs"]),
        weak_speech_verbs=low(d.get("weak_speech_verbs", [])),
        particle_verbs={k.lower(): low(v) for k, v in d.get("particle_verbs", {}).items()},
        frames=tuple(d.get("frames", [])),
        according_before=low(acc.get("before", [])),
        according_after=low(acc.get("after", [])),
        source_prepositions=low(acc.get("source_preposition", [])),
        source_nouns=tuple(x.lower() for x in acc.get("source_nouns", [])),
        not_source_nouns=tuple(x.lower() for x in acc.get("not_source_nouns", [])),
        according_adverbs=low(acc.get("adverbs", [])),
        according_relative=low(acc.get("relative", [])),
        source_attachments=low(acc.get("source_attachments", [])),
        document_nouns=tuple(x.lower() for x in acc.get("document_nouns", [])),
        document_prepositions=low(acc.get("document_prepositions", [])),
        anaphoric_pronouns=low(d.get("anaphoric_pronouns", [])),
        so_cue=low(d.get("so_cue", [])),
        wie_cue=low(d.get("wie_cue", [])),
        negations=low(d.get("negations", [])),
        subordinators=low(d.get("subordinators", [])),
        subjunctive_forms=low(d.get("subjunctive_forms", [])),
        conditional_forms=low(d.get("conditional_forms", [])),
        reported_modals=low(d.get("reported_modals", [])),
        pronouns={k.lower(): v for k, v in d.get("pronouns", {}).items()},
        plural_pronouns=low(d.get("plural_pronouns", [])),
        first_person=low(d.get("first_person", [])),
        distinct_first_person_subjunctive=tuple(x.lower() for x in d.get("distinct_first_person_subjunctive", [])),
        role_suffixes=tuple(x.lower() for x in d.get("role_suffixes", [])),
        organisation_words=low(d.get("organisation_words", [])),
        name_particles=low(d.get("name_particles", [])),
        relative_pronouns=low(d.get("relative_pronouns", [])),
        possessive_relative_pronouns=low(d.get("possessive_relative_pronouns", [])),
        clause_subordinators=low(d.get("clause_subordinators", [])),
        non_content_openers=tuple(x.lower() for x in d.get("non_content_openers", [])),
        infinitive_markers=low(d.get("infinitive_markers", [])),
        subjunctive_endings=tuple((a.lower(), b.lower()) for a, b in d.get("subjunctive_endings", [])),
        nouns_capitalised=bool(d.get("nouns_capitalised", False)),
        speech_nouns=tuple(x.lower() for x in d.get("speech_nouns", [])),
        noun_cue_links=low(d.get("noun_cue_links", [])),
        bare_content_clauses=bool(d.get("bare_content_clauses", False)),
        report_verbs=low(d.get("report_verbs", [])),
        not_speakers=low(d.get("not_speakers", [])),
        indefinite_articles=low(d.get("indefinite_articles", [])),
        reflexive_pronouns=low(d.get("reflexive_pronouns", [])),
        expletive_pronouns=low(d.get("expletive_pronouns", [])),
        case_ambiguous_pronouns=low(d.get("case_ambiguous_pronouns", [])),
        agent_prepositions=low(d.get("agent_prepositions", [])),
        passive_speaker_verbs=low(d.get("passive_speaker_verbs", [])),
        perfect_auxiliaries=low(d.get("perfect_auxiliaries", [])),
        speech_stems=_stems(low(d["speech_verbs"])),
        participles={k.lower(): v.lower() for k, v in d.get("participles", {}).items()},
    )


def _stems(speech_verbs: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Verb stems of the speech verbs, longest first ("bericht" for "berichten")."""
    out = []
    for lemma in speech_verbs:
        stem = lemma[:-2] if lemma.endswith("en") else lemma[:-1] if lemma.endswith(("n", "e")) else lemma
        if len(stem) >= 4:
            out.append((stem, lemma))
    return tuple(sorted(out, key=lambda x: (-len(x[0]), x[0])))


def verb_lemma(w: Word, lex: CueLexicon) -> str:
    """The lemma, mended where the small lemmatizer fails on a speech verb: a known participle, or a
    finite form that starts with a speech verb's stem ("berichteten" → "berichten")."""
    surface = w.surface.lower()
    if surface in lex.participles:
        return lex.participles[surface]
    lemma = _lemma(w)
    if lemma in lex.speech_verbs or lemma in lex.particle_verbs or w.upos not in ("VERB", "AUX"):
        return lemma  # (a speech verb the tagger calls an auxiliary, "warnt" under "wernen", is mended)
    for stem, speech in lex.speech_stems:
        if surface.startswith(stem) and len(surface) - len(stem) <= 4:
            return speech
    return lemma


@dataclass
class CueMatch:
    anchor: Word  # the verb that carries the cue
    words: list[Word]  # every word of the cue, anchor included, in text order
    lemma: str  # e.g. "mitteilen", "in Aussicht stellen"
    agentless: bool = False  # "hieß es": no speaker in the clause
    weak: bool = False  # needs a clause complement to report speech ("glauben", "sehen")
    speaker_preposition: str | None = None  # "geht aus X hervor": the speaker is this preposition's object

    @property
    def start(self) -> int:
        return min(w.start for w in self.words)

    @property
    def end(self) -> int:
        return max(w.end for w in self.words)


def _lemma(w: Word) -> str:
    return w.lemma.lower()


def is_negated(sentence: Sentence, verb: Word, lex: CueLexicon, cue_words: list[Word] = ()) -> bool:
    """"Peskow sagte nicht, wer …": a negation on the cue or on its object ("gab keinen … bekannt")."""
    # only the cue's own clause: "geht davon aus, dass der Pilot keine Erlaubnis hatte" is not negated
    comma = next((w.index for w in sentence.words if w.index > verb.index and w.surface in ",:"), None)
    for dep in sentence.dependents(verb):
        if comma is not None and dep.index > comma or dep in cue_words:
            continue  # ("etterlater ingen tvil om": the negated noun is part of the cue)
        if dep.base_deprel == "advmod" and _lemma(dep) in lex.negations:
            return True
        if dep.base_deprel == "obj" and any(_lemma(d) in lex.negations for d in sentence.dependents(dep, "det")):
            return True
    nxt = sentence.word(verb.index + 1)
    return nxt is not None and nxt.surface.lower() in lex.negations and nxt.end - verb.end <= 1 + len(nxt.surface) \
        and not any(nxt.head == c.index for c in cue_words)


def _particle(sentence: Sentence, verb: Word, particles: frozenset[str]) -> Word | None:
    for dep in sentence.dependents(verb):
        if dep.deprel == "compound:prt" and dep.surface.lower() in particles:
            return dep
    # The parser often attaches the particle elsewhere: accept it right after the verb (Norwegian
    # "slo fast at") or at the clause end after it (German "gab … bekannt").
    nxt = sentence.word(verb.index + 1)
    if nxt is not None and nxt.surface.lower() in particles and nxt.upos in ("ADP", "ADV", "PART", "ADJ"):
        return nxt
    for w in sentence.words[verb.index:]:
        if w.surface.lower() in particles and w.upos in ("ADP", "ADV", "PART", "ADJ", "VERB"):
            nxt = sentence.word(w.index + 1)
            if nxt is None or nxt.upos == "PUNCT":
                return w
    return None


def _frame(sentence: Sentence, verb: Word, lex: CueLexicon) -> tuple[dict, list[Word]] | None:
    for frame in lex.frames:
        lemmas = [x.lower() for x in frame["lemmas"]]
        if _lemma(verb) != lemmas[0]:
            continue
        found = [verb]
        for rest in lemmas[1:]:
            near = [w for w in sentence.words if abs(w.index - verb.index) <= frame.get("window", 6) and w is not verb
                    and (_lemma(w) == rest or w.surface.lower() == rest)]
            if not near:
                break
            found.append(near[0])
        else:
            return frame, sorted(found, key=lambda w: w.index)
    return None


def has_negated_speech(sentence: Sentence, lex: CueLexicon) -> bool:
    """Whether a speech verb of the sentence is negated ("Peskow sagte nicht, wer … sei"): what
    follows reports nothing."""
    return any(w.upos == "VERB" and verb_lemma(w, lex) in lex.speech_verbs and is_negated(sentence, w, lex)
               for w in sentence.words)


def find_cues(sentence: Sentence, lex: CueLexicon) -> list[CueMatch]:
    """The speech cues of one sentence, not negated, in text order."""
    cues: list[CueMatch] = []
    for w in sentence.words:
        # Speech verbs the tagger mistook for nouns or adjectives stay lower-case; real nouns do not.
        if w.upos not in ("VERB", "AUX") and not (w.surface[:1].islower() and w.upos in ("NOUN", "ADJ", "X", "ADV")) \
                and w.surface.lower() not in lex.participles:
            continue  # (a form listed as a mis-lemmatized verb counts whatever its tag: "schlug")
        lemma = verb_lemma(w, lex)
        match: CueMatch | None = None
        framed = _frame(sentence, w, lex)
        if framed:
            frame, words = framed
            match = CueMatch(w, words, frame["text"], agentless=frame.get("agentless", False),
                             weak=frame.get("weak", False), speaker_preposition=frame.get("speaker_preposition"))
        elif lemma in lex.particle_verbs:
            prt = _particle(sentence, w, lex.particle_verbs[lemma])
            if prt is not None:
                match = CueMatch(w, sorted([w, prt], key=lambda x: x.index), prt.surface.lower() + lemma)
            elif lemma in lex.speech_verbs:
                match = CueMatch(w, [w], lemma, weak=lemma in lex.weak_speech_verbs)
        elif lemma in lex.speech_verbs:
            match = CueMatch(w, [w], lemma, weak=lemma in lex.weak_speech_verbs)
        if match and not is_negated(sentence, w, lex, match.words):
            cues.append(match)
    return cues
