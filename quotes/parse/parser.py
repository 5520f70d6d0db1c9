"""Parse documents with stanza into a small, offset-exact structure the extraction rules read.

Why a structure of our own: stanza's German MWT can expand a capitalised token into words that are
not in the text ("Kim" -> "Kin dem"), so every word's surface is taken from the original string by
its token's character span, never from ``word.text``. Segments that are not article text
(boilerplate, captions, related links) are blanked with spaces before parsing, which keeps every
offset valid, and single line breaks are doubled in the text stanza sees (with an offset map back)
so a headline or a caption never fuses with the next sentence.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

from quotes.errors import QuotesError
from quotes.lexicon import load_data

log = logging.getLogger(__name__)

DEFAULT_PROCESSORS = "tokenize,mwt,pos,lemma,depparse,ner"
_PIPELINES: dict[tuple[str, str], object] = {}
_LOCK = threading.Lock()


class ModelsMissing(QuotesError, RuntimeError):
    """The stanza models for a language are not where STANZA_RESOURCES_DIR points."""


@dataclass(slots=True)
class Word:
    index: int  # 1-based position in the sentence, as stanza's head ids
    surface: str  # text[start:end] of the token this word belongs to
    lemma: str
    upos: str
    feats: dict[str, str]
    head: int  # 0 for the root
    deprel: str
    start: int
    end: int
    token_index: int  # index of the token within the sentence
    ner: str = "O"  # BIOES tag of the token
    in_mwt: bool = False

    @property
    def base_deprel(self) -> str:
        return self.deprel.split(":")[0]


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    words: list[Word]
    entities: list[tuple[int, int, str]] = field(default_factory=list)

    def word(self, index: int) -> Word | None:
        return self.words[index - 1] if 0 < index <= len(self.words) else None

    @cached_property
    def children(self) -> dict[int, list[Word]]:
        kids: dict[int, list[Word]] = {}
        for w in self.words:
            kids.setdefault(w.head, []).append(w)
        return kids

    def dependents(self, word: Word, *deprels: str) -> list[Word]:
        kids = self.children.get(word.index, [])
        return [k for k in kids if not deprels or k.base_deprel in deprels or k.deprel in deprels]

    def subtree(self, word: Word) -> list[Word]:
        out, stack = [], [word]
        while stack:
            w = stack.pop()
            out.append(w)
            stack.extend(self.children.get(w.index, []))
        return sorted(out, key=lambda w: w.index)


@dataclass
class ParsedDocument:
    text: str
    language: str
    sentences: list[Sentence]

    @cached_property
    def entities(self) -> list[tuple[int, int, str]]:
        return [e for s in self.sentences for e in s.entities]

    def sentence_before(self, index: int) -> Sentence | None:
        """The sentence before sentence ``index``; sentence indices are their positions."""
        return self.sentences[index - 1] if 0 < index <= len(self.sentences) else None


def resources_dir() -> str | None:
    """Where stanza models live: the ``stanza_resources`` setting ($STANZA_RESOURCES_DIR, else the
    settings file the set-up fills), else None for stanza's own default."""
    from quotes.settings import get

    return get("stanza_resources") or None


def load_pipeline(lang: str, processors: str | None = None):
    """The stanza pipeline for ``lang``, loaded once per process and shared."""
    processors = processors or load_data("parse", lang).get("processors", DEFAULT_PROCESSORS)
    key = (lang, processors)
    with _LOCK:
        if key not in _PIPELINES:
            import stanza  # heavy import, only when parsing

            directory = resources_dir()
            kwargs = {"dir": directory} if directory else {}
            if directory and not (Path(directory) / "resources.json").is_file():
                raise ModelsMissing(
                    f"STANZA_RESOURCES_DIR={directory} has no resources.json: point it at a stanza "
                    f"model directory (offline pack or stanza.download('{lang}', model_dir=...))"
                )
            download = None if directory else "reuse_resources"
            try:
                _PIPELINES[key] = stanza.Pipeline(
                    lang,
                    processors=processors,
                    download_method=download,
                    logging_level="WARN",
                    **kwargs,
                )
            except Exception as exc:  # noqa: BLE001 - missing files, or a download attempt with no network
                where = directory or "stanza's default folder (STANZA_RESOURCES_DIR is not set)"
                raise ModelsMissing(
                    f"cannot load stanza models for '{lang}' from {where}: {type(exc).__name__}: {exc}. "
                    "Set STANZA_RESOURCES_DIR to a model folder, or run `quotes models --download`."
                ) from exc
    return _PIPELINES[key]


def prepare_text(text: str, blank: Sequence[tuple[int, int]] = ()) -> tuple[str, list[int]]:
    """The string stanza sees and a map from its positions back to ``text``.

    Blanked spans become spaces (newlines kept), and every line break becomes a paragraph break.
    """
    chars = list(text)
    for start, end in blank:
        for i in range(start, min(end, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    out: list[str] = []
    back: list[int] = []
    for i, ch in enumerate(chars):
        out.append(ch)
        back.append(i)
        if ch == "\n":
            prev_nl = i > 0 and chars[i - 1] == "\n"
            next_nl = i + 1 < len(chars) and chars[i + 1] == "\n"
            if not prev_nl and not next_nl:
                out.append("\n")
                back.append(i)
    back.append(len(text))
    return "".join(out), back


def _collapse(token, kept: str) -> list:
    """One word for a capitalised token that MWT split though it is no contraction ("Kim" -> "Kin dem"):
    the word whose head lies outside the token carries the attachment."""
    ids = {w.id for w in token.words}
    outer = next((w for w in token.words if w.head not in ids), token.words[0])
    outer.lemma, outer.upos, outer.feats = kept, "PROPN", None
    return [outer]


def _convert(doc, text: str, back: list[int], language: str) -> ParsedDocument:
    data = load_data("parse", language)
    contractions = set(data.get("contractions", []))
    sentences: list[Sentence] = []
    for sent in doc.sentences:
        words: list[Word] = []
        renumber: dict[int, int] = {}
        for t_index, token in enumerate(sent.tokens):
            start, end = back[token.start_char], back[token.end_char - 1] + 1
            surface = text[start:end]
            token_words = token.words
            if len(token_words) > 1 and surface[:1].isupper() and surface.lower() not in contractions:
                dropped = [w.id for w in token_words]
                token_words = _collapse(token, surface)
                for i in dropped:
                    renumber[i] = token_words[0].id
            multi = len(token_words) > 1
            for w in token_words:
                feats = dict(f.split("=", 1) for f in w.feats.split("|")) if w.feats else {}
                words.append(
                    Word(
                        index=w.id,
                        surface=surface,
                        lemma=w.lemma or surface,
                        upos=w.upos or "X",
                        feats=feats,
                        head=w.head or 0,
                        deprel=w.deprel or "dep",
                        start=start,
                        end=end,
                        token_index=t_index,
                        ner=getattr(token, "ner", "O") or "O",
                        in_mwt=multi,
                    )
                )
        if not words:
            continue
        if renumber:
            _renumber(words, renumber)
        ents = [(back[e.start_char], back[e.end_char - 1] + 1, e.type) for e in sent.ents]
        sentences.append(Sentence(len(sentences), words[0].start, words[-1].end, words, ents))
    adverbs = frozenset(data.get("adverbs", []))
    for s in sentences:
        repair_adverbs(s, adverbs)
    return ParsedDocument(text=text, language=language, sentences=repair_sentence_splits(text, sentences))


def repair_adverbs(sentence: Sentence, adverbs: frozenset[str]) -> None:
    """The small tagger reads some adverbs as verbs ("gestern" like "lästern") and builds the clause
    around them ("Das erklärte gestern ein Sprecher" with "gestern" as the root). Such a word becomes
    an adverb again. Its dependents move up to its head; at the root, a verb among them takes its
    place and the rest hang on that verb."""
    for adverb in sentence.words:
        if adverb.surface.lower() not in adverbs or adverb.upos == "ADV":
            continue
        kids = [w for w in sentence.words if w.head == adverb.index]
        verb = None if adverb.head else next((w for w in kids if w.upos in ("VERB", "AUX")), None)
        heir = verb.index if verb is not None else adverb.head
        adverb.upos, adverb.lemma, adverb.feats = "ADV", adverb.surface.lower(), {}
        if not heir:
            continue  # a root with no verb under it: nothing better to hang the clause on
        if verb is not None:
            verb.head, verb.deprel = adverb.head, adverb.deprel
        for w in kids:
            if w is not verb:
                w.head = heir
        adverb.head, adverb.deprel = heir, "advmod"
    sentence.__dict__.pop("children", None)  # the cached child lists are stale now


def _renumber(words: list[Word], merged: dict[int, int]) -> None:
    """Close the gaps that collapsed tokens leave in word ids and heads."""
    new_id = {w.index: i for i, w in enumerate(words, 1)}
    for w in words:
        head = merged.get(w.head, w.head)
        w.head = new_id.get(head, 0) if head else 0
        if w.head == new_id[w.index]:
            w.head = 0
    for w in words:
        w.index = new_id[w.index]


_TERMINAL = tuple(".!?:;…\"“”»«'’)")
_CLOSING_MARKS = ("“", "”", "«", "»", '"')


def _split_in_error(text: str, previous: Sentence, next_start: int) -> bool:
    """The small tokenizer splits inside sentences ("… sagte Franz | Josef Jung, dass …"): a break with
    no terminal punctuation before it and no line break in between is not a sentence boundary."""
    if "\n" in text[previous.end:next_start]:
        return False
    last = previous.words[-1].surface
    # "des 75. Tages": a German ordinal's period ends no sentence
    if re.fullmatch(r"\d{1,3}\.", last) and text[next_start:next_start + 1].isupper():
        return True
    # "Wie die Zeitung „The Guardian“ | berichtete, …": a closing mark after a word ends no sentence
    # when the text goes on in lower case
    if last in _CLOSING_MARKS and text[previous.end - 2 : previous.end - 1].isalnum() and (
            text[next_start:next_start + 1].islower()):
        return True
    return not text[previous.end - 1 : previous.end].endswith(_TERMINAL)


def repair_sentence_splits(text: str, sentences: list[Sentence]) -> list[Sentence]:
    out: list[Sentence] = []
    for s in sentences:
        if out and _split_in_error(text, out[-1], s.start):
            first = out[-1]
            shift = len(first.words)
            for w in s.words:
                w.index += shift
                w.head = w.head + shift if w.head else 0
            out[-1] = Sentence(first.index, first.start, s.end, first.words + s.words, first.entities + s.entities)
        else:
            out.append(Sentence(len(out), s.start, s.end, s.words, s.entities))
    return out


def parse_documents(
    texts: Iterable[str],
    language: str,
    blanks: Iterable[Sequence[tuple[int, int]]] | None = None,
    batch_size: int = 16,
) -> list[ParsedDocument]:
    """Parse many texts of one language in batches (stanza pads and batches across documents)."""
    import stanza

    nlp = load_pipeline(language)
    texts = list(texts)
    blanks = list(blanks) if blanks is not None else [()] * len(texts)
    prepared = [prepare_text(t, b) for t, b in zip(texts, blanks)]
    out: list[ParsedDocument] = []
    for i in range(0, len(texts), batch_size):
        chunk = prepared[i : i + batch_size]
        docs = nlp.bulk_process([stanza.Document([], text=p) for p, _ in chunk])
        for doc, (_, back), text in zip(docs, chunk, texts[i : i + batch_size]):
            out.append(_convert(doc, text, back, language))
    return out


def parse_document(text: str, language: str, blank: Sequence[tuple[int, int]] = ()) -> ParsedDocument:
    return parse_documents([text], language, [blank])[0]


def merge_parses(text: str, language: str, parses: Sequence[ParsedDocument]) -> ParsedDocument:
    """One parse of ``text`` from parses of its parts (a document in two languages, each part parsed
    with its own models over the same offsets): their sentences in text order, numbered again."""
    from dataclasses import replace

    sentences = sorted((s for p in parses for s in p.sentences), key=lambda s: (s.start, s.end))
    return ParsedDocument(text, language, [replace(s, index=i) for i, s in enumerate(sentences)])
