"""Shared fixtures. Stanza pipelines load once per session; tests that need the models fail under
CI (or with QUOTES_REQUIRE_MODELS=1) when they are missing, and skip elsewhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"
GERMAN_GOLD = SHARED / "data" / "german-news-quotes"

# Prefect's home (database, results) must not be ~/.prefect: set before Prefect is imported.
os.environ.setdefault("PREFECT_HOME", __import__("tempfile").mkdtemp(prefix="quotes-test-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
if not os.environ.get("STANZA_RESOURCES_DIR") and (SHARED / "stanza_resources").is_dir():
    os.environ["STANZA_RESOURCES_DIR"] = str(SHARED / "stanza_resources")


def file_id(path: Path) -> str:
    """The document id a whole file gets: its name without suffix, a dash, and the first 12 hex
    digits of the sha256 of its text (written out here, not taken from the code under test)."""
    import hashlib

    return f"{path.stem}-{hashlib.sha256(path.read_text(encoding='utf-8').encode()).hexdigest()[:12]}"


def _required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("QUOTES_REQUIRE_MODELS"))


def need(condition: bool, what: str) -> None:
    """Fail under CI, skip elsewhere, when a resource the test needs is missing."""
    if condition:
        return
    if _required():
        pytest.fail(f"missing under CI: {what}", pytrace=False)
    pytest.skip(f"missing: {what}")


@pytest.fixture(scope="session")
def models() -> str:
    from quotes.parse.models import ensure_models
    from quotes.parse.parser import ModelsMissing

    try:
        return ensure_models()
    except ModelsMissing as exc:
        need(False, str(exc))


@pytest.fixture(scope="session")
def seed_results(models):
    """Every seed article through the whole pipeline, keyed by its three-digit prefix."""
    from quotes.run.pipeline import Pipeline

    out = {}
    for result in Pipeline().run([str(SEEDS)]):
        text = (SEEDS / Path(result.path).name).read_text(encoding="utf-8")
        out[result.doc_id[:3]] = (result, text)
    return out


@pytest.fixture(scope="session")
def train_documents() -> list[dict]:
    """The licensed German gold articles, read from ../shared at test time (never copied)."""
    path = GERMAN_GOLD / "train.jsonl"
    need(path.is_file(), str(path))
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="session")
def seed_store(models, tmp_path_factory):
    """A store of the five seeds, built once by the library (no Prefect); tests only read it."""
    from quotes.run import runner as corpus
    from quotes.store.writer import Store

    store = Store(tmp_path_factory.mktemp("seed-store") / "store")
    corpus.run_corpus([str(SEEDS)], store)
    return store


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One Prefect test server for the session (the flow tests and the Dask runner's share it)."""
    from prefect.settings import PREFECT_HOME, PREFECT_LOCAL_STORAGE_PATH, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    with temporary_settings(updates={PREFECT_HOME: home, PREFECT_LOCAL_STORAGE_PATH: home / "storage"}):
        with prefect_test_harness(server_startup_timeout=120):
            yield home


def one_line(err: str, *never: str) -> str:
    """The one non-blank line of ``err``: no traceback, nor any of ``never``."""
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    for text in ("Traceback", *never):
        assert text not in err, err
    return lines[0]


def run_main(capsys, *args: str, env: dict | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """`quotes ARGS` in this process, through the console script's error path: (status, out, err)."""
    import sys

    from quotes.cli.main import main

    old = sys.argv
    sys.argv = ["quotes", *args]
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return status, out, err
