"""Split an article into title, body and the text around it (boilerplate, related links,
captions, reader comments), so that later stages only attribute what the article says.

The signatures are regexes in ``quotes/data/<lang>/segments.json``. Each kind claims its
spans in a fixed order, earlier kinds winning, so the segments never overlap; the title is
looked for at the top of what is left, and everything else is body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from quotes.lexicon import load_data
from quotes.records import Segment

# The order in which kinds claim text: a credit line inside the comment section is part of
# a comment, and a boilerplate block is boilerplate wherever it stands.
CLAIM_ORDER = ("boilerplate", "comments", "related", "caption")

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    extent: str


@dataclass(frozen=True)
class _TitleShape:
    max_chars: int
    max_words: int
    final_punctuation: str


@cache
def _rules(lang: str) -> dict[str, list[_Rule]]:
    data = load_data("segments", lang)
    return {
        kind: [_Rule(re.compile(r["pattern"], re.MULTILINE), r["extent"]) for r in data.get(kind, [])]
        for kind in CLAIM_ORDER
    }


@cache
def _title_shape(lang: str) -> _TitleShape:
    t = load_data("segments", lang)["title"]
    return _TitleShape(t["max_chars"], t["max_words"], t["final_punctuation"])


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end


def _widen(text: str, match: re.Match[str], extent: str) -> tuple[int, int]:
    """The span a rule claims: its match widened to the line, paragraph or rest of text."""
    start, end = match.span()
    line_start, line_end = _line_bounds(text, start, end)
    if extent == "match":
        return start, end
    if extent == "line":
        return line_start, line_end
    if extent == "rest_of_line":
        return start, line_end
    if extent == "paragraph":
        blank = _BLANK_LINE.search(text, end)
        return line_start, blank.start() if blank else len(text)
    if extent == "rest_of_text":
        return start, len(text)
    raise ValueError(f"unknown extent '{extent}' in segments.json")


def _free_pieces(claimed: list[tuple[int, int, str]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) that no earlier span has claimed."""
    pieces, pos = [], start
    for s, e, _ in sorted(claimed):
        if e <= pos or s >= end:
            continue
        if s > pos:
            pieces.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_headline(line: str, shape: _TitleShape) -> bool:
    """A headline is short and does not end like a sentence or a clause."""
    return (
        len(line) <= shape.max_chars
        and len(line.split()) <= shape.max_words
        and line[-1] not in shape.final_punctuation
    )


def _title_spans(text: str, claimed: list[tuple[int, int, str]], shape: _TitleShape) -> list[tuple[int, int]]:
    """The headline: the first unclaimed line at the top if it is headline-shaped, plus the
    lines right after it that repeat it word for word (pages often print it twice)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        line_start, line_end = _line_bounds(text, pos, pos)
        pos = line_end + 1
        pieces = [_trim(text, s, e) for s, e in _free_pieces(claimed, line_start, line_end)]
        pieces = [(s, e) for s, e in pieces if e > s]
        if not pieces:
            continue
        if len(pieces) > 1:
            break
        s, e = pieces[0]
        if spans and text[s:e] != text[slice(*spans[0])]:
            break
        if not spans and not _is_headline(text[s:e], shape):
            break
        spans.append((s, e))
    return spans


def _runs(text: str, claimed: list[tuple[int, int, str]]) -> list[Segment]:
    """Claimed spans plus body for every gap, trimmed of whitespace and sorted."""
    spans = list(claimed) + [(s, e, "body") for s, e in _free_pieces(claimed, 0, len(text))]
    segments = []
    for s, e, kind in sorted(spans):
        s, e = _trim(text, s, e)
        if e > s:
            segments.append(Segment(start=s, end=e, kind=kind))
    return segments


def segment_document(text: str, lang: str) -> list[Segment]:
    """Non-overlapping, sorted segments covering every non-whitespace character of ``text``."""
    claimed: list[tuple[int, int, str]] = []
    for kind, rules in _rules(lang).items():
        for rule in rules:
            for match in rule.pattern.finditer(text):
                if match.end() > match.start():
                    span = _widen(text, match, rule.extent)
                    claimed += [(s, e, kind) for s, e in _free_pieces(claimed, *span)]
    claimed += [(s, e, "title") for s, e in _title_spans(text, claimed, _title_shape(lang))]
    return _runs(text, claimed)


def title_of(text: str, segments: list[Segment]) -> str | None:
    """The headline text: the first title segment, if there is one."""
    for seg in segments:
        if seg.kind == "title":
            return text[seg.start : seg.end]
    return None
