"""Statements: what a document says, sentence by sentence, and what it quotes — the units a claim is
traced by, across documents, outlets and languages.

Every sentence of a document's title and body (stanza's sentences; boilerplate, captions, related
links and reader comments left out) and every quote outside the comments is a statement, with its
offsets and text. ``embed_statements`` gives each a vector from the multilingual sentence encoder
(quotes/embed/encoders.py), reusing the vector already known for the same text — the same sentence in
another document, or a re-run — so no text is embedded twice.

A statement of fewer than ``MIN_WORDS`` words ("Mehr dazu.", a dateline) says too little to be
traced and is left out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from quotes.parse.parser import ParsedDocument
from quotes.records import Quote

MIN_WORDS = 4
_WORD = re.compile(r"\w+")


@dataclass
class Statement:
    statement_id: str
    kind: str  # "sentence" or "quote"
    start: int
    end: int
    text: str
    quote_id: str | None
    text_hash: str
    vector: bytes | None = None
    encoder: str | None = None


def text_hash(text: str) -> str:
    """The statement's text, whitespace-normalised, hashed: equal texts share one vector."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def statement_id(doc_id: str, kind: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{doc_id}:{kind}:{start}:{end}".encode()).hexdigest()[:16]


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def statements_of(doc_id: str, parsed: ParsedDocument | None, quotes: Iterable[Quote],
                  said: Sequence[tuple[int, int]]) -> list[Statement]:
    """The document's statements: its sentences inside ``said`` (title and body spans) and its quotes
    outside the comments, in text order."""
    out: list[Statement] = []

    def add(kind: str, start: int, end: int, text: str, quote_id: str | None = None) -> None:
        text = text.strip()
        if len(_WORD.findall(text)) >= MIN_WORDS:
            out.append(Statement(statement_id(doc_id, kind, start, end), kind, start, end, text, quote_id,
                                 text_hash(text)))

    if parsed is not None:
        for sentence in parsed.sentences:
            if _inside(sentence.start, sentence.end, said):
                add("sentence", sentence.start, sentence.end, parsed.text[sentence.start:sentence.end])
    for q in quotes:
        if not q.in_comments:
            add("quote", q.start, q.end, q.text, q.quote_id)
    return sorted(out, key=lambda s: (s.start, s.kind))


def embed_statements(statements: Sequence[Statement], encoder, known: Callable[[list[str]], dict[str, bytes]]
                     | None = None) -> int:
    """Give every statement its vector (float16 bytes, L2-normalised), in place: known texts take
    the vector ``known(text hashes)`` returns, equal texts are encoded once. Returns how many
    texts were encoded."""
    import numpy as np

    todo = [s for s in statements if s.vector is None or s.encoder != encoder.name]
    if not todo:
        return 0
    vectors: dict[str, bytes] = dict(known([s.text_hash for s in todo]) if known else {})
    fresh = {s.text_hash: s.text for s in todo if s.text_hash not in vectors}
    if fresh:
        from quotes.embed.encoders import STATEMENT_KIND

        encoded = encoder.encode(list(fresh.values()), STATEMENT_KIND).astype(np.float16)
        vectors.update({h: row.tobytes() for h, row in zip(fresh, encoded)})
    for s in todo:
        s.vector, s.encoder = vectors[s.text_hash], encoder.name
    return len(fresh)


def as_matrix(vectors: Sequence[bytes], dim: int | None = None, dtype: str = "float32"):
    """Stored vector bytes (float16) as an (n, dim) matrix of ``dtype`` (float16: no copy)."""
    import numpy as np

    if not vectors:
        return np.empty((0, dim or 0), dtype=dtype)
    return np.frombuffer(b"".join(vectors), dtype=np.float16).reshape(len(vectors), -1).astype(dtype, copy=False)


