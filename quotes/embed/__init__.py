"""Embed: what a document says, as vectors.

Takes a parse and its quotes and gives the document's statements (its sentences and quotes) with
their vectors (``statements``), from a multilingual sentence encoder (``encoders``); an exact
cosine index over vectors (``vector_index``). May import parse and the shared leaves.
"""
