"""Speaker mentions: the phrase that says who speaks, split into name and role.

The speaker is the subject of the cue (or, in the passive, its "von"-agent; for "zitiert werden"
the passive subject). The parser is weak, so when it finds no subject the nominal right after a
clause-final cue ("…, sagte Kremlsprecher Dmitri Peskow") or right before the cue is taken.
Names are runs of proper nouns, named-entity tokens or capitalised flat/appos words, because the
German NER alone misses names like "Putin"; what precedes the name in the phrase is the role.
"""

from __future__ import annotations

from dataclasses import dataclass

from quotes.extract.cues import CueLexicon, CueMatch
from quotes.parse.parser import Sentence, Word

NOMINAL = {"NOUN", "PROPN", "PRON", "X"}
_STOP_DEPRELS = {"acl", "parataxis", "ccomp", "advcl", "punct", "csubj", "xcomp", "dep", "obl", "advmod",
                 "vocative", "discourse", "orphan", "list", "reparandum"}
_EDGE_UPOS = {"PUNCT", "CCONJ", "ADP", "SCONJ"}


@dataclass
class Mention:
    start: int
    end: int
    text: str
    name: str | None
    role: str | None
    entity_type: str
    sentence_index: int
    plural: bool = False
    gender: str | None = None
    unresolved: bool = False  # no readable name could be found: the record keeps the mention, no name


def _in_any(w: Word, spans) -> bool:
    return any(s <= w.start < e for s, e in spans)


def _is_name_word(w: Word, lex: CueLexicon) -> bool:
    if not w.surface[:1].isupper() or w.surface.lower().endswith(lex.role_suffixes):
        return False
    return w.upos == "PROPN" or w.ner != "O" or w.base_deprel in ("flat", "appos") and w.upos in NOMINAL


def _name_run(words: list[Word], lex: CueLexicon) -> list[Word]:
    """The longest run of adjacent name words. Pieces glued to a name without a space belong to it
    ("Kim Jong-un"); a name glued to a role ("Kreml-Sprecher") is part of the role."""
    runs: list[list[Word]] = []
    run: list[Word] = []
    for i, w in enumerate(words):
        if w.base_deprel in ("nmod", "obl") and not run and any(
                words[j].upos == "ADP" and words[j].head == w.index for j in range(i)):
            continue  # "kilder i Ukraina": a name in a prepositional modifier is not the speaker's
        glued = bool(run) and w.start == run[-1].end
        if glued and w.surface.lower().endswith(lex.role_suffixes):
            run = []  # "Kreml-Sprecher": the name was part of a role compound
            continue
        if (_is_name_word(w, lex) and not w.in_mwt) or (glued and w.upos != "PUNCT") or (run and w.surface == "-"):
            run.append(w)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    cleaned = []
    for r in runs:
        while r and r[-1].surface == "-":
            r = r[:-1]
        if r:
            cleaned.append(r)
    best = max(cleaned, key=lambda r: sum(1 for w in r if w.surface != "-"), default=[])
    # A single capitalised common noun is a role ("Kremlsprecher"), not a name, unless NER says so.
    if len(best) == 1 and best[0].upos == "NOUN" and best[0].ner == "O":
        return []
    return best


def _phrase_words(sentence: Sentence, head: Word, excluded: list[tuple[int, int]]) -> list[Word]:
    """The head's phrase: its subtree without clauses, cut to the contiguous run around the head."""
    keep = {head.index}
    stack = [head]
    while stack:
        w = stack.pop()
        for d in sentence.dependents(w):
            if d.base_deprel in _STOP_DEPRELS and not (d.base_deprel == "punct" and d.surface in "()-"):
                continue
            if d.base_deprel == "acl" or _in_any(d, excluded):
                continue
            keep.add(d.index)
            stack.append(d)
    # a comma between kept words belongs to the phrase ("die Sprecherin …, Maria Sacharowa")
    for i in list(keep):
        if i + 2 in keep and i + 1 not in keep and sentence.word(i + 1).surface == ",":
            keep.add(i + 1)
    # contiguous around the head
    lo = hi = head.index
    while lo - 1 in keep:
        lo -= 1
    while hi + 1 in keep:
        hi += 1
    words = [sentence.word(i) for i in range(lo, hi + 1)]
    while words and words[0].upos in _EDGE_UPOS:
        words.pop(0)
    while words and (words[-1].upos in _EDGE_UPOS or words[-1].surface in "(-"):
        words.pop()
    # an opening parenthesis without its closer is cut with what follows
    if any(w.surface == "(" for w in words) and not any(w.surface == ")" for w in words):
        words = words[: next(i for i, w in enumerate(words) if w.surface == "(")]
    # an apposed name after a comma that the parse attached elsewhere: ", Maria Sacharowa" at clause end
    nxt = sentence.word(words[-1].index + 1) if words else None
    if nxt is not None and nxt.surface == ",":
        run = []
        for w in sentence.words[nxt.index:]:
            if w.upos == "PROPN" or (w.surface[:1].isupper() and w.ner != "O"):
                run.append(w)
            else:
                break
        after = sentence.word(nxt.index + len(run) + 1)
        if len(run) >= 2 and (after is None or after.upos == "PUNCT") and not any(_in_any(w, excluded) for w in run):
            words = words + [nxt] + run
    return words or [head]


def mention_from_head(text: str, sentence: Sentence, head: Word, lex: CueLexicon,
                      excluded: list[tuple[int, int]] = (), siblings: list[Word] = ()) -> Mention:
    words = _phrase_words(sentence, head, list(excluded))
    # the parser may split one subject into adjacent siblings ("Kremlsprecher | Dmitri Peskow")
    for sib in sorted(siblings, key=lambda w: w.index):
        more = _phrase_words(sentence, sib, list(excluded))
        if more[-1].index + 1 == words[0].index:
            words = more + words
        elif words[-1].index + 1 == more[0].index:
            words = words + more
    return mention_from_words(text, sentence, words, head, lex)


def mention_from_words(text: str, sentence: Sentence, words: list[Word], head: Word, lex: CueLexicon) -> Mention:
    names = _name_run(words, lex)
    if names and words[0].surface.lower() in lex.indefinite_articles and names[0].index > head.index \
            and sentence.word(names[0].index - 1).surface != ",":
        # "fragte eine Korrespondentin Trump": an indefinite noun takes no close apposition,
        # so the name after it is another phrase (here the object)
        words = [w for w in words if w.index < names[0].index]
        names = []
    start, end = words[0].start, words[-1].end
    mention_text = text[start:end]
    last = words[-1]
    if names and last not in names and last.surface.lower().endswith(lex.role_suffixes) and names[-1].index < last.index:
        names = []  # "Kremlin-sjefen", "Kreml-Chef": the name only qualifies the role
    name = text[names[0].start:names[-1].end] if names else None
    role = None
    lower = head.surface.lower()
    if head.upos == "PRON" or lower in lex.pronouns or lower in lex.plural_pronouns:
        entity_type = "PRON"
    elif any(w.upos in ("NOUN", "PROPN") and w.lemma.lower().endswith(tuple(lex.organisation_words))
             for w in [head] + names) and not any(w.ner.endswith("PER") for w in names):
        entity_type = "ORG"
        names = []  # "das Außenministerium in Moskau" is the ministry, not Moskau
    elif any(w.ner.endswith("ORG") for w in names):
        entity_type = "ORG"
    elif names:
        entity_type = "PER"
    else:
        entity_type = "NOUN"
    if names:
        before = [w for w in words if w.end <= names[0].start and w.upos in ("NOUN", "ADJ", "PROPN", "X", "ADP", "DET", "NUM")]
        while before and before[0].upos in ("DET", "ADP"):
            before.pop(0)
        while before and before[-1].upos in ("DET", "ADP"):
            before.pop()  # "Studien der | Universität Wien": the article belongs to the name
        if before:
            role = text[before[0].start:before[-1].end].rstrip(" ,")
    else:
        content = [w for w in words if w.upos not in ("DET",)]
        if entity_type == "ORG":
            name = text[content[0].start:content[-1].end] if content else mention_text
        elif entity_type == "NOUN" and content:
            role = text[content[0].start:content[-1].end]
    plural = head.feats.get("Number") == "Plur" or any(w.upos == "CCONJ" for w in words)
    return Mention(start, end, mention_text, name, role, entity_type, sentence.index, plural,
                   head.feats.get("Gender"))


_OPENING_MARKS = "„“«»‚‘\"'"


def source_phrase(sentence: Sentence, first: Word, lex: CueLexicon, max_attachments: int = 2) -> list[Word]:
    """The noun phrase that starts at ``first``, read on the surface: modifiers, the noun (or name,
    or a quoted title "„Der Spiegel“"), then up to two attached phrases ("Angaben der Polizei",
    "Ansicht von ai"). It stops at anything else, because the parser often hangs the rest of the
    clause on a source noun ("nach Angaben der Polizei zu kleineren Rangeleien")."""
    out: list[Word] = []
    words = [w for w in sentence.words if w.index >= first.index]
    i, attachments, have_noun = 0, 0, False
    while i < len(words):
        w = words[i]
        low = w.surface.lower()
        if w.surface in _OPENING_MARKS and not have_noun:
            close = next((j for j in range(i + 1, min(i + 8, len(words))) if words[j].surface in _OPENING_MARKS), None)
            if close is None:
                break
            out.extend(words[i:close + 1])
            i, have_noun = close + 1, True
            continue
        if w.upos in ("NOUN", "PROPN", "X") or (out and w.start == out[-1].end and w.upos != "PUNCT"):
            out.append(w)
            have_noun = True
        elif not have_noun and w.upos in ("DET", "PRON", "ADJ", "NUM", "ADV") and low not in lex.not_speakers:
            out.append(w)
        elif have_noun and low in lex.source_attachments and attachments < max_attachments:
            attachments += 1
            have_noun = False
            out.append(w)
        else:
            break
        i += 1
    while out and not (out[-1].upos in ("NOUN", "PROPN", "X") or out[-1].surface in _OPENING_MARKS):
        out.pop()
    return out


def can_speak(m: Mention, lex: CueLexicon) -> bool:
    if m.entity_type in ("PER", "ORG"):
        return True
    low = m.text.lower()
    if m.entity_type == "PRON":  # not an expletive ("Dort sei es zu Unruhen gekommen")
        return (low in lex.pronouns or low in lex.plural_pronouns) and low not in lex.expletive_pronouns
    return _role_or_body(low, lex)


def _role_or_body(low: str, lex: CueLexicon) -> bool:
    """Lower-case text that ends in a role ("Kremlsprecher") or names an organisation ("Ministerium")."""
    return low.endswith(lex.role_suffixes) or any(w in low for w in lex.organisation_words)


def document_source(text: str, sentence: Sentence, lex: CueLexicon) -> Mention | None:
    """The text a statement is read from, when no one is named as speaking it: "Im Bericht heißt
    es", "Auf der Homepage heißt es", "In einer Presseerklärung wurde verkündet"."""
    for w in sentence.words:
        if w.upos not in ("NOUN", "PROPN"):
            continue
        low = w.lemma.lower()
        if not (low.endswith(lex.document_nouns) or w.surface.lower().endswith(lex.document_nouns)):
            continue
        case = [d for d in sentence.dependents(w, "case") if d.lemma.lower() in lex.document_prepositions
                or d.surface.lower() in lex.document_prepositions]
        if not case:
            continue
        start = sentence.word(case[0].index + 1)
        phrase = source_phrase(sentence, start, lex) if start is not None else []
        if phrase:
            return mention_from_words(text, sentence, phrase, w if w in phrase else phrase[-1], lex)
    return None


def phrase_mention(text: str, sentence: Sentence, first: Word, lex: CueLexicon) -> Mention | None:
    """The mention of the surface noun phrase that starts at ``first`` (see ``source_phrase``),
    headed by its first noun or name; None when no noun phrase starts there."""
    phrase = source_phrase(sentence, first, lex)
    heads = [w for w in phrase if w.upos in ("NOUN", "PROPN", "X")]
    return mention_from_words(text, sentence, phrase, heads[0], lex) if heads else None


def pro_form_mention(word: Word, antecedent: Mention | None, sentence_index: int) -> Mention:
    """A pro-form standing for a source ("demnach", "nach denen"): the word is the mention, the
    antecedent it stands for gives the name, role and type."""
    a = antecedent
    return Mention(word.start, word.end, word.surface, a.name or a.text if a else None, a.role if a else None,
                   a.entity_type if a else "PRON", sentence_index, a.plural if a else False,
                   a.gender if a else None)


def _subject(sentence: Sentence, anchor: Word, lex: CueLexicon) -> Word | None:
    subjects = [d for d in sentence.dependents(anchor) if d.deprel in ("nsubj", "nsubj:pass", "csubj")]
    passive = any(d.deprel in ("aux:pass", "nsubj:pass") for d in sentence.dependents(anchor))
    if passive and anchor.lemma.lower() not in lex.passive_speaker_verbs:
        for obl in sentence.dependents(anchor, "obl"):
            if any(c.lemma.lower() in lex.agent_prepositions for c in sentence.dependents(obl, "case")):
                return obl
        return None
    inverted = _inverted_pronoun(sentence, anchor, lex)
    for s in subjects:
        if _phrase_opens_with_preposition(sentence, s, lex):
            continue  # "Als Begründung sagte ein Wissenschaftler": the parse took the adverbial
        if inverted is not None and s.index < anchor.index and s.upos != "PRON" and not (
                inverted.surface.lower() in lex.case_ambiguous_pronouns and _person_like(s, lex)):
            return inverted  # "Die Arbeit der Koalition lobte er": a fronted object, the pronoun speaks
        if _can_head_speaker(s, lex, sentence) or s.upos == "DET" and s.surface[:1].isupper():
            return s
    if inverted is not None and not subjects:
        return inverted
    # an auxiliary or modal parent ("hat … erklärt" parsed with the aux as head)
    parent = sentence.word(anchor.head)
    if parent is not None and anchor.base_deprel in ("xcomp", "conj") :
        for d in sentence.dependents(parent, "nsubj"):
            if _can_head_speaker(d, lex):
                return d
    return None


def _phrase_opens_with_preposition(sentence: Sentence, head: Word, lex: CueLexicon) -> bool:
    """Whether the head's phrase starts with a preposition or subordinator ("Als Begründung"),
    whatever tag and deprel the parser gave it."""
    first = min([head] + [d for d in sentence.dependents(head) if d.index < head.index], key=lambda w: w.index)
    return first is not head and (first.upos in ("ADP", "SCONJ") or first.lemma.lower() in lex.clause_subordinators)


def _inverted_pronoun(sentence: Sentence, verb: Word, lex: CueLexicon) -> Word | None:
    """A personal pronoun right after the finite verb of a verb-second clause ("lobte er", "hat sie
    gesagt"): in German word order it is the subject, whatever the parse says."""
    finite = verb
    if verb.feats.get("VerbForm") in ("Part", "Inf"):
        aux = [d for d in sentence.dependents(verb) if d.base_deprel == "aux" and d.index < verb.index]
        if not aux:
            return None
        finite = aux[0]
    nxt = sentence.word(finite.index + 1)
    if nxt is None or nxt.upos != "PRON" or not nxt.surface.islower():
        return None
    low = nxt.surface.lower()
    if low in lex.expletive_pronouns or low in lex.reflexive_pronouns or not (low in lex.pronouns or low in lex.plural_pronouns):
        return None
    return nxt


def _person_like(w: Word, lex: CueLexicon) -> bool:
    """A named person or organisation, or a role noun: a word that speaks rather than is spoken of."""
    return w.ner[2:] in ("PER", "ORG") or _role_or_body(w.surface.lower(), lex)


def _reflexive(w: Word, lex: CueLexicon) -> bool:
    return w.upos == "PRON" and (w.feats.get("Reflex") == "Yes" or w.lemma.lower() in lex.reflexive_pronouns)


def _can_head_speaker(w: Word, lex: CueLexicon, sentence: Sentence | None = None,
                      skip_adverbs: bool = False) -> bool:
    """A word that can head the speaker phrase: a name, a noun or a personal pronoun, not a
    reflexive, not an expletive, and (given the sentence) not a prepositional phrase ("Am Montag",
    "Bezüglich …"); with ``skip_adverbs``, not one of the adverbs the tagger takes for nouns."""
    if sentence is not None and sentence.dependents(w, "case"):
        return False
    if skip_adverbs and w.surface.lower() in lex.not_speakers:
        return False
    if w.upos not in NOMINAL or _reflexive(w, lex) or w.lemma.lower() in lex.expletive_pronouns:
        return False
    # German capitalises every noun, so a lower-case "noun" there is a tagging error; Norwegian does not
    return w.upos == "PRON" or w.surface[:1].isupper() or w.ner != "O" or not lex.nouns_capitalised


def _before_cue(sentence: Sentence, cue: CueMatch, excluded, lex: CueLexicon) -> Word | None:
    before = [w for w in sentence.words if w.index < cue.anchor.index and not _in_any(w, excluded)]
    for w in reversed(before[-3:]):
        if _can_head_speaker(w, lex, sentence, skip_adverbs=True):
            return w
        if w.upos not in ("AUX", "ADV"):
            break
    return None


def _prefield(sentence: Sentence, verb: Word, excluded, lex: CueLexicon) -> list[Word] | None:
    """The words before a verb-second verb when they form one short nominal phrase ("Kim Jong-un
    bekundete …"): the subject, whatever the parser made of them."""
    words = [w for w in sentence.words if w.index < verb.index]
    content = [w for w in words if w.upos != "PUNCT"]
    if not content or len(content) > 4 or content[0].upos in ("ADP", "ADV", "SCONJ", "VERB", "AUX"):
        return None
    if content[0].surface.lower() in lex.not_speakers or content[0].upos == "CCONJ" or (
            content[0].lemma.lower() in lex.clause_subordinators):
        return None  # "Als Begründung sagte ein Wissenschaftler": a prepositional prefield
    named = any(w.ner != "O" for w in content)  # a name outweighs the parse ("Kim" taken for a preposition)
    if not named and content[0].base_deprel in ("case", "mark"):
        return None  # "Um 11:09 Uhr MEZ berichtet …": a prepositional prefield, whatever its tag
    inside = {w.index for w in content}
    tops = [w for w in content if w.head not in inside]
    if not named and tops and all(w.base_deprel in ("obl", "advmod") for w in tops):
        return None  # "Am Dienstag", "Des Weiteren": an adverbial prefield
    if len(content) == 1 and content[0].upos == "NOUN" and content[0].ner == "O" and not (
            content[0].surface.lower().endswith(lex.role_suffixes + tuple(lex.organisation_words))):
        return None  # a bare common noun opening the clause is an adverbial more often than a speaker
    if any(_in_any(w, excluded) or w.upos in ("VERB", "AUX", "SCONJ") for w in words):
        return None
    if not any(_can_head_speaker(w, lex, skip_adverbs=True) for w in content):
        return None  # "Des Weiteren verwies Steinbrück": an adverb the parse took for the subject
    return [w for w in words if content[0].index <= w.index <= content[-1].index]


def subject_before_quote(text: str, sentence: Sentence, quoted: tuple[int, int], lex: CueLexicon) -> Mention | None:
    """"Auch der Sprecher der SPD, Dieter Wiefelspütz, will „… prüfen“", "Ursprünglich wollte er „…“":
    the verb the parse made the root sits inside the marks, so the clause is read on the surface: the
    finite verb before the quote, and the phrase before it or the pronoun right after it speaks."""
    finite = next((w for w in sentence.words if w.end <= quoted[0] and w.upos in ("AUX", "VERB")
                   and w.feats.get("VerbForm", "Fin") == "Fin" and w.feats.get("Mood")), None)
    if finite is None:
        return None
    pronoun = _inverted_pronoun(sentence, finite, lex)
    if pronoun is not None:
        return mention_from_head(text, sentence, pronoun, lex, [quoted])
    mention = _prefield_mention(text, sentence, finite, [quoted], lex)
    return mention if mention is not None and can_speak(mention, lex) else None


def _prefield_mention(text: str, sentence: Sentence, verb: Word, excluded, lex: CueLexicon) -> Mention | None:
    """The prefield as a mention, headed by its last word that can head a speaker."""
    prefield = _prefield(sentence, verb, excluded, lex)
    if not prefield:
        return None
    named = [w for w in prefield if _can_head_speaker(w, lex, skip_adverbs=True)]
    return mention_from_words(text, sentence, prefield, named[-1], lex)


def _after_cue(sentence: Sentence, cue: CueMatch, excluded, lex: CueLexicon) -> Word | None:
    """In verb-second clauses the subject follows a cue that does not open its clause ("Am Montag
    sagte der Sprecher", "In einem Interview äußerte sich der EU-Außenbeauftragte Javier Solana").
    The first name or noun there is climbed up to the head of its phrase."""
    last_cue = max(cue.words, key=lambda w: w.index)
    after = [w for w in sentence.words if w.index > cue.anchor.index and not _in_any(w, excluded)
             and w is not last_cue]
    for w in after[:6]:
        if _can_head_speaker(w, lex, sentence, skip_adverbs=True):
            head = sentence.word(w.head)
            while (head is not None and head.index > w.index and head.upos in ("NOUN", "PROPN")
                   and head.index - w.index <= 3 and not _in_any(head, excluded)):
                w, head = head, sentence.word(head.head)
            return w
        if w.upos not in ("DET", "ADJ", "ADV", "AUX", "NUM", "PART") and not _reflexive(w, lex) \
                and w.surface not in _OPENING_MARKS:
            break  # (an opening mark belongs to a quoted name: "der „Deutsche Fußball-Bund“")
    return None


def speaker_of_cue(text: str, sentence: Sentence, cue: CueMatch, lex: CueLexicon,
                   excluded: list[tuple[int, int]] = (), fallback: bool = True) -> Mention | None:
    """Who speaks through ``cue``: its subject (or agent), else the nominal next to it."""
    if cue.agentless:
        return document_source(text, sentence, lex)  # "Im Bericht heißt es, …"
    if cue.speaker_preposition:
        prep = next((w for w in cue.words if w.surface.lower() == cue.speaker_preposition), None)
        nxt = sentence.word(prep.index + 1) if prep else None
        return phrase_mention(text, sentence, nxt, lex) if nxt else None
    head = _subject(sentence, cue.anchor, lex)
    if head is not None and (_in_any(head, excluded) or head.surface.lower() in lex.not_speakers):
        head = None
    siblings = []
    if head is not None:
        siblings = [d for d in sentence.dependents(cue.anchor, "nsubj") if d is not head and not _in_any(d, excluded)]
    if head is None and any(d.deprel in ("aux:pass", "nsubj:pass") for d in sentence.dependents(cue.anchor)):
        found = document_source(text, sentence, lex)  # "In einer Presseerklärung wurde verkündet, …"
        if found is not None:
            return found
    if head is None and fallback:
        # the parse found no subject: the prefield of the cue (or of the verb it is coordinated
        # with: "Kim Jong-un bekundete … und sagte, …"), else the nominal after the cue
        verb = cue.anchor
        if verb.base_deprel == "conj" and sentence.word(verb.head) is not None:
            verb = sentence.word(verb.head)
        found = _prefield_mention(text, sentence, verb, excluded, lex)
        if found is not None:
            return found
        head = _after_cue(sentence, cue, excluded, lex) or _before_cue(sentence, cue, excluded, lex)
    if head is None or head.lemma.lower() in lex.first_person:
        return None
    if head.upos == "DET" and head.base_deprel != "nsubj":
        return None
    mention = mention_from_head(text, sentence, head, lex, list(excluded) + [(cue.start, cue.end)], siblings)
    if not can_speak(mention, lex) and head.index < cue.anchor.index:
        # "Eine Verschiebung des Wahltermins bezeichnete Conze als fatal": a fronted object the
        # parse took for the subject; a name or role after the verb is the speaker
        other = _after_cue(sentence, cue, list(excluded) + [(mention.start, mention.end)], lex)
        if other is not None:
            alt = mention_from_head(text, sentence, other, lex, list(excluded) + [(cue.start, cue.end)])
            if can_speak(alt, lex) and alt.entity_type != "PRON":
                return alt
    return mention


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
