"""Which outlets an article cites as its sources, and how: a credit line, a reporting clause
or an 'according to' phrase.

A citation starts from an outlet mention found by the registry; the words around it (the
frames in ``quotes/data/<lang>/citations.json``) decide its kind. A bare mention in the body
still counts as a report (in a caption, as the photo credit), unless its alias is also a
common word ("Welt", "Bild", "X"), which only a frame can turn into a source.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from quotes.lexicon import load_data
from quotes.outlets import OutletRegistry
from quotes.records import Citation, CitationKind, Segment

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
    citations = []
    for start, end, source in registry.find_mentions(text):
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
    return citations
