"""Language knowledge kept as data: ``quotes/data/<lang>/<name>.json`` and ``quotes/data/<name>.json``.

Adding a language means adding a folder of data files, not code. Each file is read once.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

LANGUAGE_ALIASES = {"no": "nb", "nob": "nb", "deu": "de", "ger": "de"}


def normalise_language(code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip().lower()
    return LANGUAGE_ALIASES.get(code, code)


def supported_languages() -> list[str]:
    """The languages the pipeline extracts: the data folders with a parse model (``parse.json``).
    A folder without one holds words for reading statements only (``en``: the claim verifier's)."""
    root = resources.files("quotes") / "data"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")
                  and (p / "parse.json").is_file())


@cache
def load_data(name: str, lang: str | None = None) -> Any:
    """The parsed JSON of data file ``name`` for ``lang`` (or the language-independent one)."""
    root = resources.files("quotes") / "data"
    path = (root / lang / f"{name}.json") if lang else (root / f"{name}.json")
    if not path.is_file():
        where = f"language '{lang}'" if lang else "all languages"
        raise FileNotFoundError(f"no data file '{name}.json' for {where} (looked in {path})")
    return json.loads(path.read_text(encoding="utf-8"))
