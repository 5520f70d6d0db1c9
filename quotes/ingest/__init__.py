"""Ingest: what a document is before anything reads it.

Takes paths (text, JSONL, HTML files, folders of them) and gives ``Document`` records (decoded
text, id, metadata) or a ``Failure`` for each input that cannot be read (``read``); publication
dates in the forms people write them (``dates``), the document's language (``language``), and its
segments: title, body, boilerplate, related links, captions, comments (``segment``). May import
the shared leaves only (records, errors, settings, lexicon).
"""
