"""Ask: questions to the store.

Takes the store's tables (as polars LazyFrames) and gives answers: quotes by speaker, outlet,
source and date, who is quoted, who cites whom (``query``), where a statement travelled
(``trace``), the claims repeated across documents (``claims``). May import corpus, store, embed,
ingest and the shared leaves.
"""
