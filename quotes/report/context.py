"""A stored quote in its sentence, read again from the document's input file.

The store keeps no document text, but every document row has the ``path`` it was read from and
the ``content_hash`` of its text. Where that file is still there and ingest reads from it a text
with the same hash, the stored offsets point into that text, so the words around a quote can be
sliced from it. Where it is gone or changed, the quote goes without its context: a changed file
would put the offsets into other words, so a hash mismatch never yields a context.

Sentence bounds are found by punctuation and line breaks, not by a parse (the report must not
load stanza): good enough to show a reader where a quote sits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

MAX_SIDE = 240  # characters of context on either side, at most
# Text and JSONL inputs are read again whatever their number; an HTML page costs a text
# extraction (~50 ms), so only this many are, and the quotes of the others go without context.
MAX_HTML_PAGES = 200
# A sentence ends at . ! ? … (with any closing marks after it) before white space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…][\"'»«“”„‘’)\]]*(?=\s|$)|\n")


def sentence_around(text: str, start: int, end: int, max_side: int = MAX_SIDE) -> tuple[str, str]:
    """(before, after): the rest of the sentence(s) that ``text[start:end]`` stands in, each side
    cut at ``max_side`` characters (at a space, marked with '…')."""
    lo = max(0, start - max_side)
    cut = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        cut = m.end()
    before = text[cut:start].lstrip()
    if cut == lo and lo > 0:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    hi = min(len(text), end + max_side)
    stop = hi
    # a quote that ends its sentence ('… besuchen."') has nothing after it in that sentence
    for m in _SENTENCE_END.finditer(text, max(start, end - 4), hi):
        if m.end() >= end:
            stop = m.end()
            break
    after = text[end:stop].rstrip()
    if stop == hi and hi < len(text):
        after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
    return before, after


def document_texts(documents: Iterable[dict]) -> dict[str, str]:
    """doc_id → text, for the documents (dicts with ``doc_id``, ``path``, ``content_hash``) whose
    input file still holds the very text they were processed from. Each file is read once (HTML
    pages: the first ``MAX_HTML_PAGES``)."""
    from quotes.ingest.read import HTML_SUFFIXES, content_hash, read_documents
    from quotes.records import Document

    wanted: dict[str, dict[str, str]] = defaultdict(dict)  # path → doc_id → hash
    for doc in documents:
        if doc.get("path") and doc.get("content_hash"):
            wanted[doc["path"]][doc["doc_id"]] = doc["content_hash"]
    found: dict[str, str] = {}
    html_left = MAX_HTML_PAGES
    for path, hashes in wanted.items():
        if not Path(path).is_file():
            continue
        if Path(path).suffix.lower() in HTML_SUFFIXES:
            if html_left == 0:
                continue
            html_left -= 1
        try:
            for item in read_documents(path):
                if isinstance(item, Document) and hashes.get(item.doc_id) == content_hash(item.text):
                    found[item.doc_id] = item.text
        except Exception:  # noqa: BLE001 - a context is a nicety: an unreadable file only goes without it
            continue
    return found
