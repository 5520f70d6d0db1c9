"""Speaker names a user can read: what is not a name, per language (``quotes/data/<lang>/names.json``).

A speaker's ``name`` must be a name or a noun phrase in its base form. It is *not a name* when,
lower-cased:

- it is a single word in the language's ``pronouns``, ``articles`` or ``adverbs`` ("er", "die",
  "Danach"): reason ``pronoun``, ``article`` or ``adverb``;
- its first word is an oblique-case determiner (``oblique_openers``: "einer Pressemitteilung des
  Ministeriums", "aller Zeiten"), or a lower-case word with an oblique adjective ending
  (``oblique_adjective_endings``: "dringendem Tatverdacht"), or one of its words ends in a
  ``source_phrase_heads`` noun ("eigenen Angaben", "Ersten Erkenntnissen"): reason ``oblique``;
- in a language that capitalises its nouns, none of its words is capitalised: reason ``oblique``.

``quotes eval`` reports the share of emitted speaker names (quotes with a speaker whose name is
not empty) that are not names; a quote whose speaker could not be resolved to a name keeps its
mention and has an empty name (it is counted as unresolved, not as emitted).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from quotes.lexicon import load_data

_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


@dataclass(frozen=True)
class NameLexicon:
    pronouns: frozenset[str]
    articles: frozenset[str]
    adverbs: frozenset[str]
    oblique_openers: frozenset[str]
    oblique_adjective_endings: tuple[str, ...]
    source_phrase_heads: tuple[str, ...]
    nouns_capitalised: bool


@cache
def name_lexicon(lang: str | None) -> NameLexicon:
    """The language's name data; a language without it has nothing to rule out."""
    try:
        d = load_data("names", lang) if lang else {}
        cues = load_data("cues", lang) if lang else {}
    except FileNotFoundError:
        d, cues = {}, {}
    low = lambda xs: frozenset(x.lower() for x in xs)  # noqa: E731
    return NameLexicon(low(d.get("pronouns", [])), low(d.get("articles", [])), low(d.get("adverbs", [])),
                       low(d.get("oblique_openers", [])), tuple(d.get("oblique_adjective_endings", [])),
                       tuple(x.lower() for x in d.get("source_phrase_heads", [])),
                       bool(cues.get("nouns_capitalised", False)))


def non_name_reason(name: str | None, lang: str) -> str | None:
    """Why ``name`` is not a readable speaker name ('pronoun', 'article', 'adverb', 'oblique'), or None."""
    if not name or not name.strip():
        return None
    lex = name_lexicon(lang)
    low = name.strip().lower()
    words = _WORD.findall(low)
    if not words:
        return "oblique"
    if low in lex.pronouns or (len(words) == 1 and words[0] in lex.pronouns):
        return "pronoun"
    if len(words) == 1 and words[0] in lex.articles:
        return "article"
    if low in lex.adverbs or (len(words) == 1 and words[0] in lex.adverbs):
        return "adverb"
    first = name.strip().split()[0]
    if words[0] in lex.oblique_openers and len(words) > 1:
        return "oblique"
    if first.islower() and lex.oblique_adjective_endings and first.endswith(lex.oblique_adjective_endings) and len(words) > 1:
        return "oblique"
    if any(w.endswith(lex.source_phrase_heads) for w in words):
        return "oblique"
    if lex.nouns_capitalised and not any(w[:1].isupper() for w in _WORD.findall(name)):
        return "oblique"
    return None


@dataclass
class NameStats:
    """Emitted speaker names, and how many of them are not names (by reason)."""

    emitted: int = 0
    unresolved: int = 0
    reasons: Counter = field(default_factory=Counter)

    def add(self, quotes, lang: str) -> None:
        for q in quotes:
            if q.in_comments or q.speaker is None:
                continue
            if not q.speaker.name:
                self.unresolved += 1
                continue
            self.emitted += 1
            reason = non_name_reason(q.speaker.name, lang)
            if reason:
                self.reasons[reason] += 1

    @property
    def non_names(self) -> int:
        return sum(self.reasons.values())

    @property
    def share(self) -> float:
        return self.non_names / self.emitted if self.emitted else 0.0
