"""``quotes train``: the learned attribution layer, trained locally from an annotated gold file;
and the one line every extracting command prints about which layer is in use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

RULES_ONLY_HELP = "run the rules alone, even when a trained model exists (also the setting rules_only)"


def _split(value: str) -> tuple[int, int]:
    try:
        a, b = value.split(":")
        return int(a), int(b)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is no range START:STOP") from None


def use_rules_only(flag: bool) -> None:
    """``--rules-only`` for the whole process (the store's flow reads it as the setting)."""
    if flag:
        os.environ["QUOTES_RULES_ONLY"] = "1"


def model_notice(rules_only: bool = False) -> str:
    """Which layer extracts: the trained model (its hash, folder and licence) or the rules alone."""
    from quotes.learn.model import active_model, model_folder, rules_only_setting

    folder = model_folder()
    if rules_only or rules_only_setting():
        return "attribution: rules alone (--rules-only / setting rules_only)"
    model = active_model()
    if model is None:
        return f"attribution: rules alone (no trained model in {folder}; `quotes train` makes one)"
    meta = model.meta
    licence = meta.get("training_data", {}).get("licence", "?")
    return (f"attribution: rules + learned model {model.digest} ({folder}; trained {meta.get('trained', '?')} "
            f"on {meta.get('training_data', {}).get('file', '?')}, {licence}: non-commercial use only)")


def train(
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="gold JSONL shaped like german-news-quotes"),
    lang: str = typer.Option("de", "--lang"),
    fit: str = typer.Option("0:600", "--fit", help="articles START:STOP to fit on"),
    select: str = typer.Option("600:700", "--select", help="articles START:STOP to choose thresholds on"),
    out: Optional[Path] = typer.Option(None, "--out", help="model folder (default: <models_dir>/attribution)"),
    if_stale: bool = typer.Option(False, "--if-stale",
                                  help="do nothing when the model there was trained from the same data, code and stanza models"),
) -> None:
    """Train the learned attribution layer (speaker ranker, quote keep/add classifiers) into the models folder.

    Fits on --fit, chooses thresholds on --select; never give it the dev file. Parses are cached in
    <models_dir>/parse-cache, so re-training takes seconds. The model is a derivative of the gold
    data: its card (card.json) carries the data's licence; nothing trained belongs in the repository.
    """
    from rich.console import Console

    from quotes.gold.train import is_current
    from quotes.gold.train import train as run_training
    from quotes.learn.model import model_folder

    err = Console(stderr=True)
    folder = out or model_folder()
    fit_range, select_range = _split(fit), _split(select)
    if if_stale and is_current(folder, gold, lang, fit_range, select_range):
        err.print(f"model in {folder} is up to date (same data, code and stanza models)")
        return
    card = run_training(gold, folder, lang, fit_range, select_range, log=lambda m: err.print(m, style="dim"))
    rules, learned = card["selection_scores"]["rules"], card["selection_scores"]["rules+model"]
    err.print(f"selection split [{select}]: rules F1 {rules['f1']:.3f} / speaker {rules['speaker_accuracy']:.3f} / "
              f"attributed {rules['attributed_f1']:.3f}; rules + model {learned['f1']:.3f} / "
              f"{learned['speaker_accuracy']:.3f} / {learned['attributed_f1']:.3f}")
    err.print(f"model {card['sha256_16']} in {folder} ({card['training_data']['licence']}: non-commercial use only; "
              "see card.json)")
