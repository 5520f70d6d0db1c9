"""Find quoted spans by their marks, in every style news text uses.

The idea: a mark opens a quote when it stands before a word (after a space or line start) and
closes it when it stands after a word; which closers may end it depends on the opener („…“ „…”
"…" “…” «…» »…« ‚…‘ ‹…›). Scraped text loses marks, so a closer with no opener in its paragraph
is recovered as a quote running from the paragraph start (seed 000: ``…liegt", hieß es.``), and a
paragraph that starts with a dialogue dash ("– Jeg er åpen, sier Putin.") is a quote too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS: dict[str, str] = {
    "„": "“”\"",
    "“": "”“\"",
    '"': '"“”',
    "«": "»",
    "»": "«",
    "‚": "‘’'",
    "‹": "›",
    "›": "‹",
}
CLOSERS = set("“”\"»«‘’›‹'")
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class QuotedSpan:
    start: int  # the opening mark (or the paragraph start when it was lost)
    end: int  # just after the closing mark
    recovered: bool = False  # the opening mark was missing
    dash: bool = False  # a dialogue-dash turn
    weak: bool = False  # a dash turn after a word, not a sentence end: kept only with a cue in it

    @property
    def inner(self) -> tuple[int, int]:
        return (self.start if self.recovered or self.dash else self.start + 1,
                self.end if self.dash else self.end - 1)


def _is_word_char(ch: str) -> bool:
    return bool(ch) and bool(_WORD.match(ch))


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not _is_word_char(before) and not after.isspace() and before not in "„“\"«»"


def _can_close(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not _is_word_char(after)


def _paragraphs(text: str, start: int, end: int):
    pos = start
    for m in re.finditer(r"\n", text[start:end]):
        yield pos, start + m.start()
        pos = start + m.end()
    yield pos, end


def quoted_spans_in_paragraph(text: str, start: int, end: int) -> list[QuotedSpan]:
    """Quoted spans inside one paragraph ``text[start:end]``, outermost only."""
    spans: list[QuotedSpan] = []
    i = start
    first_word = start
    while first_word < end and text[first_word].isspace():
        first_word += 1
    while i < end:
        ch = text[i]
        if ch in OPENERS and _can_open(text, i):
            closers = OPENERS[ch]
            j = i + 1
            while j < end:
                if text[j] in closers and _can_close(text, j) and j > i + 1:
                    break
                j += 1
            if j < end:
                spans.append(QuotedSpan(i, j + 1))
                i = j + 1
                continue
            i += 1
            continue
        if ch in CLOSERS and _can_close(text, i) and not spans and i - first_word > 20 and ch not in "'’":
            # A closer with no opener before it in the paragraph: the opening mark was lost.
            spans.append(QuotedSpan(first_word, i + 1, recovered=True))
        i += 1
    turns = [t for t in dash_turns(text, first_word, end)
             if not any(t.start < s.end and s.start < t.end and not (t.start <= s.start and s.end <= t.end)
                        for s in spans)]
    return sorted(spans + turns, key=lambda s: s.start)


_TURN = re.compile(r"(?:^|(?<=[.!?»«\"“”:])\s|(?<=\w)\s)([-–—]) (?=[A-ZÆØÅÄÖÜ«„\"])")


def dash_turns(text: str, start: int, end: int) -> list[QuotedSpan]:
    """Dialogue turns opened by a dash: "- Vi er innstilt på …, sa ambassadøren." Each runs to the
    next turn or the paragraph end; the extractor cuts it at the comma before its cue. A dash at the
    paragraph start or after a sentence end is a strong opener; one after a word ("fulgte opp - Som
    …") is weak and needs a cue inside it."""
    para = text[start:end]
    opens = []
    for m in _TURN.finditer(para):
        pos = m.start(1)
        before = para[:pos].rstrip()
        strong = not before or before[-1] in ".!?»«\"“”:"
        opens.append((start + pos, strong))
    spans = []
    for k, (pos, strong) in enumerate(opens):
        stop = opens[k + 1][0] if k + 1 < len(opens) else end
        while stop > pos and text[stop - 1].isspace():
            stop -= 1
        if stop - pos > 4:
            spans.append(QuotedSpan(pos + 2, stop, dash=True, weak=not strong))
    return spans


def find_quoted_spans(text: str, regions: list[tuple[int, int]]) -> list[QuotedSpan]:
    """All quoted spans of ``text`` inside ``regions`` (the parts that are article text)."""
    out: list[QuotedSpan] = []
    for r_start, r_end in regions:
        for p_start, p_end in _paragraphs(text, r_start, r_end):
            out.extend(quoted_spans_in_paragraph(text, p_start, p_end))
    return out


def looks_like_name(inner: str) -> bool:
    """A quoted name or title, not speech: a few words, all capitalised, no sentence punctuation.

    ``des "Audiovisuellen Mediendienst-Gesetzes"``, ``"Wostotschny"``.
    """
    words = inner.split()
    if not words or len(words) > 5:
        return False
    if re.search(r"[.!?,;:]\s*$", inner) or re.search(r"[.!?]\s", inner):
        return False
    return all(w[0].isupper() or w[0].isdigit() or not w[0].isalpha() for w in words if w)
