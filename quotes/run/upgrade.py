"""``quotes upgrade``: a store written by an older version of quotes brought to the current layout."""

from __future__ import annotations

from quotes.corpus.entities import build_entities
from quotes.store.writer import Store


def upgrade(store: Store) -> dict[str, list[str]]:
    """The store's tables brought to the current columns (``Store.upgrade``), then, when anything
    changed, the corpus entities built again from the mentions. Returns the changes, table by table."""
    added = store.upgrade()
    if added and store.exists("mentions"):
        build_entities(store)
    return added
