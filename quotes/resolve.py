"""Resolve speakers across the document: canonical names, pronouns and role nouns.

"Peskow" becomes the fullest form seen ("Dmitri Peskow"); "Er", "Der Pressesprecher",
"Kremlin-sjefen" become the nearest earlier named speaker that agrees in number (and, for role
nouns, preferably one that carried the same kind of role). Quotes with no speaker of their own
(free indirect, uncued marks) take the speaker of the quote before them.
"""

from __future__ import annotations

import hashlib
import re

from .extract.cues import CueLexicon, cue_lexicon
from .outlets import load_registry
from .extract.patterns import Candidate
from .extract.speakers import Mention
from .parse import ParsedDocument
from .records import Cue, Quote, Speaker

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
    return sorted(names, key=lambda n: (-len(_tokens(n)), -len(n)))


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
            c.speaker = _recent_person(doc, c)
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


def _recent_person(doc: ParsedDocument, c: Candidate) -> Mention | None:
    """The last person named in the quote's sentence or the two before it: a cue-less quote's
    most likely speaker when no quote before it had one."""
    window = [s for s in doc.sentences if c.sentence_index - 2 <= s.index <= c.sentence_index]
    people = [(a, b) for s in window for a, b, t in s.entities if t == "PER" and b <= c.start]
    if not people:
        return None
    a, b = people[-1]
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
            speaker = Speaker(name=m.name or m.text, mention=text[m.start:m.end], start=m.start, end=m.end,
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
        ))
    return quotes
