"""Features for the learned layer, read from the parse and the rules' output.

Every feature is a Universal Dependencies label or feature, a count, a distance, the name of the
rule that proposed something, or membership in a per-language word list from
``quotes/data/<lang>/cues.json`` (the speech-verb, report-verb, pronoun, role and organisation
classes). No feature names a word of any language, a document or a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from quotes.extract.candidate import Candidate, trim_span
from quotes.extract.cues import CueLexicon, CueMatch, find_cues
from quotes.extract.mood import subjunctive_grade
from quotes.extract.quotation_marks import CLOSERS, OPENERS
from quotes.extract.speakers import Mention, can_speak, mention_from_head
from quotes.parse.parser import ParsedDocument, Sentence, Word

_MARKS = set(OPENERS) | set(CLOSERS)
# words that are part of a noun phrase headed elsewhere: never a speaker option of their own
_INNER = {"flat", "compound", "det", "case", "amod", "fixed", "goeswith", "nummod", "punct", "cc", "mark", "aux",
          "cop", "advmod", "expl"}


def cue_class(cue: CueMatch | None, lex: CueLexicon) -> str:
    """The lexicon class of a cue: which per-language list it comes from."""
    if cue is None:
        return "none"
    lemma = cue.lemma.lower()
    if cue.agentless:
        return "agentless"
    if lemma in lex.according_before or lemma in lex.according_after or lemma in lex.source_prepositions:
        return "according"
    if lemma in lex.according_adverbs or lemma in lex.according_relative:
        return "according-proform"
    if len(cue.words) > 1 and " " in lemma:
        return "frame"
    if lemma in lex.report_verbs:
        return "report"
    if cue.weak or lemma in lex.weak_speech_verbs:
        return "weak"
    if lemma in lex.speech_verbs or lemma in lex.particle_verbs or any(lemma.endswith(p) for p in lex.particle_verbs):
        return "speech"
    if lemma.endswith(lex.speech_nouns):
        return "noun"
    return "other"


def _ner(w: Word) -> str:
    return w.ner.split("-")[-1] if w.ner != "O" else "O"


@dataclass
class DocView:
    """Per-document lookups the features share."""

    doc: ParsedDocument
    lex: CueLexicon

    def __post_init__(self) -> None:
        self.cues = {s.index: find_cues(s, self.lex) for s in self.doc.sentences}
        self.n = max(1, len(self.doc.sentences))

    def touching(self, start: int, end: int) -> list[Sentence]:
        return [s for s in self.doc.sentences if s.start < end and start < s.end]

    def words_in(self, start: int, end: int) -> list[Word]:
        return [w for s in self.touching(start, end) for w in s.words if start <= w.start < end]

    def paragraph_start(self, s: Sentence) -> bool:
        before = self.doc.sentence_before(s.index)
        return before is None or "\n" in self.doc.text[before.end:s.start]


def _span_features(view: DocView, start: int, end: int, prefix: str) -> dict:
    text, lex = view.doc.text, view.lex
    words = view.words_in(start, end)
    sents = view.touching(start, end)
    s = sents[0] if sents else None
    verbs = [w for w in words if w.upos in ("VERB", "AUX")]
    f = {
        f"{prefix}chars": end - start,
        f"{prefix}words": len(words),
        f"{prefix}sentences": len(sents),
        f"{prefix}subj": subjunctive_grade(s, lex, words) if s is not None else 0,
        f"{prefix}question": int(text[max(start, end - 2):end + 1].strip().endswith("?")),
        f"{prefix}marks": sum(1 for ch in text[start:end] if ch in _MARKS),
        f"{prefix}verbs": len(verbs),
        f"{prefix}finite_ind": sum(1 for w in verbs if w.feats.get("Mood") == "Ind"),
        f"{prefix}first_person": sum(1 for w in words if w.upos == "PRON" and w.surface.lower() in lex.first_person),
        f"{prefix}propn": sum(1 for w in words if w.upos == "PROPN"),
        f"{prefix}per": sum(1 for w in words if _ner(w) == "PER"),
        f"{prefix}digits": sum(1 for w in words if w.upos == "NUM"),
        f"{prefix}sconj_first": int(bool(words) and words[0].upos == "SCONJ"),
        f"{prefix}first_upos": words[0].upos if words else "none",
    }
    if s is not None:
        f[f"{prefix}cover"] = (end - start) / max(1, s.end - s.start)
        f[f"{prefix}at_start"] = int(start - s.start <= 2)
        f[f"{prefix}at_end"] = int(s.end - end <= 2)
        f[f"{prefix}doc_pos"] = s.index / view.n
        f[f"{prefix}par_start"] = int(view.paragraph_start(s))
    return f


def _cue_features(view: DocView, cue: CueMatch | None, prefix: str = "cue_") -> dict:
    f = {f"{prefix}class": cue_class(cue, view.lex)}
    if cue is not None:
        a = cue.anchor
        f[f"{prefix}deprel"] = a.base_deprel
        f[f"{prefix}upos"] = a.upos
        f[f"{prefix}words"] = len(cue.words)
        f[f"{prefix}weak"] = int(cue.weak)
        f[f"{prefix}mood"] = a.feats.get("Mood", "none")
        f[f"{prefix}verbform"] = a.feats.get("VerbForm", "none")
    return f


def candidate_features(view: DocView, c: Candidate, others: list[Candidate]) -> dict:
    """Whether a rule's quote candidate is a quote: what the rule was, and what the span looks like."""
    f = {"kind": c.kind, "pattern": c.pattern, "conf": c.confidence,
         "speaker": c.speaker.entity_type if c.speaker else "none",
         "speaker_can": int(bool(c.speaker) and can_speak(c.speaker, view.lex)),
         "overlaps": sum(1 for o in others if o is not c and o.start < c.end and c.start < o.end),
         "same_sentence": sum(1 for o in others if o is not c and o.sentence_index == c.sentence_index)}
    f.update(_span_features(view, c.start, c.end, "span_"))
    f.update(_cue_features(view, c.cue))
    prev_q = [o for o in others if o.end <= c.start]
    f["prev_gap"] = min((view.doc.text.count("\n", o.end, c.start) for o in prev_q), default=9)
    f["prev_kind"] = max(prev_q, key=lambda o: o.end).kind if prev_q else "none"
    return f


def sentence_span(view: DocView, s: Sentence) -> tuple[int, int]:
    return trim_span(view.doc.text, s.start, s.end, keep_final_punct=True)


def sentence_spans(view: DocView, s: Sentence) -> list[tuple[str, tuple[int, int]]]:
    """The spans of a sentence no rule quoted that may be a quote: all of it, what follows its first
    comma or colon, what precedes its last comma (a reporting clause cut off on either side)."""
    text = view.doc.text
    out = [("sentence", sentence_span(view, s))]
    commas = [w for w in s.words if w.surface in (",", ":")]
    if commas:
        first, last = commas[0], commas[-1]
        after = [w for w in s.words if w.index > first.index and w.upos != "PUNCT"]
        before = [w for w in s.words if w.index < last.index and w.upos != "PUNCT"]
        if len(after) >= 4:
            out.append(("after-comma", trim_span(text, first.end, s.end, keep_final_punct=True)))
        if len(before) >= 4:
            out.append(("before-comma", trim_span(text, s.start, last.start)))
    return out


def sentence_features(view: DocView, s: Sentence, covered: dict[int, str],
                      span: tuple[str, tuple[int, int]] | None = None) -> dict:
    """Whether (part of) a sentence no rule quoted is a quote: its cues, mood and neighbours."""
    lex = view.lex
    shape, (start, end) = span or ("sentence", sentence_span(view, s))
    f = _span_features(view, start, end, "s_")
    f["shape"] = shape
    outside = [w for w in s.words if not start <= w.start < end]
    f["outside_words"] = len(outside)
    f["outside_cue"] = int(any(c.anchor in outside for c in view.cues.get(s.index, [])))
    f["outside_subj"] = int(any(w.base_deprel == "nsubj" for w in outside))
    cues = view.cues.get(s.index, [])
    f["cues"] = len(cues)
    f.update(_cue_features(view, cues[0] if cues else None))
    f["cue_position"] = (cues[0].anchor.index / max(1, len(s.words))) if cues else -1
    classes = {cue_class(c, lex) for c in cues}
    for k in ("report", "speech", "weak", "frame", "noun", "agentless"):
        f[f"has_{k}"] = int(k in classes)
    root = next((w for w in s.words if w.deprel == "root"), None)
    f["root_upos"] = root.upos if root else "none"
    f["root_is_cue"] = int(any(c.anchor is root for c in cues))
    subj = [d for d in s.dependents(root, "nsubj", "nsubj:pass")] if root else []
    f["root_subj"] = subj[0].upos if subj else "none"
    f["root_subj_ner"] = _ner(subj[0]) if subj else "none"
    f["root_subj_role"] = int(bool(subj) and subj[0].surface.lower().endswith(lex.role_suffixes))
    f["root_subj_org"] = int(bool(subj) and any(o in subj[0].surface.lower() for o in lex.organisation_words))
    f["source_noun"] = int(any(w.lemma.lower().endswith(lex.source_nouns) for w in s.words if w.upos == "NOUN"))
    f["document_noun"] = int(any(w.lemma.lower().endswith(lex.document_nouns) for w in s.words if w.upos == "NOUN"))
    for d, name in ((-1, "prev"), (1, "next"), (-2, "prev2")):
        f[f"{name}_kind"] = covered.get(s.index + d, "none")
    f["gap_to_quote"] = min((abs(i - s.index) for i in covered), default=20)
    return f


def speaker_options(view: DocView, c: Candidate, previous: Mention | None) -> list[tuple[Mention, Word | None, str]]:
    """The mentions that could speak a quote: the rule's choice, the noun phrases of the quote's
    sentence and the sentence before (outside the quote), and the speaker of the quote before."""
    doc, lex = view.doc, view.lex
    text = doc.text
    out: list[tuple[Mention, Word | None, str]] = []
    seen: set[tuple[int, int]] = set()
    if c.speaker is not None:
        out.append((c.speaker, None, "rule"))
        seen.add((c.speaker.start, c.speaker.end))
    s = doc.sentences[c.sentence_index] if 0 <= c.sentence_index < len(doc.sentences) else None
    sources = []
    if s is not None:
        sources.append((s, "same"))
        before = doc.sentence_before(s.index)
        if before is not None:
            sources.append((before, "before"))
    for sent, where in sources:
        for w in sent.words:
            if w.upos not in ("PROPN", "NOUN", "PRON") or w.base_deprel in _INNER or c.start <= w.start < c.end:
                continue
            if w.upos == "PRON" and w.surface.lower() not in lex.pronouns and w.surface.lower() not in lex.plural_pronouns:
                continue
            m = mention_from_head(text, sent, w, lex, [(c.start, c.end)])
            if (m.start, m.end) in seen or c.start <= m.start < c.end:
                continue
            seen.add((m.start, m.end))
            out.append((m, w, where))
    if previous is not None and (previous.start, previous.end) not in seen:
        out.append((previous, None, "previous"))
    return out


def _head_of(view: DocView, m: Mention) -> Word | None:
    s = view.doc.sentences[m.sentence_index] if 0 <= m.sentence_index < len(view.doc.sentences) else None
    if s is None:
        return None
    inside = [w for w in s.words if m.start <= w.start < m.end]
    ids = {w.index for w in inside}
    tops = [w for w in inside if w.head not in ids]
    return tops[0] if tops else (inside[0] if inside else None)


def option_features(view: DocView, c: Candidate, m: Mention, head: Word | None, where: str,
                    n_options: int, rank: int) -> dict:
    lex = view.lex
    head = head or _head_of(view, m)
    f = {"where": where, "kind": c.kind, "pattern": c.pattern,
         "is_rule": int(c.speaker is not None and (m.start, m.end) == (c.speaker.start, c.speaker.end)),
         "has_rule": int(c.speaker is not None),
         "etype": m.entity_type, "named": int(bool(m.name)), "plural": int(m.plural),
         "can_speak": int(can_speak(m, lex)),
         "role": int(m.text.lower().endswith(lex.role_suffixes) or bool(m.role)),
         "org_word": int(any(o in m.text.lower() for o in lex.organisation_words)),
         "m_words": len(m.text.split()), "options": n_options, "rank": rank,
         "before_quote": int(m.end <= c.start), "after_quote": int(m.start >= c.end),
         "char_dist": (c.start - m.end) if m.end <= c.start else (m.start - c.end),
         "sent_dist": c.sentence_index - m.sentence_index,
         "inside_quote": int(c.start <= m.start < c.end)}
    f.update(_cue_features(view, c.cue))
    if head is not None:
        f.update({"upos": head.upos, "deprel": head.deprel, "ner": _ner(head), "case": head.feats.get("Case", "none"),
                  "number": head.feats.get("Number", "none"), "person": head.feats.get("Person", "none"),
                  "pronoun": int(head.surface.lower() in lex.pronouns or head.surface.lower() in lex.plural_pronouns),
                  "first_in_sentence": int(head.index <= 2)})
        s = view.doc.sentences[m.sentence_index]
        root = next((w for w in s.words if w.deprel == "root"), None)
        f["root_child"] = int(root is not None and head.head == root.index)
        if c.cue is not None and c.cue.anchor in s.words:
            a = c.cue.anchor
            f["cue_child"] = head.deprel if head.head == a.index else ("none" if head.head else "root")
            f["cue_parent"] = int(a.head == head.index)
            f["cue_dist"] = head.index - a.index
            f["agree_number"] = int(head.feats.get("Number") == a.feats.get("Number")) if a.feats.get("Number") else -1
            f["agree_person"] = int(head.feats.get("Person", "3") == a.feats.get("Person")) if a.feats.get("Person") else -1
            f["cue_sibling"] = int(head.head == a.head and head.head != 0)
    return f
