"""Corpus: what holds across documents.

Takes the stored mentions and statements and gives corpus entities (``entities``: one entity per
speaker or cited source across documents and languages, from the mentions ``mentions`` makes of
each document) and claims (``claims``: statements that say the same thing in two documents or
more, by the rule in ``matching``), and publishes them to the store. May import store, embed,
resolve, extract, parse and the shared leaves.
"""
