"""quotes: who said what, who cites whom, and where a claim travels, in news text.

``quotes.open_store(path)`` gives the store's tables as polars LazyFrames.
"""

__all__ = ["open_store"]


def __getattr__(name: str):
    # imported on first use, so that `quotes --help` does not load polars
    if name == "open_store":
        from .reader import open_store

        return open_store
    raise AttributeError(f"module 'quotes' has no attribute {name!r}")
