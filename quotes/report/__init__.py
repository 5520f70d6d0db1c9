"""Report: the store as one self-contained HTML page.

Takes the store and gives its report's sections as data (``data``), each quote's sentence read
again from its input (``context``), and the page (``html``, with ``assets/``). May import ask,
store, ingest and the shared leaves.
"""
