"""Stanza parses cached on disk, so that re-training (and re-scoring) costs seconds, not minutes.

The key is the text stanza sees (after blanking; a content hash), the language, the processors
and the stanza model version (stanza's version and the md5 sums of the language's models in the
resources' ``resources.json``). What is stored is stanza's own output (tokens, words, entities),
not our structure, so the repairs in ``quotes/parse/parser.py`` run afresh on every load: a changed
repair never reads a stale cache.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Iterable, Sequence

from quotes.lexicon import load_data
from quotes.parse.parser import (
    DEFAULT_PROCESSORS,
    ParsedDocument,
    _convert,
    load_pipeline,
    prepare_text,
    resources_dir,
)


@lru_cache(maxsize=None)
def model_version(language: str) -> str:
    """stanza's version plus a digest of the language's entry in resources.json (its model md5s)."""
    import stanza

    entry = ""
    directory = resources_dir()
    if directory and (Path(directory) / "resources.json").is_file():
        resources = json.loads((Path(directory) / "resources.json").read_text(encoding="utf-8"))
        entry = json.dumps(resources.get(language, {}), sort_keys=True)
    return f"stanza-{stanza.__version__}+{hashlib.sha256(entry.encode()).hexdigest()[:12]}"


def default_cache_dir() -> Path:
    from quotes.settings import get

    return Path(get("models_dir")).expanduser() / "parse-cache"


def _key(prepared: str, language: str, processors: str) -> str:
    h = hashlib.sha256()
    for part in (language, processors, model_version(language), prepared):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _dump(doc) -> list:
    out = []
    for sent in doc.sentences:
        tokens = [[t.start_char, t.end_char, getattr(t, "ner", "O") or "O",
                   [[w.id, w.lemma, w.upos, w.feats, w.head, w.deprel] for w in t.words]] for t in sent.tokens]
        out.append([tokens, [[e.start_char, e.end_char, e.type] for e in sent.ents]])
    return out


def _load(data: list) -> SimpleNamespace:
    """stanza's document shape, as far as ``parse._convert`` reads it."""
    sentences = []
    for tokens, ents in data:
        toks = [SimpleNamespace(start_char=s, end_char=e, ner=ner,
                                words=[SimpleNamespace(id=i, lemma=lem, upos=u, feats=f, head=h, deprel=d)
                                       for i, lem, u, f, h, d in words])
                for s, e, ner, words in tokens]
        sentences.append(SimpleNamespace(tokens=toks, ents=[SimpleNamespace(start_char=s, end_char=e, type=t)
                                                            for s, e, t in ents]))
    return SimpleNamespace(sentences=sentences)


def parse_documents_cached(texts: Iterable[str], language: str,
                           blanks: Iterable[Sequence[tuple[int, int]]] | None = None, batch_size: int = 16,
                           cache_dir: Path | None = None) -> list[ParsedDocument]:
    """``parse.parse_documents``, with stanza run only for texts not in the cache."""
    import stanza

    cache_dir = Path(cache_dir or default_cache_dir()) / language
    processors = load_data("parse", language).get("processors", DEFAULT_PROCESSORS)
    texts = list(texts)
    blanks = list(blanks) if blanks is not None else [()] * len(texts)
    prepared = [prepare_text(t, b) for t, b in zip(texts, blanks)]
    keys = [_key(p, language, processors) for p, _ in prepared]
    raw: list[SimpleNamespace | None] = []
    for key in keys:
        path = cache_dir / key[:2] / f"{key}.json.gz"
        raw.append(_load(json.loads(gzip.decompress(path.read_bytes()))) if path.is_file() else None)
    missing = [i for i, r in enumerate(raw) if r is None]
    if missing:
        nlp = load_pipeline(language, processors)
        for n in range(0, len(missing), batch_size):
            chunk = missing[n:n + batch_size]
            docs = nlp.bulk_process([stanza.Document([], text=prepared[i][0]) for i in chunk])
            for i, doc in zip(chunk, docs):
                data = _dump(doc)
                path = cache_dir / keys[i][:2] / f"{keys[i]}.json.gz"
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 6))
                tmp.replace(path)
                raw[i] = _load(data)
    return [_convert(r, t, back, language) for r, t, (_, back) in zip(raw, texts, prepared)]
