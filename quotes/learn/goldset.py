"""Annotated articles through the rules, with parses from the cache: what training and model
selection read. The gold file's split is the caller's: ``quotes train`` trains on [0:600] and
selects on [600:700]; dev is only ever scored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..evaluate import GoldDocument, read_gold
from ..pipeline import BLANKED, QUOTABLE, Item, Pipeline, PipelineConfig, Processor, register
from ..records import Document
from .parse_cache import parse_documents_cached


@register("parse-cached")
class CachedParseProcessor(Processor):
    """The parse processor, with stanza's output cached on disk (``parse_cache``)."""

    stage = "parse"
    cache_dir: Path | None = None

    def __call__(self, batch: list[Item]) -> None:
        by_lang: dict[str, list[Item]] = {}
        for item in batch:
            if item.failure is None:
                by_lang.setdefault(item.language, []).append(item)
        for lang, items in by_lang.items():
            parsed = parse_documents_cached([i.document.text for i in items], lang, [i.spans(BLANKED) for i in items],
                                            batch_size=self.config.batch_size, cache_dir=self.cache_dir)
            for item, p in zip(items, parsed):
                item.parsed = p


@dataclass
class Article:
    gold: GoldDocument
    item: Item

    @property
    def regions(self) -> list[tuple[int, int]]:
        return self.item.spans(QUOTABLE)


def load_articles(path: str | Path, language: str, start: int = 0, stop: int | None = None,
                  chunk: int = 50) -> list[Article]:
    """Gold articles [start:stop] of ``path``, segmented and parsed (through the cache)."""
    gold = read_gold(path)[start:stop]
    pipeline = Pipeline(PipelineConfig(language=language, processors=("language", "segment", "parse-cached")))
    out: list[Article] = []
    for i in range(0, len(gold), chunk):
        part = gold[i:i + chunk]
        docs = [Document(doc_id=f"gold-{start + i + j}", path=str(path), text=g.text, language=language)
                for j, g in enumerate(part)]
        for g, item in zip(part, pipeline.process_items(docs)):
            out.append(Article(g, item))
    return out
