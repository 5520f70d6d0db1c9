"""The learned layer on top of the rules: models trained locally from annotated articles.

The rules stay the candidate generators and the fallback. What is learned here (see ``model.py``)
re-ranks the rules' speaker candidates, keeps or drops their quote candidates and adds the
sentences the rules miss. Nothing trained is committed: ``quotes train`` writes the model into the
``models_dir`` setting with a model card (the training data's licence travels with it).
"""
