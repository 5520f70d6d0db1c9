"""Parse: stanza over a document's article text.

Takes texts (with the segments that are not the article's blanked out) and gives a
``ParsedDocument`` per text: sentences and words with exact character offsets, UD tags, lemmas,
heads and named entities, with the small pack's known errors repaired (``parser``); where the
stanza models are (``models``), and their output cached on disk for training and scoring
(``cache``). May import the shared leaves only.
"""
