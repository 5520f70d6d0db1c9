"""Store: Delta Lake tables under one folder or object-storage prefix.

Takes records and frames (what the pipeline and the corpus layer computed) and persists them
(``writer``: upserts a reader never sees half done), gives the tables as readers see them
(``reader``: views, read-only SQL, no pydantic), derives every table's schema from the records
(``tables``; ``table_schemas`` is its generated, pydantic-free copy), keeps the index of statement
vectors that trace and claims search (``statement_index``) and reads stores of older versions
(``legacy``). May import embed and the shared leaves: it persists what the corpus layer computes
and imports none of it.
"""
