"""Resolve: speakers across a document.

Takes candidates and the parse and gives ``Quote`` records whose speakers carry the canonical
name within the document ("Dmitri Peskow" for a later "Peskow", "Er" or "Der Pressesprecher"),
their role and entity type (``speakers``), never a pronoun or other non-name as a name
(``names``). May import extract, parse and the shared leaves.
"""
