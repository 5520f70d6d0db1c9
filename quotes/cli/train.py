"""``quotes train``: the learned attribution layer, trained locally from an annotated gold file;
and the one line every extracting command prints about which layer is in use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from quotes.cli.output import plain

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
    languages = ", ".join(meta.get("languages", [])) or "?"
    notice = (f"attribution: rules + learned model {model.digest} for {languages} ({folder}; trained "
              f"{meta.get('trained', '?')} on {meta.get('training_data', {}).get('file', '?')}, {licence}: "
              "non-commercial use only)")
    if is_stale(meta):
        notice += "; the model was trained with other extraction code: retrain it (`quotes train`, `make train`)"
    return notice


def is_stale(meta: dict) -> bool:
    """Whether the code that makes the tagger's inputs (the rules, the parse, the facts) changed
    since the model was trained: it still loads and runs, but was fitted to other inputs."""
    from quotes.run.pipeline import extractor_fingerprint

    code = meta.get("key", {}).get("code")
    return code is not None and code != extractor_fingerprint(include_model=False)


def train(
    gold: Path = typer.Argument(..., exists=True, dir_okay=False, help="gold JSONL shaped like german-news-quotes"),
    lang: str = typer.Option("de", "--lang"),
    fit: str = typer.Option("0:600", "--fit", help="articles START:STOP to fit on"),
    select: str = typer.Option("600:700", "--select", help="articles START:STOP to choose thresholds on"),
    out: Optional[Path] = typer.Option(None, "--out", help="model folder (default: <models_dir>/attribution)"),
    epochs: int = typer.Option(16, "--epochs", min=1, help="passes over the fit articles"),
    if_stale: bool = typer.Option(False, "--if-stale",
                                  help="do nothing when the model there was trained from the same data, code and stanza models"),
) -> None:
    """Train the learned attribution layer (a tagger over the bundled e5's token states) into the models folder.

    Fits on --fit, chooses its decoding on --select; never give it the dev file. Parses are cached in
    <models_dir>/parse-cache. The model is a derivative of the gold data: its card (card.json)
    carries the data's licence; nothing trained belongs in the repository.
    """
    from quotes.cli.output import progress, stderr
    from quotes.gold.train import is_current
    from quotes.gold.train import train as run_training
    from quotes.learn.model import model_folder

    err = stderr()
    folder = out or model_folder()
    fit_range, select_range = _split(fit), _split(select)
    if if_stale and is_current(folder, gold, lang, fit_range, select_range):
        err.print(f"model in {folder} is up to date (same data, code and stanza models)")
        return
    with progress() as bar:
        tasks: dict[str, object] = {}

        def advance(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done)

        card = run_training(gold, folder, lang, fit_range, select_range,
                            log=lambda m: bar.console.print(plain(m, "dim")), progress=advance,
                            epochs=epochs)
    rules, learned = card["selection_scores"]["rules"], card["selection_scores"]["rules+model"]
    err.print(f"selection split [{select}]: rules F1 {rules['f1']:.3f} / speaker {rules['speaker_accuracy']:.3f} / "
              f"attributed {rules['attributed_f1']:.3f}; rules + model {learned['f1']:.3f} / "
              f"{learned['speaker_accuracy']:.3f} / {learned['attributed_f1']:.3f}")
    err.print(f"model {card['sha256_16']} in {folder} ({card['training_data']['licence']}: non-commercial use only; "
              "see card.json)")
