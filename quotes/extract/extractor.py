"""Compose the patterns over a parsed document: direct quotes, cue clauses, according-to frames,
speech reports, then free indirect continuation, then speaker resolution.

Order matters only for overlaps: a cue whose content is already a direct quote does not add an
indirect copy; an indirect clause that contains a direct quote is one "mixed" quote (the direct
words inside it are not a second record).
"""

from __future__ import annotations

from quotes.extract.according_to import according_to
from quotes.extract.candidate import Candidate, trim_span
from quotes.extract.cues import CueLexicon, CueMatch, cue_lexicon, find_cues, has_negated_speech
from quotes.extract.direct import direct_quote
from quotes.extract.indirect import (
    anaphoric_content,
    indirect_speech,
    noun_cue_clause,
    reported_speech,
    so_clause,
    wie_clause,
)
from quotes.extract.mood import subjunctive_grade, subordinate_report
from quotes.extract.quotation_marks import QuotedSpan, find_quoted_spans, looks_like_name
from quotes.extract.speakers import clause_subject, pro_form_mention
from quotes.parse.parser import ParsedDocument, Sentence


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _sentences_touching(doc: ParsedDocument, start: int, end: int) -> list[Sentence]:
    return [s for s in doc.sentences if s.start < end and start < s.end]


def _keep_quoted(text: str, q: QuotedSpan, touching: list[Sentence], cues: dict[int, list[CueMatch]]) -> bool:
    """Marks around a name or title are not speech; short spans need a cue in their sentence."""
    inner = text[q.inner[0]:q.inner[1]].strip()
    if not inner or (q.dash and len(inner.split()) < 3):
        return False
    has_cue = any(cues.get(s.index) for s in touching)
    if looks_like_name(inner):
        return False
    if len(inner.split()) < 3 and not has_cue:
        return False
    return True


def _is_title(text: str, doc: ParsedDocument, q: QuotedSpan, cand: Candidate) -> bool:
    """A capitalised, verbless phrase in marks is a name or a title ("„Nackt unter Wölfen“",
    "„Ärzte ohne Grenzen“") unless a cue stands in its sentence ("„Eins nach dem anderen“, sagte …",
    "sprach von „Wortbruch“")."""
    inner0, inner1 = q.inner
    inner = text[inner0:inner1].strip()
    if not inner[:1].isupper() or q.dash:
        return False
    words = [w for s in _sentences_touching(doc, inner0, inner1) for w in s.words if inner0 <= w.start < inner1]
    if any(w.upos in ("VERB", "AUX") for w in words) or len(inner.split()) > 12:
        return False
    return cand.cue is None


def _free_indirect(text: str, doc: ParsedDocument, found: list[Candidate], lex: CueLexicon,
                   cues: dict[int, list[CueMatch]]) -> list[Candidate]:
    """Konjunktiv sentences continue the reported speech of the quote before them.

    "Der Pressesprecher betonte, dass … sei. Daher plane Moskau, …" — the second sentence has no cue
    of its own, but its Konjunktiv I marks it as the speaker's words still. Konjunktiv I or a hearsay
    modal ("soll … haben") starts such a sentence on its own; Konjunktiv II ("wäre") only continues
    a chain, since it is also the plain conditional. The speaker is taken over when resolving.
    """
    by_sentence: dict[int, list[Candidate]] = {}
    for c in found:
        for s in _sentences_touching(doc, c.start, c.end):
            by_sentence.setdefault(s.index, []).append(c)
    out: list[Candidate] = []
    last: Candidate | None = None
    last_index = -10
    for s in doc.sentences:
        here = by_sentence.get(s.index)
        if here:
            last = max(here, key=lambda c: c.end)
            last_index = s.index
            continue
        if has_negated_speech(s, lex):
            continue  # negated speech: "Peskow sagte nicht, wer … sei" is no continuation
        grade = subjunctive_grade(s, lex)
        chained = last is not None and s.index - last_index == 1
        if grade == 2 or (grade == 1 and chained):
            start, end = trim_span(text, s.start, s.end, keep_final_punct=True)
            clause = subordinate_report(s, lex)
            if clause is not None:
                # only the subordinate clause is reported; the main clause's subject reports it
                start = clause.start
                out.append(Candidate(start, end, "indirect", s.index, None, clause_subject(text, s, lex, (start, end)),
                                     0.5, "free-indirect-clause"))
                last, last_index = out[-1], s.index
                continue
            if end - start < 15 or text[end - 1:end] == "?":
                continue
            prev = out[-1] if out else None
            if chained and prev is not None and last is prev and "\n" not in text[prev.end:start]:
                prev.end = end  # a run of Konjunktiv sentences is one continued quote
            else:
                # Not chained to a quote: the sentence before usually names who goes on speaking
                # ("Der Iran streitet dies ab. Sein Programm diene …").
                before = doc.sentence_before(s.index)
                speaker = None
                if not chained and before is not None and "\n\n" not in text[before.end:s.start]:
                    speaker = clause_subject(text, before, lex)
                out.append(Candidate(start, end, "indirect", s.index, None, speaker, 0.6 if chained else 0.5,
                                     "free-indirect"))
            last, last_index = out[-1], s.index
    return out


def extract_candidates(doc: ParsedDocument, regions: list[tuple[int, int]]) -> list[Candidate]:
    text = doc.text
    lex = cue_lexicon(doc.language)
    cues = {s.index: find_cues(s, lex) for s in doc.sentences}
    found: list[Candidate] = []

    # 1. quoted spans
    direct: list[Candidate] = []
    for q in find_quoted_spans(text, regions):
        touching = _sentences_touching(doc, q.start, q.end)
        if not touching or not _keep_quoted(text, q, touching, cues):
            continue
        if q.dash:
            cut = _cut_dash_line(text, q, touching, cues)
            if cut is None:
                continue
            # the turn's cue stands right after the cut ("…, sier pappa Tore"): its sentence stays
            touching = [s for s in touching if s.start < cut.end or any(
                cut.end <= c.start and text[cut.end:c.start].strip(" ,").count(" ") <= 3 for c in cues.get(s.index, []))]
            q = cut
        cand = direct_quote(text, doc, q, touching, cues, lex)
        if _is_title(text, doc, q, cand):
            continue
        direct.append(cand)
    direct_spans = [(c.start, c.end) for c in direct]
    found.extend(direct)

    # 2. cue clauses, according-to frames and speech reports, sentence by sentence
    cued = {i for i, c in cues.items() if c}
    for s in doc.sentences:
        if not any(r0 <= s.start < r1 for r0, r1 in regions):
            continue
        sentence_found: list[Candidate] = []
        for cue in cues[s.index]:
            if any(d0 <= cue.anchor.start < d1 for d0, d1 in direct_spans):
                continue
            cand = (wie_clause(text, s, cue, lex) or indirect_speech(text, s, cue, lex, direct_spans)
                    or anaphoric_content(text, doc.sentences[max(0, s.index - 3):s.index], s, cue, lex, cued))
            if cand is None:
                continue
            sentence_found.append(cand)
        so = so_clause(text, s, lex)
        if so is not None:
            sentence_found.append(so)
        sentence_found.extend(according_to(text, s, lex))
        sentence_found.extend(c for c in noun_cue_clause(text, s, lex)
                              if not any(_overlap((c.start, c.end), (k.start, k.end)) for k in sentence_found))
        if not sentence_found and not any(_overlap((s.start, s.end), d) for d in direct_spans):
            for cue in cues[s.index]:
                rep = reported_speech(text, s, cue, lex)
                if rep is not None:
                    sentence_found.append(rep)
                    break
        for cand in sentence_found:
            inside = [d for d in direct_spans if _overlap((cand.start, cand.end), d)]
            # A quote in marks without a cue of its own is spoken by the clause around it
            # ("Der Iran müsse „…“ beenden, so Rice"; "laut Klinikdirektor X „…“").
            for d in direct:
                if _overlap((d.start, d.end), (cand.start, cand.end)) and d.cue is None and cand.speaker:
                    d.speaker, d.cue, d.confidence = cand.speaker, cand.cue, max(d.confidence, cand.confidence)
            if inside and not any(ch.isalnum() for i, ch in enumerate(text[cand.start:cand.end], cand.start)
                                  if not any(d0 <= i < d1 for d0, d1 in inside)):
                continue  # the clause is the direct quote itself; else both stand, the quote nested
            if inside:
                cand.kind = "mixed"
            found.append(cand)
    found = _one_record_per_mixed_quote(_dedupe(found))
    for cand in found:
        if cand.pattern != "according-to-adverb" or cand.speaker is not None:
            continue
        before = doc.sentence_before(cand.sentence_index)
        if before is not None:
            # "demnach" is a pro-form for the source, and the adverb is the mention: the source the
            # sentence before reports from ("… laut dem Magazin Focus … Demnach …"), else that
            # sentence's subject ("Das Weiße Haus veröffentlichte ein Statement. Demnach sollen …")
            reported = next((c.speaker for c in found if c.sentence_index == before.index and c.speaker is not None
                             and c.speaker.entity_type != "PRON"), None)
            cand.speaker = pro_form_mention(cand.cue.anchor, reported or clause_subject(text, before, lex),
                                            cand.sentence_index)
    found.extend(_free_indirect(text, doc, found, lex, cues))
    found.sort(key=lambda c: (c.start, -c.end))
    _speaker_from_previous_sentence(text, doc, found, lex)
    return found


def _speaker_from_previous_sentence(text: str, doc: ParsedDocument, found: list[Candidate], lex: CueLexicon) -> None:
    """"Sadiq Khan verurteilte die Haltung der Regierung. „Diese Regierung hat …“" — a quote in marks
    with no cue and no speaker of its own, right after a sentence that reports nothing, is most
    likely spoken by that sentence's subject."""
    cited = {s.index for c in found for s in _sentences_touching(doc, c.start, c.end)}
    for cand in found:
        if cand.pattern != "marks-nocue" or cand.speaker is not None:
            continue
        before = doc.sentence_before(cand.sentence_index)
        if before is None or before.end > cand.start or before.index in cited:
            continue
        cand.speaker = clause_subject(text, before, lex)


def _cut_dash_line(text: str, q: QuotedSpan, touching: list[Sentence],
                   cues: dict[int, list[CueMatch]]) -> QuotedSpan | None:
    """"– Jeg er åpen, sier Putin." — a dash turn ends at the comma before its cue; without a cue a
    strong turn ends with its first sentence and a weak one is no quote."""
    for s in touching:
        for cue in cues.get(s.index, []):
            if q.start < cue.start < q.end:
                comma = text.rfind(",", q.start, cue.start)
                if comma > q.start and not text[comma:cue.start].strip(", ").count(" ") > 3:
                    return QuotedSpan(q.start, comma, dash=True)
    if q.weak:
        return None
    first = next((s for s in touching if s.end > q.start), None)
    if first is not None and first.end < q.end:
        return QuotedSpan(q.start, first.end, dash=True)
    return q


def _one_record_per_mixed_quote(found: list[Candidate]) -> list[Candidate]:
    """A mixed quote (an indirect clause that embeds direct words: "Diese seien „illegal“") is one
    record: the direct words inside it are kept as spans of that record (``nested``), not reported
    again on their own; their speaker serves the clause when it has none."""
    mixed = [c for c in found if c.kind == "mixed"]
    out = []
    for c in found:
        outer = next((m for m in mixed if c.kind == "direct" and m.start <= c.start and c.end <= m.end), None)
        if outer is None:
            out.append(c)
            continue
        outer.nested.append((c.start, c.end))
        if outer.speaker is None and c.speaker is not None:
            outer.speaker = c.speaker
    return out


def _dedupe(found: list[Candidate]) -> list[Candidate]:
    """Keep one candidate per stretch of text: the most confident, direct before the rest."""
    rank = {"direct": 3, "mixed": 2, "indirect": 1, "reported": 0}
    kept: list[Candidate] = []
    for c in sorted(found, key=lambda c: (-rank[c.kind], -c.confidence, c.start)):
        clash = False
        for k in kept:
            ov = _overlap((c.start, c.end), (k.start, k.end))
            if not ov:
                continue
            small = min(c.end - c.start, k.end - k.start)
            if k.kind == "direct" and c.kind == "mixed":
                continue
            if ov >= 0.6 * small:
                clash = True
                break
        if not clash:
            kept.append(c)
    return kept
