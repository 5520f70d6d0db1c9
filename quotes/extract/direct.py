"""Direct speech: a span in quotation marks and who speaks it.

The marks are found by ``quotation_marks``; here a quoted span becomes a candidate with its cue
and speaker: a cue in the sentence around it, a colon introducer before it ("BKA-Präsident
Ziercke: „…“"), or the subject of the sentence it stands in."""

from __future__ import annotations

from quotes.extract.candidate import Candidate
from quotes.extract.cues import CueLexicon, CueMatch
from quotes.extract.quotation_marks import QuotedSpan
from quotes.extract.speakers import Mention, clause_subject, mention_from_words, speaker_of_cue, subject_before_quote
from quotes.parse.parser import ParsedDocument, Sentence


def colon_introducer(text: str, doc: ParsedDocument, quoted: QuotedSpan, first: Sentence,
                     lex: CueLexicon) -> Mention | None:
    """"BKA-Präsident Ziercke: „…“", "Seine Meinung zu Kirchhof: „…“" — a colon right before the
    marks hands the quote to what introduces it: a short verbless phrase is the speaker itself, a
    clause ("Er glaubt weiterhin, dass …: „…“") gives its subject."""
    lead = text[first.start:quoted.start]
    if lead.strip():
        intro, colon_at = first, first.start + len(lead.rstrip())
    else:
        prev = doc.sentence_before(first.index)
        if prev is None:
            return None
        intro, colon_at = prev, prev.start + len(text[prev.start:prev.end].rstrip())
    if text[colon_at - 1:colon_at] != ":" or "\n\n" in text[colon_at:quoted.start]:
        return None
    words = [w for w in intro.words if w.end < colon_at]
    content = [w for w in words if w.upos != "PUNCT"]
    if not content:
        return None
    if not any(w.upos in ("VERB", "AUX") for w in content):
        heads = [w for w in content if w.upos in ("NOUN", "PROPN", "X")]
        if not heads or len(content) > 12 or content[0].upos in ("ADP", "SCONJ") or (
                content[0].upos == "ADV" and content[0].surface.islower()):
            return None
        while words and words[0].upos == "PUNCT":
            words = words[1:]
        return mention_from_words(text, intro, words, heads[0], lex)
    return clause_subject(text, intro, lex, (colon_at, intro.end))


def direct_quote(text: str, doc: ParsedDocument, quoted: QuotedSpan, sentences: list[Sentence],
                 cues_by_sentence: dict[int, list[CueMatch]], lex: CueLexicon) -> Candidate:
    """A quoted span and its cue: the nearest cue outside the marks in the sentences it touches,
    else a colon-introduced cue in the sentence before ("…teilten mit: „…“")."""
    best: tuple[int, CueMatch, Sentence] | None = None
    for s in sentences:
        for cue in cues_by_sentence.get(s.index, []):
            if quoted.start <= cue.anchor.start < quoted.end:
                continue
            dist = min(abs(cue.start - quoted.end), abs(quoted.start - cue.end))
            if best is None or dist < best[0]:
                best = (dist, cue, s)
    if best is None and sentences:
        first = sentences[0]
        prev = doc.sentence_before(first.index)
        colon = text[first.start:quoted.start].strip()
        if colon.endswith(":") and first.start < quoted.start:
            for cue in cues_by_sentence.get(first.index, []):
                best = (0, cue, first)
        elif prev is not None and text[prev.start:prev.end].rstrip().endswith(":"):
            for cue in cues_by_sentence.get(prev.index, []):
                best = (0, cue, prev)
    if best is not None:
        _, cue, s = best
        speaker = speaker_of_cue(text, s, cue, lex, excluded=[(quoted.start, quoted.end)])
        conf = 0.9 if speaker else 0.7
        return Candidate(quoted.start, quoted.end, "direct", s.index, cue, speaker, conf,
                         "dash" if quoted.dash else "marks")
    if sentences:
        speaker = colon_introducer(text, doc, quoted, sentences[0], lex)
        if speaker is not None:
            return Candidate(quoted.start, quoted.end, "direct", sentences[0].index, None, speaker, 0.75, "colon")
    s = sentences[0] if sentences else None
    # "Peskow rechne mit „guten … Verhandlungen“": the clause's subject speaks the partial quote.
    speaker = None
    if s is not None:
        span = (quoted.start, quoted.end)
        speaker = clause_subject(text, s, lex, span) or subject_before_quote(text, s, span, lex)
    return Candidate(quoted.start, quoted.end, "direct", s.index if s else -1, None, speaker,
                     0.6 if speaker else 0.45, "marks-nocue")
