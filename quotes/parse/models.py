"""Finding the stanza models: ``STANZA_RESOURCES_DIR`` (offline pack or official download)."""

from __future__ import annotations

import json
from pathlib import Path

from quotes.lexicon import load_data, supported_languages
from quotes.parse.parser import ModelsMissing, resources_dir


def missing_models(directory: str | None, languages: list[str]) -> list[str]:
    """Languages whose processors are not all in ``directory`` (stanza's resources.json layout)."""
    root = Path(directory) if directory else None
    if root is None or not (root / "resources.json").is_file():
        return list(languages)
    resources = json.loads((root / "resources.json").read_text(encoding="utf-8"))
    missing = []
    for lang in languages:
        folder = resources.get(lang, {}).get("alias", lang)
        wanted = load_data("parse", lang)["processors"].split(",")
        if not all(any((root / folder / p).glob("*.pt")) for p in wanted):
            missing.append(lang)
    return missing


def ensure_models(languages: list[str] | None = None, download: bool = False) -> str:
    """The resources directory, with models for ``languages``; downloads official ones if asked."""
    languages = languages or supported_languages()
    directory = resources_dir()
    missing = missing_models(directory, languages)
    if missing and download:
        import stanza

        target = directory or str(Path.home() / "stanza_resources")
        for lang in missing:
            stanza.download(lang, model_dir=target, processors=load_data("parse", lang)["processors"])
        directory = target
        missing = missing_models(directory, languages)
    if missing:
        raise ModelsMissing(
            f"no stanza models for {', '.join(missing)} in {directory or '(STANZA_RESOURCES_DIR not set)'}; "
            "set STANZA_RESOURCES_DIR to a model folder, or run `quotes models --download` with a network"
        )
    return directory
