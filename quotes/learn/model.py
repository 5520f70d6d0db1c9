"""The learned attribution layer: the tagger (quotes/learn/tagger.py) applied to a parsed document.

The rules propose candidates and stay the fallback; the tagger, reading the e5 states of the
document's sentences and the rules' candidates among its inputs, decides what is quoted:

1. its quote runs are the document's quotes; a rule candidate the tagger's run matches (at the
   scorer's Jaccard of 0.5) stands for that run with its own span, cue and speaker, which the
   rules read from the parse; rule candidates no run matches are dropped;
2. a run no rule proposed becomes a candidate of its own: its kind from the tagger's type, its
   speaker the tagger's speaker run nearest to it (in its sentences, else a neighbouring one),
   made a mention from the parse's words; resolution (quotes/resolve/speakers.py) then names it;
3. direct words in marks inside a kept quote, which the rules found, are its nested direct spans
   (one record per mixed quote, as the rules keep it).

A language's documents go through the model trained on the language quotes/data/languages.json
names for it (``attribution_model``); elsewhere the rules run alone. Nothing trained is committed:
``quotes train`` writes the model into the ``models_dir`` setting with its card.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from functools import lru_cache
from pathlib import Path

from quotes.extract.candidate import Candidate
from quotes.extract.cues import cue_lexicon, has_negated_speech
from quotes.extract.speakers import Mention, mention_from_words
from quotes.learn.tagger import (
    TYPE_KIND,
    Decoding,
    Tags,
    nearest_speaker,
    network,
    quote_runs,
    quote_type,
    speaker_runs,
    tag,
)
from quotes.learn.tokens import DocumentTokens, document_tokens
from quotes.parse.parser import ParsedDocument

log = logging.getLogger(__name__)

MODEL_NAME = "attribution"
MODEL_FILE = "tagger.pt"
CARD_FILE = "card.json"
FORMAT = 2


def _chars(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if not text[i].isspace()}


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class AttributionModel:
    """A trained tagger, how its tags are decoded, and its card (``meta``)."""

    def __init__(self, net, decoding: Decoding, meta: dict, digest: str = ""):
        self.net = net
        self.decoding = decoding
        self.meta = meta
        self.digest = digest

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.meta.get("languages") or [self.meta.get("training_data", {}).get("language", "de")])

    def applies_to(self, language: str | None) -> bool:
        """Whether documents in ``language`` go through this model: the language is mapped to the
        model's training language in quotes/data/languages.json (``attribution_model``), or named in
        the measurement override ``QUOTES_MODEL_LANGUAGES``."""
        import os

        from quotes.lexicon import load_data

        override = os.environ.get("QUOTES_MODEL_LANGUAGES")
        if override:
            return language in {code.strip() for code in override.split(",")}
        return load_data("languages").get("attribution_model", {}).get(language) in self.languages

    def tags(self, tokens: DocumentTokens) -> Tags:
        return tag(self.net, tokens.states, tokens.facts)

    def apply(self, doc: ParsedDocument, candidates: list[Candidate], regions: list[tuple[int, int]],
              encoded: dict) -> list[Candidate]:
        """The document's candidates as the tagger decides them (see the module doc)."""
        tokens = document_tokens(doc, encoded, candidates, regions)
        if not len(tokens):
            return candidates
        return decide(doc, candidates, tokens, self.tags(tokens), self.decoding)

    def save(self, folder: Path) -> Path:
        import torch

        from quotes.files import write_file

        folder.mkdir(parents=True, exist_ok=True)
        path = folder / MODEL_FILE
        data = {"format": FORMAT, "state": self.net.state_dict(), "decoding": self.decoding.__dict__,
                "meta": self.meta}
        write_file(path, lambda f: torch.save(data, f), what="the trained model")
        self.digest = file_digest(path)
        return path


def decide(doc: ParsedDocument, candidates: list[Candidate], tokens: DocumentTokens, tags: Tags,
           decoding: Decoding) -> list[Candidate]:
    text = doc.text
    rules = [(c, _chars(text, c.start, c.end)) for c in candidates]
    speakers = speaker_runs(tags)
    taken: set[int] = set()
    out: list[Candidate] = []
    for run in quote_runs(tags, decoding):
        start, end = int(tokens.spans[run[0], 0]), int(tokens.spans[run[1], 1])
        chars = _chars(text, start, end)
        best = max(((i, _jaccard(chars, cc)) for i, (c, cc) in enumerate(rules) if i not in taken),
                   key=lambda x: x[1], default=(None, 0.0))
        if best[0] is not None and best[1] >= 0.5:
            taken.add(best[0])
            out.append(candidates[best[0]])
            continue
        sentence = int(tokens.sentence[run[0]])
        if has_negated_speech(doc.sentences[sentence], cue_lexicon(doc.language)):
            continue  # "Peskow sagte nicht, wer … sei" reports nothing (the rules drop it too)
        confidence = float((tags.quote[run[0]:run[1] + 1, 1:]).sum(1).mean())
        speaker = _speaker_mention(doc, tokens, nearest_speaker(run, speakers, tokens.sentence))
        out.append(Candidate(start, end, TYPE_KIND[quote_type(tags, run)], sentence, None, speaker,
                             round(min(0.9, confidence), 2), "tagger"))
    _nest_direct_words(out, candidates)
    return sorted(out, key=lambda c: (c.start, -c.end))


def _nest_direct_words(quotes: list[Candidate], candidates: list[Candidate]) -> None:
    """The direct words in marks the rules found (direct quotes, and the nested spans of their mixed
    quotes) inside a quote the tagger keeps become that quote's nested spans: a mixed quote, one record."""
    direct = [(d.start, d.end, d.speaker) for d in candidates if d.kind == "direct"]
    direct += [(a, b, c.speaker) for c in candidates for a, b in c.nested]
    for q in quotes:
        if q.kind == "direct":
            continue
        inner = sorted({(a, b) for a, b, _ in direct if q.start <= a and b <= q.end and (a, b) != (q.start, q.end)})
        if inner:
            q.kind = "mixed"
            q.nested = inner
            if q.speaker is None:
                q.speaker = next((copy.copy(sp) for a, b, sp in direct if (a, b) in inner and sp is not None), None)


def _speaker_mention(doc: ParsedDocument, tokens: DocumentTokens, run: tuple[int, int] | None) -> Mention | None:
    """The parse's words under a speaker run, as a mention (its head: the word whose head lies outside)."""
    if run is None:
        return None
    start, end = int(tokens.spans[run[0], 0]), int(tokens.spans[run[1], 1])
    sentence = doc.sentences[int(tokens.sentence[run[0]])]
    words = [w for w in sentence.words if w.start < end and start < w.end]
    if not words:
        return None
    inside = {w.index for w in words}
    head = next((w for w in words if w.head not in inside and w.upos in ("PROPN", "NOUN", "PRON", "X")),
                next((w for w in words if w.upos in ("PROPN", "NOUN", "PRON")), words[0]))
    return mention_from_words(doc.text, sentence, words, head, cue_lexicon(doc.language))


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
    import torch

    data = torch.load(path, map_location="cpu", weights_only=True)
    if data.get("format") != FORMAT:
        return None
    net = network()
    net.load_state_dict(data["state"])
    net.eval()
    return AttributionModel(net, Decoding(**data["decoding"]), data["meta"], file_digest(Path(path)))


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
    except Exception as exc:  # noqa: BLE001 - an unreadable model (another torch, a torn file): the rules run
        log.warning("the trained model in %s cannot be loaded (%s: %s); running the rules alone",
                    model_folder(), type(exc).__name__, exc)
        return None


def write_card(folder: Path, card: dict) -> Path:
    from quotes.files import write_file

    return write_file(folder / CARD_FILE, json.dumps(card, indent=2, ensure_ascii=False) + "\n",
                      what="the model card")
