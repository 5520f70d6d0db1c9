"""Gold: annotated articles, to measure and to learn from.

Takes gold files shaped like german-news-quotes and gives scores (``evaluate``: ``quotes eval``)
and trained models (``train``: ``quotes train``, on gold articles parsed through the pipeline by
``articles``). May import run, learn, resolve, extract, parse, ingest and the shared leaves.
"""
