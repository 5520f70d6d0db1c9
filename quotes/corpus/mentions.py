"""A document's mentions: the names it quotes, cites or names, one row per name, made while its
parse is at hand; the corpus entities are built from them (quotes/corpus/entities.py)."""

from __future__ import annotations

from quotes.corpus.entities import words
from quotes.parse.parser import ParsedDocument
from quotes.records import DocumentResult
from quotes.resolve.speakers import canonical_name
from quotes.store.tables import Mention, short_hash

NER_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC", "GPE_LOC": "LOC", "GPE_ORG": "ORG"}


def words_of(text: str) -> list[str]:
    import re

    return re.findall(r"[\w'-]+", text.lower())


def surface_name(mention: str, name: str) -> str | None:
    """The words of a speaker's mention that write its name ('Kremlsprecher Dmitri Peskow' →
    'Dmitri Peskow', 'Kim und Putin' for 'Kim Jong' → 'Kim'): the longest run of the mention's
    words that are all words of the name; None when no word is ('Er', 'Der Pressesprecher')."""
    from quotes.extract.outlets import load_registry

    if load_registry().canonical(mention) == name:
        return mention.strip()
    mine = set(words(name))
    best: list[str] = []
    run: list[str] = []
    for token in mention.split() + [""]:
        if token and words(token) and set(words(token)) <= mine:
            run.append(token)
            continue
        if len(run) > len(best):
            best = run
        run = []
    text = " ".join(best).strip(",.;:()„“\"»«")
    return text or None


# Which type a name takes when its mentions disagree: 'Peskow' is a person though 'Der Pressesprecher'
# (a noun phrase) also stood for him.
_TYPE_RANK = {"PER": 0, "ORG": 1, "LOC": 2, "MISC": 3, "NOUN": 4, "PRON": 5}


def document_mentions(result: DocumentResult, parsed: ParsedDocument | None) -> list[Mention]:
    """The names a document quotes (speakers), cites (sources) or names (NER), one row per name:
    people under their fullest name in the document, with their surface forms, roles and counts."""
    text = parsed.text if parsed else ""
    named = [(text[s:e], NER_TYPES.get(t, "MISC")) for s, e, t in (parsed.entities if parsed else [])]
    speakers = [q for q in result.quotes if q.speaker is not None and q.speaker.name]
    people = sorted({n for n, t in named if t == "PER"} |
                    {q.speaker.name for q in speakers if q.speaker.entity_type == "PER"},
                    key=lambda n: (-len(words_of(n)), -len(n), n))  # the name breaks ties, not the set's order
    found: dict[str, dict] = {}

    def entry(name: str, etype: str | None) -> dict:
        return found.setdefault(name, {"name": name, "entity_type": etype, "roles": [], "surfaces": [],
                                       "mentions": 0, "quoted": 0, "quoted_in_comments": 0, "cited": 0,
                                       "in_registry": None})

    for name, etype in named:
        if len(name) > 1:
            e = entry(canonical_name(name, people) if etype == "PER" else name, etype)
            e["mentions"] += 1
            e["surfaces"].append(name)
    for q in speakers:
        sp = q.speaker
        e = entry(sp.name, sp.entity_type)
        if _TYPE_RANK.get(sp.entity_type, 9) < _TYPE_RANK.get(e["entity_type"], 9):
            e["entity_type"] = sp.entity_type  # a name is a person when any mention of it is one
        e["quoted_in_comments" if q.in_comments else "quoted"] += 1
        if sp.role:
            e["roles"].append(sp.role)
        surface = surface_name(sp.mention, sp.name)
        if surface:
            e["surfaces"].append(surface)
    for c in result.citations:
        e = entry(c.source, "ORG")
        e["cited"] += 1
        e["surfaces"].append(c.mention)
        e["in_registry"] = c.in_registry if e["in_registry"] is None else e["in_registry"] or c.in_registry
    out = []
    for e in found.values():
        e["roles"] = sorted(set(e["roles"]))
        e["surfaces"] = sorted(set(e["surfaces"]))
        out.append(Mention(mention_id=short_hash(result.doc_id, e["name"]), **e))
    return out
