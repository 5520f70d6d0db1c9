"""Resolve speakers across the document: canonical names, pronouns and role nouns.

"Peskow" becomes the fullest form seen ("Dmitri Peskow"); "Er", "Der Pressesprecher",
"Kremlin-sjefen" become the nearest earlier named speaker that agrees in number (and, for role
nouns, preferably one that carried the same kind of role). Quotes with no speaker of their own
(free indirect, uncued marks) take the speaker of the quote before them.
"""

from __future__ import annotations

import hashlib
import re

from quotes.extract.candidate import Candidate
from quotes.extract.cues import CueLexicon, cue_lexicon
from quotes.extract.outlets import load_registry
from quotes.extract.speakers import Mention, clause_subject
from quotes.parse.parser import ParsedDocument, Sentence, Word
from quotes.records import Cue, Quote, Span, Speaker
from quotes.resolve.names import name_lexicon, non_name_reason

_TOKEN = re.compile(r"[\w'-]+", re.UNICODE)
_MAX_INHERIT_SENTENCES = 4


def _tokens(name: str) -> list[str]:
    return _TOKEN.findall(name.lower())


def _name_shaped(name: str, lex: CueLexicon) -> bool:
    words = name.split()
    return bool(words) and all(w[:1].isupper() or w.lower() in lex.name_particles for w in words)


def known_names(doc: ParsedDocument, mentions: list[Mention], lex: CueLexicon) -> list[str]:
    names = {m.name for m in mentions if m.name and m.entity_type == "PER"}
    names.update(doc.text[s:e] for s, e, t in doc.entities if t == "PER" and len(doc.text[s:e]) > 2)
    names = {n for n in names if _name_shaped(n, lex)}
    # the name itself breaks ties: a set's order changes with the process's hash seed
    return sorted(names, key=lambda n: (-len(_tokens(n)), -len(n), n))


def canonical_name(name: str, names: list[str]) -> str:
    """The fullest known name that contains every word of ``name`` (ending on its last word)."""
    toks = _tokens(name)
    if not toks:
        return name
    for full in names:
        ft = _tokens(full)
        if len(ft) >= len(toks) and ft[-1] == toks[-1] and all(t in ft for t in toks):
            return full
    return name


def _role_key(role: str | None, lex: CueLexicon) -> str | None:
    if not role:
        return None
    low = role.lower()
    return next((suffix for suffix in lex.role_suffixes if low.endswith(suffix) or suffix in low), None)


def _antecedent(m: Mention, earlier: list[Mention], lex: CueLexicon) -> Mention | None:
    named = [e for e in earlier if e.name and e.entity_type in ("PER", "ORG")]
    if m.plural:
        compatible = [e for e in named if e.plural or e.entity_type == "ORG"]
    else:
        compatible = [e for e in named if not e.plural]
    if m.entity_type == "PRON":
        compatible = [e for e in compatible if e.entity_type == ("ORG" if m.plural else "PER")] or compatible
    if m.text.split()[0].lower() in lex.indefinite_articles:
        return None  # "eine Korrespondentin", "en talsmann": a new referent, not one named before
    if m.entity_type == "NOUN":
        # only a role noun ("Der Pressesprecher", "Kremlin-sjefen") points back to a named speaker;
        # a generic one ("militære kilder", "Beobachter") is its own speaker
        key = _role_key(m.role or m.text, lex)
        if key is None:
            return None
        same_role = [e for e in compatible if _role_key(e.role, lex) == key]
        if same_role:
            return same_role[-1]
    return compatible[-1] if compatible else None


def resolve_candidates(doc: ParsedDocument, candidates: list[Candidate]) -> None:
    """Fill in missing speakers and canonical names, in place, in text order."""
    lex = cue_lexicon(doc.language)
    ordered = sorted(candidates, key=lambda c: c.start)
    previous: Candidate | None = None
    for c in ordered:
        if c.speaker is None and previous is not None and previous.speaker is not None:
            if c.sentence_index - previous.sentence_index <= _MAX_INHERIT_SENTENCES:
                sp = previous.speaker
                c.speaker = Mention(sp.start, sp.end, sp.text, sp.name, sp.role, sp.entity_type,
                                    sp.sentence_index, sp.plural, sp.gender)
                c.confidence = max(0.3, c.confidence - 0.15)  # a speaker taken over is a guess
        if c.speaker is None:
            c.speaker = _recent_person_mention(doc, c)
            if c.speaker is not None:
                c.confidence = max(0.3, c.confidence - 0.2)
        if c.speaker is not None:
            previous = c
    mentions = [c.speaker for c in ordered if c.speaker is not None]
    names = known_names(doc, mentions, lex)
    seen: list[Mention] = []
    outlets = load_registry()
    for m in sorted(mentions, key=lambda m: m.start):
        outlet = outlets.canonical(m.text) or (outlets.canonical(m.name) if m.name else None)
        if outlet:
            m.name, m.entity_type = outlet, "ORG"  # "RIA Nowosti", "t-online": the registry's name
        elif m.name and m.entity_type == "PER":
            m.name = canonical_name(m.name, names)
        elif m.entity_type in ("PRON", "NOUN"):
            ante = _antecedent(m, [e for e in seen if e.start < m.start], lex)
            if ante is not None:
                m.name = ante.name
                if m.role is None and ante.role:
                    m.role = ante.role
        seen.append(m)
    runs = _name_runs(doc)
    for m in mentions:
        _readable(doc, m, runs, lex, names)


def _words_of(doc: ParsedDocument, m: Mention) -> tuple[Sentence | None, list[Word]]:
    s = doc.sentences[m.sentence_index] if 0 <= m.sentence_index < len(doc.sentences) else None
    if s is None or not (s.start <= m.start < s.end):
        s = next((x for x in doc.sentences if x.start <= m.start < x.end), None)
    return s, [w for w in s.words if m.start <= w.start < m.end] if s is not None else []


def _base_form(doc: ParsedDocument, words: list[Word], lex: CueLexicon) -> str | None:
    """A noun phrase in base form: its name run as written, else its head noun's lemma."""
    names = [w for w in words if w.upos == "PROPN" or (w.ner != "O" and w.surface[:1].isupper())]
    if len(names) == 1 and names[0].ner == "O" and names[0].lemma[:1].isupper():
        return names[0].lemma  # one word the tagger took for a name: its lemma is the base form
    if names:
        return doc.text[names[0].start:names[-1].end]
    nouns = [w for w in words if w.upos == "NOUN"]
    if not nouns:
        return None
    lemma = nouns[0].lemma
    return lemma[:1].upper() + lemma[1:] if lex.nouns_capitalised else lemma


def _source_of_phrase(doc: ParsedDocument, m: Mention, lex: CueLexicon, names: list[str]) -> str | None:
    """"(laut) einer Pressemitteilung des Ministeriums" → "Ministerium": what follows the source
    phrase's attachment ("des", "von", "for") is the source. "(nach) eigenen Angaben" → the subject of
    the clause the phrase stands in."""
    sentence, words = _words_of(doc, m)
    if sentence is None or not words:
        return None
    attach = next((i for i, w in enumerate(words) if i > 0 and w.surface.lower() in lex.source_attachments), None)
    heads = name_lexicon(doc.language).source_phrase_heads
    sourced = any(w.surface.lower().endswith(heads + lex.document_nouns) for w in words[:attach])
    if attach is not None and sourced:
        tail = words[attach + 1:]
        if not any(w.upos in ("NOUN", "PROPN") for w in tail):
            # the weak parse cut the phrase after its attachment ("einer Pressemitteilung des | Ministeriums")
            after = [w for w in sentence.words if w.start >= m.end][:4]
            stop = next((i for i, w in enumerate(after) if w.upos in ("NOUN", "PROPN")), None)
            tail = tail + (after[:stop + 1] if stop is not None else [])
        return _base_form(doc, tail, lex)
    if not sourced:
        # "(laut) einem Sprecher der Firma": the phrase itself, without its oblique determiner
        rest = words[1:] if words[0].upos == "DET" else []
        return doc.text[rest[0].start:rest[-1].end] if rest and rest[0].surface[:1].isupper() else None
    subject = clause_subject(doc.text, sentence, lex, (m.start, m.end))
    if subject is None or subject.entity_type == "PRON":
        return None
    if subject.name and subject.entity_type == "PER":
        return canonical_name(subject.name, names)
    return subject.name or _base_form(doc, _words_of(doc, subject)[1], lex)


_NOT_IN_NAMES = ("DET", "ADP", "PRON", "AUX", "VERB", "SCONJ", "CCONJ", "ADV", "PUNCT", "NUM", "PART")


def _name_runs(doc: ParsedDocument) -> tuple[list[str], list[str]]:
    """Multi-word names of the document: runs of capitalised proper nouns or named-entity words; and
    runs of capitalised content words ("Weiße Haus", which the tagger reads as adjective and noun)."""
    proper: list[str] = []
    capitalised: list[str] = []
    for s in doc.sentences:
        for test, out in ((lambda w: w.upos == "PROPN" or w.ner != "O", proper),
                          (lambda w: w.upos not in _NOT_IN_NAMES, capitalised)):
            run: list[Word] = []
            for w in s.words + [None]:
                if w is not None and w.surface[:1].isupper() and test(w):
                    run.append(w)
                    continue
                if len(run) >= 2:
                    out.append(doc.text[run[0].start:run[-1].end])
                run = []
    proper.extend(doc.text[a:b] for a, b, _ in doc.entities if len(doc.text[a:b].split()) >= 2)
    return proper, capitalised


def full_name(fragment: str, runs: list[str], ends: bool = True) -> str:
    """A one-word name cut from a longer one ("Watch" of "Human Rights Watch", "Weiße" of "Weiße
    Haus") becomes the longer name: the most frequent name of the document that starts (or, with
    ``ends``, ends) with it."""
    if len(fragment.split()) != 1:
        return fragment
    hits = [r for r in runs if r.split()[0] == fragment or ends and r.split()[-1] == fragment]
    if not hits:
        return fragment
    return max(sorted(set(hits)), key=lambda r: (hits.count(r), len(r.split())))  # sorted: ties the same in every process


def _readable(doc: ParsedDocument, m: Mention, runs: list[str], lex: CueLexicon, names: list[str]) -> None:
    """Every speaker name a name or a noun phrase in base form, else no name (issue 9): a source
    phrase names its source, a fragment takes the full name, a pronoun, article or adverb with no
    antecedent is left unresolved (the mention stays)."""
    name = m.name or m.text
    reason = non_name_reason(name, doc.language)
    if reason == "oblique":
        name = _source_of_phrase(doc, m, lex, names)
        reason = non_name_reason(name, doc.language) if name else "unresolved"
    if reason == "pronoun" and m.entity_type == "PRON" and not m.plural:
        person = _recent_person(doc, m.start, m.sentence_index)
        if person is not None:
            name, reason = canonical_name(person, names), None
    if reason is not None:
        m.name, m.unresolved = None, True
        return
    proper, capitalised = runs
    longer = full_name(name, proper)
    if longer == name and m.entity_type != "PER":
        # a capitalised run may start with a role ("Nachrichtenmagazin Focus"): only one the fragment opens
        longer = full_name(name, capitalised, ends=False)
    m.name = longer


def _recent_person_span(doc: ParsedDocument, before: int, sentence_index: int) -> tuple[int, int] | None:
    """The last person named before offset ``before`` in sentence ``sentence_index`` or the two before it."""
    window = [s for s in doc.sentences if sentence_index - 2 <= s.index <= sentence_index]
    people = [(a, b) for s in window for a, b, t in s.entities if t == "PER" and b <= before]
    return people[-1] if people else None


def _recent_person(doc: ParsedDocument, before: int, sentence_index: int) -> str | None:
    span = _recent_person_span(doc, before, sentence_index)
    return doc.text[span[0]:span[1]] if span else None


def _recent_person_mention(doc: ParsedDocument, c: Candidate) -> Mention | None:
    """A cue-less quote's most likely speaker when no quote before it had one: the last person named
    in its sentence or the two before it."""
    span = _recent_person_span(doc, c.start, c.sentence_index)
    if span is None:
        return None
    a, b = span
    return Mention(a, b, doc.text[a:b], doc.text[a:b], None, "PER", c.sentence_index)


def quote_id(doc_id: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]


def to_quotes(doc_id: str, text: str, candidates: list[Candidate],
              comments: list[tuple[int, int]] = ()) -> list[Quote]:
    quotes: list[Quote] = []
    for c in sorted(candidates, key=lambda c: (c.start, c.end)):
        speaker = None
        if c.speaker is not None:
            m = c.speaker
            speaker = Speaker(name=None if m.unresolved else m.name or m.text, mention=text[m.start:m.end], start=m.start, end=m.end,
                              role=m.role, entity_type=m.entity_type)
        cue = None
        if c.cue is not None:
            cue = Cue(text=" ".join(text[w.start:w.end] for w in c.cue.words), lemma=c.cue.lemma,
                      start=c.cue.start, end=c.cue.end)
        quotes.append(Quote(
            quote_id=quote_id(doc_id, c.start, c.end), text=text[c.start:c.end], start=c.start, end=c.end,
            kind=c.kind, speaker=speaker, cue=cue,
            in_comments=any(s <= c.start < e for s, e in comments),
            confidence=round(c.confidence, 2),
            direct_spans=[Span(start=a, end=b) for a, b in c.nested],
        ))
    return quotes
