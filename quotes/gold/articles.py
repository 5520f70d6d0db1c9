"""Annotated articles through the rules, with parses from the cache: what training and model
selection read. The gold file's split is the caller's: ``quotes train`` trains on [0:600] and
selects on [600:700]; dev is only ever scored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from quotes.gold.evaluate import GoldDocument, read_gold
from quotes.parse.cache import parse_documents_cached
from quotes.records import Document
from quotes.run.pipeline import QUOTABLE, Item, ParseProcessor, Pipeline, PipelineConfig, register


@register("parse-cached")
class CachedParseProcessor(ParseProcessor):
    """The parse processor, with stanza's output cached on disk (``parse_cache``)."""

    def parse(self, texts: list[str], lang: str, blanks: list):
        return parse_documents_cached(texts, lang, blanks, batch_size=self.config.batch_size)


@dataclass
class Article:
    gold: GoldDocument
    item: Item

    @property
    def regions(self) -> list[tuple[int, int]]:
        return self.item.spans(QUOTABLE)


def load_articles(path: str | Path, language: str, start: int = 0, stop: int | None = None,
                  chunk: int = 50, progress: Callable[[str, int, int], None] | None = None) -> list[Article]:
    """Gold articles [start:stop] of ``path``, segmented and parsed (through the cache);
    ``progress("parsing", done, total)`` follows each chunk."""
    gold = read_gold(path)[start:stop]
    pipeline = Pipeline(PipelineConfig(language=language, processors=("language", "segment", "parse-cached")))
    out: list[Article] = []
    for i in range(0, len(gold), chunk):
        part = gold[i:i + chunk]
        docs = [Document(doc_id=f"gold-{start + i + j}", path=str(path), text=g.text, language=language)
                for j, g in enumerate(part)]
        for g, item in zip(part, pipeline.process_items(docs)):
            out.append(Article(g, item))
        if progress:
            progress(f"parsing [{start}:{start + len(gold)}]", len(out), len(gold))
    return out
