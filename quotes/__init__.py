"""quotes: who said what, who cites whom, and where a claim travels, in news text.

``quotes.extract_text(text, language)`` gives everything found in one text (a ``DocumentResult``);
``quotes.open_store(path)`` gives the store's tables as polars LazyFrames. The layout of the
library, one package per stage of the data flow: docs/layout.md.
"""

__all__ = ["extract_text", "open_store"]


def __getattr__(name: str):
    # imported on first use, so that `quotes --help` does not load polars, nor a read command stanza
    if name == "open_store":
        from quotes.store.reader import open_store

        return open_store
    if name == "extract_text":
        from quotes.run.pipeline import extract_text

        return extract_text
    raise AttributeError(f"module 'quotes' has no attribute {name!r}")
