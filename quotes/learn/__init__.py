"""Learn: models trained locally from annotated articles, applied on top of the rules.

Takes the rules' candidates and their parse and gives candidates re-decided by a trained model
(``model``: keep or drop a quote candidate, add a sentence the rules missed, re-rank the speaker;
``features``: what the model reads). The rules stay the candidate generators and the fallback.
Nothing trained is committed: ``quotes train`` (quotes/gold/train.py) writes the model into the
``models_dir`` setting with a model card. May import extract, parse and the shared leaves.
"""
