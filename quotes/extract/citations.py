"""Which outlets an article cites as its sources, and how: a credit line, a reporting clause
or an 'according to' phrase.

A citation starts from an outlet mention found by the registry; the words around it (the
frames in ``quotes/data/<lang>/citations.json``) decide its kind. A bare mention in the body
still counts as a report (in a caption, as the photo credit), unless its alias is also a
common word ("Welt", "Bild", "X"), which only a frame can turn into a source.

Sources the registry does not know are found the other way round: a run of capitalised words
inside a reporting or according-to frame that looks like an outlet or agency ("berichtete die
Jakarta Post", "laut Bernama", "ifølge NTB"; the ``discovery`` section of the same file says
what looks like one) becomes a citation with ``in_registry`` false, under the name as written.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from quotes.extract.outlets import OutletRegistry
from quotes.lexicon import load_data
from quotes.records import Citation, CitationKind, Segment

if TYPE_CHECKING:
    from quotes.parse.parser import ParsedDocument

# How far a frame may reach from the mention, within its line.
WINDOW = 160
# Text that is not the article's own sourcing: the outlet's boilerplate, links elsewhere.
SKIPPED_SEGMENTS = {"boilerplate", "related"}

_MACRO = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class _Frame:
    kind: CitationKind
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None


def _expand(pattern: str, macros: dict[str, str]) -> str:
    # Only known names are replaced, so regex counts like {0,2} stay as they are.
    return _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), pattern)


@cache
def _frames(lang: str) -> list[_Frame]:
    data = load_data("citations", lang)
    macros: dict[str, str] = {}
    for name, body in data.get("macros", {}).items():
        macros[name] = _expand(body, macros)

    def compiled(key: str, frame: dict) -> re.Pattern[str] | None:
        return re.compile(_expand(frame[key], macros), re.IGNORECASE) if key in frame else None

    return [_Frame(f["kind"], compiled("before", f), compiled("after", f)) for f in data["frames"]]


def _frame_kind(text: str, start: int, end: int, frames: list[_Frame]) -> CitationKind | None:
    """The kind of the first frame that fits the words on the mention's line around it."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[max(line_start, start - WINDOW) : start]
    after = text[end : min(len(text) if line_end < 0 else line_end, end + WINDOW)]
    for frame in frames:
        if frame.before and not frame.before.search(before):
            continue
        if frame.after and not frame.after.match(after):
            continue
        return frame.kind
    return None


def _is_compound_modifier(text: str, end: int) -> bool:
    """'ARD-Fernsehserie', 'ZDF-Vorabendserie': as the first part of a compound the outlet
    describes the thing, it is not the source of the sentence."""
    return text[end : end + 1] in ("-", "‐") and text[end + 1 : end + 2].isalpha()


def _bare_kind(text: str, start: int, end: int, where: str, bare_ok: set[tuple[int, int]]) -> CitationKind | None:
    """A mention with no frame: in a caption it is the photo credit ('Reuters/Scanpix'), in the
    body a report; elsewhere, for common-word aliases, or inside a compound it is no citation."""
    if (start, end) not in bare_ok or _is_compound_modifier(text, end):
        return None
    return {"caption": "credit", "body": "report"}.get(where)


def _segment_kind(segments: list[Segment], starts: list[int], pos: int) -> str:
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and segments[i].start <= pos < segments[i].end:
        return segments[i].kind
    return "body"


def extract_citations(
    text: str,
    segments: list[Segment],
    lang: str,
    registry: OutletRegistry,
    own_outlet: str | None,
    parsed: "ParsedDocument | None" = None,
) -> list[Citation]:
    """Citations of registry outlets in ``text``, in text order, one per mention span.

    Mentions of ``own_outlet`` are skipped (naming yourself is not sourcing), and so is
    everything in boilerplate and related-link segments.
    """
    frames = _frames(lang)
    own = (registry.canonical(own_outlet) or own_outlet) if own_outlet else None
    segments = sorted(segments, key=lambda s: s.start)
    starts = [s.start for s in segments]
    bare_ok = {(m.start, m.end) for m in registry.find_mentions(text, include_framed=False)}
    mentions = registry.find_mentions(text)
    citations = []
    for start, end, source in mentions:
        where = _segment_kind(segments, starts, start)
        if source == own or where in SKIPPED_SEGMENTS:
            continue
        kind = _frame_kind(text, start, end, frames) or _bare_kind(text, start, end, where, bare_ok)
        if kind is None:
            continue
        citations.append(
            Citation(
                start=start,
                end=end,
                source=source,
                mention=text[start:end],
                kind=kind,
                in_comments=where == "comments",
            )
        )
    taken = [(m.start, m.end) for m in mentions]  # the citations' spans are among them
    found = discover_sources(text, segments, lang, taken, own, parsed)
    return sorted(citations + found, key=lambda c: (c.start, c.end))


# --- sources the registry does not know ----------------------------------------------------------


@dataclass(frozen=True)
class _Discovery:
    frames: list[_Frame]
    candidate: re.Pattern[str]
    leading: frozenset[str]
    media_words: frozenset[str]
    not_sources: frozenset[str]
    medium_before: re.Pattern[str] | None
    medium_lead: re.Pattern[str] | None


@cache
def _discovery(lang: str) -> _Discovery | None:
    data = load_data("citations", lang)
    d = data.get("discovery")
    if not d:
        return None
    kinds = set(d.get("kinds", ["according_to", "report"]))
    frames = [f for f in _frames(lang) if f.kind in kinds]
    cap = r"[A-ZÄÖÜÆØÅ][\w&.'’-]*"
    connectors = "|".join(re.escape(c) for c in d.get("connectors", []))
    link = rf"\s+(?:(?:{connectors})\s+)?" if connectors else r"\s+"
    candidate = re.compile(rf"(?<![\w-]){cap}(?:{link}{cap})*")
    macros: dict[str, str] = {}
    for name, body in data.get("macros", {}).items():
        macros[name] = _expand(body, macros)
    medium = re.compile(_expand("{medium}{det}?{open}$", macros), re.IGNORECASE) if "medium" in macros else None
    lead = re.compile(_expand("^{medium}", macros)) if "medium" in macros else None
    return _Discovery(frames, candidate, frozenset(w.lower() for w in d.get("leading_words", [])),
                      frozenset(d.get("media_words", [])), frozenset(d.get("not_sources", [])), medium, lead)


def _trim(text: str, start: int, end: int, leading: frozenset[str],
          medium: re.Pattern[str] | None = None) -> tuple[int, int]:
    """The candidate without leading determiners or medium nouns ('Nachrichtenagentur Antara': the
    capitalised noun is not part of the name) and without trailing punctuation."""
    while True:
        word = re.match(r"\S+\s+", text[start:end])
        if word and (word.group().strip().lower() in leading or (medium and medium.match(word.group()))):
            start += word.end()
            continue
        break
    while end > start and text[end - 1] in ".,'’-":
        end -= 1
    return start, end


def _person_words(parsed) -> set[str]:
    if parsed is None:
        return set()
    return {w for s, e, t in parsed.entities if t == "PER" for w in parsed.text[s:e].split()}


def _org_tagged(parsed, start: int, end: int) -> bool:
    """Every word of the span a proper noun, and the parse's named entities there an organisation
    (or miscellaneous), not a person or place ('laut Bernama', not 'laut Peskow' or 'laut Moskau')."""
    if parsed is None:
        return False
    tags = {t for s, e, t in parsed.entities if s < end and start < e}
    if not tags or tags - {"ORG", "GPE_ORG", "MISC"}:
        return False
    inside = [w for sent in parsed.sentences if sent.start <= start < sent.end for w in sent.words
              if start <= w.start < end]
    return bool(inside) and all(w.upos == "PROPN" for w in inside)


def outlet_like(name: str, before: str, d: _Discovery, parsed=None, start: int = 0, end: int = 0,
                people: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a framed name looks like an outlet or agency (see the module doc): a medium noun
    before it or a media word in it says so; an acronym or the parse's organisation tag does
    unless a word of it names a person in the document."""
    if name in d.not_sources:
        return False
    if d.medium_before is not None and d.medium_before.search(before):
        return True
    if any(w.strip(".,'’") in d.media_words for w in name.split()):
        return True
    if any(w in people for w in name.split()):
        return False
    letters = re.sub(r"[^A-Za-zÄÖÜÆØÅäöüæøå]", "", name)
    if " " not in name and 2 <= len(letters) <= 6 and letters.isupper():
        return True
    return _org_tagged(parsed, start, end)


def discover_sources(text: str, segments: list[Segment], lang: str, taken: list[tuple[int, int]],
                     own: str | None, parsed=None) -> list[Citation]:
    """Citations of sources the registry does not know: framed, outlet-like names (``in_registry``
    false), one per mention, none overlapping ``taken`` (the registry's mentions)."""
    d = _discovery(lang)
    if d is None:
        return []
    segments = sorted(segments, key=lambda s: s.start)
    starts = [s.start for s in segments]
    people = _person_words(parsed)
    out = []
    for m in d.candidate.finditer(text):
        start, end = _trim(text, m.start(), m.end(), d.leading, d.medium_lead)
        name = text[start:end]
        if end - start < 2 or any(a < end and start < b for a, b in taken):
            continue
        where = _segment_kind(segments, starts, start)
        if where in SKIPPED_SEGMENTS or (own and name.lower() == own.lower()):
            continue
        kind = _frame_kind(text, start, end, d.frames)
        line_start = text.rfind("\n", 0, start) + 1
        before = text[max(line_start, start - WINDOW):start]
        if kind is None or not outlet_like(name, before, d, parsed, start, end, people):
            continue
        out.append(Citation(start=start, end=end, source=name, mention=name, kind=kind,
                            in_comments=where == "comments", in_registry=False))
    return out
