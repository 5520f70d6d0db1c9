"""Which outlets an article names, and which outlet published it.

The outlets, their aliases, web domains and self-identifying boilerplate live in
``quotes/data/outlets.json``; this module only turns them into matchers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple
from urllib.parse import urlsplit

from quotes.lexicon import load_data
from quotes.records import Document, Outlet

# Letters spaced out one by one ("k y i v p o s t"), a trick to dodge keyword filters.
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:\w ){3,}\w(?!\w)")
# A genitive ending ("des ZDFs", "Aftenpostens") still names the outlet.
_WORD_END = r"(?=(?:s|['’]s)?(?!\w))"


class Mention(NamedTuple):
    start: int
    end: int
    canonical: str


class _Hit(NamedTuple):
    start: int
    end: int
    canonical: str
    framed_only: bool


@dataclass(frozen=True)
class OutletInfo:
    name: str
    kind: str
    country: str | None
    language: str | None
    aliases: tuple[str, ...]
    exact_aliases: tuple[str, ...]
    framed_aliases: tuple[str, ...]
    domains: tuple[str, ...]
    signatures: tuple[str, ...]


def _alternation(aliases: list[str], flags: int) -> re.Pattern[str] | None:
    """One whole-word regex; longer aliases first so 'RT DE' beats 'RT'."""
    if not aliases:
        return None
    body = "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body}){_WORD_END}", flags)


def _letters(alias: str) -> str:
    return re.sub(r"\W", "", alias).lower()


def _leftmost_longest(hits: list[_Hit]) -> list[_Hit]:
    """Resolve overlaps: of hits that overlap, keep the earliest, then the longest."""
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not chosen or hit.start >= chosen[-1].end:
            chosen.append(hit)
    return chosen


class OutletRegistry:
    """Outlets by canonical name, with matchers for their aliases, hosts and signatures."""

    def __init__(self, outlets: list[OutletInfo]):
        self.outlets = {o.name: o for o in outlets}
        self._names = {o.name.lower(): o.name for o in outlets}
        self._by_alias: dict[str, str] = {}
        self._exact: dict[str, str] = {}
        self._framed: dict[str, str] = {}
        self._despaced: dict[str, str] = {}
        for o in outlets:
            for alias in o.aliases:
                if len(alias) < 3:
                    # A two-letter alias matched in any case hits ordinary words ("ap", "vg").
                    raise ValueError(f"outlet '{o.name}': short alias '{alias}' belongs in exact_aliases")
                self._by_alias[alias.lower()] = o.name
                if len(_letters(alias)) >= 4:
                    self._despaced[_letters(alias)] = o.name
            self._exact.update({a: o.name for a in o.exact_aliases})
            self._framed.update({a: o.name for a in o.framed_aliases})
        self._any_case = _alternation(list(self._by_alias), re.IGNORECASE)
        self._exact_re = _alternation(list(self._exact), 0)
        self._framed_re = _alternation(list(self._framed), 0)

    @classmethod
    def from_data(cls) -> "OutletRegistry":
        entries = load_data("outlets")["outlets"]
        return cls([_outlet_info(e) for e in entries])

    def canonical(self, name: str) -> str | None:
        """The canonical name for a canonical name or alias, in any case."""
        name = name.strip()
        key = name.lower()
        return self._names.get(key) or self._by_alias.get(key) or self._exact.get(name) or self._framed.get(name)

    def find_mentions(self, text: str, *, include_framed: bool = True) -> list[Mention]:
        """Outlet mentions as (start, end, canonical), leftmost-longest, non-overlapping.

        ``include_framed=False`` leaves out aliases that are also common words ("Welt",
        "Bild", "X"): those name an outlet only inside a citation frame.
        """
        return [
            Mention(h.start, h.end, h.canonical)
            for h in self._hits(text)
            if include_framed or not h.framed_only
        ]

    def _hits(self, text: str) -> list[_Hit]:
        hits = [
            _Hit(m.start(), m.end(), self._by_alias[m.group().lower()], False)
            for m in self._any_case.finditer(text)
            if m.group().lower() in self._by_alias  # case folding can match beyond lower()
        ]
        for pattern, table, framed in ((self._exact_re, self._exact, False), (self._framed_re, self._framed, True)):
            if pattern is not None:
                hits += [_Hit(m.start(), m.end(), table[m.group()], framed) for m in pattern.finditer(text)]
        hits += self._spaced_hits(text)
        return _leftmost_longest(hits)

    def _spaced_hits(self, text: str) -> list[_Hit]:
        """Names spelled out letter by letter: the whole spaced run must spell an alias."""
        hits = []
        for m in _SPACED_LETTERS.finditer(text):
            name = self._despaced.get(m.group().replace(" ", "").lower())
            if name:
                hits.append(_Hit(m.start(), m.end(), name, False))
        return hits

    def outlet_for_host(self, host: str) -> str | None:
        """The outlet whose domain is ``host`` or a parent of it (de.rt.com → rt.com)."""
        host = host.lower().split(":")[0].removeprefix("www.")
        best: tuple[int, str] | None = None
        for o in self.outlets.values():
            for domain in o.domains:
                if (host == domain or host.endswith("." + domain)) and (best is None or len(domain) > best[0]):
                    best = (len(domain), o.name)
        return best[1] if best else None

    def find_signature(self, text: str) -> tuple[str, str] | None:
        """(outlet, matched text) for the first outlet whose self-describing boilerplate appears."""
        for o in self.outlets.values():
            for signature in o.signatures:
                flexible = r"\s+".join(re.escape(w) for w in signature.split())
                m = re.search(flexible, text, re.IGNORECASE)
                if m:
                    return o.name, m.group()
        return None


def _outlet_info(entry: dict) -> OutletInfo:
    return OutletInfo(
        name=entry["name"],
        kind=entry["kind"],
        country=entry.get("country"),
        language=entry.get("language"),
        **{
            key: tuple(entry.get(key, ()))
            for key in ("aliases", "exact_aliases", "framed_aliases", "domains", "signatures")
        },
    )


@cache
def load_registry() -> OutletRegistry:
    """The registry from ``quotes/data/outlets.json``, built once."""
    return OutletRegistry.from_data()


def detect_outlet(doc: Document, text: str, registry: OutletRegistry) -> Outlet | None:
    """The publishing outlet: input metadata, else the URL's host, else a self-signature."""
    if doc.outlet and doc.outlet.strip():
        return Outlet(name=registry.canonical(doc.outlet) or doc.outlet.strip(), evidence="metadata")
    host = urlsplit(doc.url).hostname if doc.url else None
    if host and (name := registry.outlet_for_host(host)):
        return Outlet(name=name, evidence=f"url:{host}")
    found = registry.find_signature(text)
    if found:
        return Outlet(name=found[0], evidence=f"signature:{found[1]}")
    return None
