"""The learned attribution layer: three gradient-boosted classifiers over the rules' output.

1. **keep**: for each quote candidate the rules propose, whether it is a quote (drops what the
   rules over-generate: titles, scare quotes, clauses that only look like content);
2. **add**: for each sentence no rule quoted, whether it is a quote (speech reports, free
   indirect speech, continuations the rules miss); such a sentence becomes a quote of its own;
3. **speaker**: for each quote, a score for every mention that could speak it (the rule's choice,
   the noun phrases of its sentence and the sentence before, the speaker of the quote before); the
   best one replaces the rule's choice when it is clearly better, or fills in a missing speaker.

The thresholds (when to drop, add, replace) are chosen on a selection split, never on the
training articles. Resolution across the document (canonical names, pronouns) stays the rules'.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from quotes.extract.candidate import Candidate
from quotes.extract.cues import cue_lexicon
from quotes.extract.speakers import Mention
from quotes.learn.features import (
    DocView,
    candidate_features,
    option_features,
    sentence_features,
    sentence_spans,
    speaker_options,
)
from quotes.parse.parser import ParsedDocument, Sentence

log = logging.getLogger(__name__)

MODEL_NAME = "attribution"
MODEL_FILE = "attribution.joblib"
CARD_FILE = "card.json"
FORMAT = 1


@dataclass
class Thresholds:
    keep: float = 0.3  # a rule's candidate below this probability is dropped
    add: float = 0.6  # a sentence no rule quoted, at or above this, becomes a quote
    margin: float = 0.2  # another speaker replaces the rule's when its score is higher by this much
    fill: float = 0.3  # a quote with no speaker takes the best mention at or above this


@dataclass
class Scored:
    """One document's candidates with the model's scores; ``decide`` turns them into quotes."""

    candidates: list[Candidate]
    keep: list[float]
    extras: list[tuple[Candidate, float]]
    options: dict[int, list[tuple[Mention, float, bool]]] = field(default_factory=dict)  # id(candidate) → options


class AttributionModel:
    def __init__(self, parts: dict, thresholds: Thresholds, meta: dict, digest: str = ""):
        self.parts = parts  # name → (DictVectorizer, classifier)
        self.thresholds = thresholds
        self.meta = meta
        self.digest = digest

    # -- scoring -------------------------------------------------------------------------------
    def _proba(self, part: str, rows: list[dict]) -> list[float]:
        if not rows:
            return []
        vec, clf = self.parts[part]
        return [float(p) for p in clf.predict_proba(vec.transform(rows).toarray())[:, 1]]

    def score(self, doc: ParsedDocument, candidates: list[Candidate], regions: list[tuple[int, int]]) -> Scored:
        view = DocView(doc, cue_lexicon(doc.language))
        keep = self._proba("keep", [candidate_features(view, c, candidates) for c in candidates])
        extras = []
        covered, spans = free_spans(view, candidates, regions)
        probs = self._proba("add", [sentence_features(view, s, covered, span) for s, span in spans])
        best: dict[int, tuple] = {}
        for (s, span), p in zip(spans, probs):
            if s.index not in best or p > best[s.index][2]:
                best[s.index] = (s, span, p)
        for s, (_, (start, end)), p in best.values():
            if p >= min(self.thresholds.add, 0.3):
                cues = view.cues.get(s.index, [])
                kind = "reported" if cues and not _subjunctive(view, s) else "indirect"
                extras.append((Candidate(start, end, kind, s.index, cues[0] if cues else None, None, round(p, 2),
                                         "learned-sentence"), p))
        scored = Scored(candidates, keep, extras)
        rows, owners = [], []
        ordered = sorted(candidates + [c for c, _ in extras], key=lambda c: c.start)
        previous = None
        for c in ordered:
            opts = speaker_options(view, c, previous)
            for rank, (m, head, where) in enumerate(opts):
                rows.append(option_features(view, c, m, head, where, len(opts), rank))
                owners.append((c, m, where == "rule"))
            if c.speaker is not None:
                previous = c.speaker
        for (c, m, is_rule), p in zip(owners, self._proba("speaker", rows)):
            scored.options.setdefault(id(c), []).append((m, p, is_rule))
        return scored

    def decide(self, scored: Scored, th: Thresholds | None = None) -> list[Candidate]:
        """The candidates the model keeps and adds, each with its speaker; copies, so that ``scored``
        can be decided again under other thresholds."""
        th = th or self.thresholds
        out = [copy.copy(c) for c, p in zip(scored.candidates, scored.keep) if p >= th.keep]
        originals = [c for c, p in zip(scored.candidates, scored.keep) if p >= th.keep]
        for c, p in scored.extras:
            if p >= th.add:
                originals.append(c)
                out.append(copy.copy(c))
        for orig, c in zip(originals, out):
            opts = scored.options.get(id(orig), [])
            if not opts:
                continue
            best, p_best, best_is_rule = max(opts, key=lambda o: o[1])
            rule = next((o for o in opts if o[2]), None)
            if rule is None:
                if p_best >= th.fill:
                    c.speaker = copy.copy(best)
            elif not best_is_rule and p_best - rule[1] >= th.margin:
                c.speaker = copy.copy(best)
            else:
                c.speaker = copy.copy(c.speaker)
        return out

    def apply(self, doc: ParsedDocument, candidates: list[Candidate], regions: list[tuple[int, int]]) -> list[Candidate]:
        """The model's decision for a document in the language it was trained on; other languages keep
        the rules' candidates (measured on gold/nb: the German model cost 0.011 speaker accuracy there)."""
        if doc.language != self.meta.get("training_data", {}).get("language", doc.language):
            return candidates
        return self.decide(self.score(doc, candidates, regions))

    # -- files ---------------------------------------------------------------------------------
    def save(self, folder: Path) -> Path:
        import joblib

        folder.mkdir(parents=True, exist_ok=True)
        path = folder / MODEL_FILE
        tmp = path.with_suffix(".tmp")
        joblib.dump({"format": FORMAT, "parts": self.parts, "thresholds": self.thresholds.__dict__,
                     "meta": self.meta}, tmp, compress=3)
        tmp.replace(path)
        self.digest = file_digest(path)
        return path


def _subjunctive(view: DocView, s) -> bool:
    from quotes.extract.mood import subjunctive_grade

    return subjunctive_grade(s, view.lex) > 0


def covered_sentences(view: DocView, candidates: list[Candidate]) -> dict[int, str]:
    out: dict[int, str] = {}
    for c in candidates:
        for s in view.touching(c.start, c.end):
            out.setdefault(s.index, c.kind)
    return out


def free_spans(view: DocView, candidates: list[Candidate], regions: list[tuple[int, int]]
               ) -> tuple[dict[int, str], list[tuple[Sentence, tuple[str, tuple[int, int]]]]]:
    """The sentences the candidates cover (index → kind), and the spans that may be quotes in the
    sentences of ``regions`` no candidate touches: what the "add" model scores, in training and in use."""
    covered = covered_sentences(view, candidates)
    free = [s for s in view.doc.sentences if s.index not in covered and any(r0 <= s.start < r1 for r0, r1 in regions)]
    return covered, [(s, span) for s in free for span in sentence_spans(view, s)]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def model_folder() -> Path:
    from quotes.settings import get

    return Path(get("models_dir")).expanduser() / MODEL_NAME


def rules_only_setting() -> bool:
    from quotes.settings import get

    return str(get("rules_only") or "").strip().lower() in ("1", "true", "yes", "on")


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> AttributionModel | None:
    import joblib

    data = joblib.load(path)
    if data.get("format") != FORMAT:
        return None
    return AttributionModel(data["parts"], Thresholds(**data["thresholds"]), data["meta"], file_digest(Path(path)))


def load_model(folder: Path | None = None) -> AttributionModel | None:
    """The trained model in the models folder, or None when there is none (the rules run alone)."""
    path = (folder or model_folder()) / MODEL_FILE
    if not path.is_file():
        return None
    return _load(str(path), os.path.getmtime(path))


def active_model(rules_only: bool = False) -> AttributionModel | None:
    """The model the pipeline uses: none when asked for the rules alone (flag or setting)."""
    if rules_only or rules_only_setting():
        return None
    try:
        return load_model()
    except Exception as exc:  # noqa: BLE001 - an unreadable model (another scikit-learn, a torn file): the rules run
        log.warning("the trained model in %s cannot be loaded (%s: %s); running the rules alone",
                    model_folder(), type(exc).__name__, exc)
        return None


def write_card(folder: Path, card: dict) -> Path:
    path = folder / CARD_FILE
    path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
