"""Extract: candidate quotes, cues and speaker mentions from a parse; the outlet and its citations.

Takes a ``ParsedDocument`` and gives ``Candidate`` quotes (``extractor`` composes one function
per pattern: ``direct``, ``indirect``, ``according_to``, with ``mood``, ``cues``, ``speakers`` and
``quotation_marks`` as their parts), the publishing outlet and the outlet registry (``outlets``)
and the sources a document cites (``citations``). May import parse and the shared leaves.
"""
