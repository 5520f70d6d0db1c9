"""Run: the stages composed.

Takes documents or paths and gives results or a filled store: the processors of the pipeline,
registered by name and run over batches (``pipeline``), a run over a corpus into the store
(``runner``: plan, process, write, then entities and claims), the same on Dask workers
(``cluster``), vectors for stored statements (``embedding``) and the upgrade of an old store
(``upgrade``). May import every stage below it: corpus, store, embed, resolve, learn, extract,
parse, ingest and the shared leaves. Prefect is not imported here: flows/ wraps these functions.
"""
