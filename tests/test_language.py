"""Language identification and which language a document is processed in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import need

from quotes.ingest.language import identify_language, resolve_language
from quotes.records import Document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def seed_text(prefix: str) -> str:
    return next((ROOT / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def vote_counts() -> str:
    """The comment vote counters of seed 003 ('2', '1', '14', ...): real text without letters."""
    return "\n".join(re.findall(r"(?m)^[ \t]*\d+[ \t]*$", seed_text("003")))


def doc(text: str, language: str | None = None) -> Document:
    return Document(doc_id="t", path="t", text=text, language=language)


def german_articles(n: int) -> list[str]:
    path = SHARED / "german-news-quotes" / "train.jsonl"
    if not path.exists():
        need(False, str(path))
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["originalText"] for _, line in zip(range(n), f)]


def norwegian_passages(size: int, n: int) -> list[str]:
    """Runs of consecutive UD sentences: they come from one source text, in order."""
    path = SHARED / "norwegian-ud" / "no_bokmaal-ud-dev.conllu"
    if not path.exists():
        need(False, str(path))
    sentences = [line[len("# text = ") :].strip() for line in path.open(encoding="utf-8") if line.startswith("# text = ")]
    return [" ".join(sentences[i : i + size]) for i in range(0, size * n, size)]


@pytest.mark.parametrize(("prefix", "expected"), [("000", "de"), ("001", "de"), ("002", "de"), ("003", "de"), ("004", "nb")])
def test_seeds(prefix, expected):
    lang, prob = identify_language(seed_text(prefix))
    assert lang == expected
    assert 0.5 < prob <= 1.0


def test_german_news_articles():
    assert {identify_language(text)[0] for text in german_articles(30)} == {"de"}


def test_norwegian_passages_are_bokmaal():
    assert {identify_language(text)[0] for text in norwegian_passages(8, 10)} == {"nb"}


def test_candidates_restrict_the_choice_and_norwegian_codes_map_to_nb():
    assert identify_language(seed_text("000"), candidates=["nb", "sv"])[0] in {"nb", "sv"}
    assert identify_language(seed_text("004"), candidates=["de", "nb"])[0] == "nb"
    assert identify_language(seed_text("004"), candidates=["no"])[0] == "nb"


def test_text_without_letters_is_undetermined():
    assert vote_counts().split()
    assert identify_language(vote_counts()) == ("und", 0.0)


def test_metadata_wins_over_detection_and_an_explicit_request_over_both():
    norwegian = seed_text("004")
    assert resolve_language(doc(norwegian), "auto") == "nb"
    assert resolve_language(doc(norwegian, language="de"), "auto") == "de"
    assert resolve_language(doc(norwegian, language="de"), "nb") == "nb"
    assert resolve_language(doc(seed_text("000")), "no") == "nb"


@pytest.mark.parametrize(("language", "requested", "named"), [("fr", "auto", "'fr'"), (None, "sv", "'sv'")])
def test_unsupported_language_is_a_clear_error(language, requested, named):
    with pytest.raises(ValueError, match=rf"{named}.*not supported.*de, nb"):
        resolve_language(doc(seed_text("000"), language=language), requested)


def test_undetectable_language_is_an_error():
    with pytest.raises(ValueError, match="could not detect"):
        resolve_language(doc(vote_counts()), "auto")
