"""The JSON Schema contract, generated from the pydantic records (``quotes schema``).

``schemas/`` holds one file per record; a test regenerates them and fails on drift.
"""

from __future__ import annotations

import json
from pathlib import Path

from quotes.files import write_file
from quotes.records import RECORDS


def schema_documents() -> dict[str, str]:
    """File name → JSON text, for every record in the contract."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for name, model in RECORDS.items()
    }


def write_schemas(directory: str | Path) -> list[Path]:
    from quotes.files import FileRefused, store_folder_of

    out = Path(directory)
    if store_folder_of(out) is not None:
        raise FileRefused(f"cannot write into {out}: it lies inside the store (or Delta table) {store_folder_of(out)}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in schema_documents().items():
        path = write_file(out / name, body)
        written.append(path)
    return written


def drifted(directory: str | Path) -> list[str]:
    """Names of schema files that are missing or differ from what the records generate."""
    out = Path(directory)
    return [name for name, body in schema_documents().items()
            if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != body]
