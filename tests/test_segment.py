"""Segmentation of the seed articles: expectations read off the article text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import need

from quotes.ingest.segment import segment_document, title_of
from quotes.records import Segment

ROOT = Path(__file__).resolve().parents[1]
LANGS = {"000": "de", "001": "de", "002": "de", "003": "de", "004": "nb"}


def seed_text(prefix: str) -> str:
    return next((ROOT / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def segmented(prefix: str) -> tuple[str, list[Segment]]:
    text = seed_text(prefix)
    return text, segment_document(text, LANGS[prefix])


def kind_at(text: str, segments: list[Segment], phrase: str) -> str:
    """The kind of the segment holding the first character of the phrase."""
    pos = text.index(phrase)
    (kind,) = [s.kind for s in segments if s.start <= pos < s.end]
    return kind


def segment_texts(text: str, segments: list[Segment], kind: str) -> list[str]:
    return [text[s.start : s.end] for s in segments if s.kind == kind]


def assert_partition(text: str, segments: list[Segment]) -> None:
    """Sorted, non-overlapping, trimmed, and every non-whitespace character covered."""
    for before, after in zip(segments, segments[1:]):
        assert before.end <= after.start
    covered = set()
    for s in segments:
        assert s.end > s.start and not text[s.start].isspace() and not text[s.end - 1].isspace()
        covered.update(range(s.start, s.end))
    assert [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered] == []


@pytest.mark.parametrize("prefix", sorted(LANGS))
def test_seed_segments_partition_the_text(prefix):
    assert_partition(*segmented(prefix))


def test_train_articles_are_partitioned_too():
    path = ROOT.parent / "shared" / "data" / "german-news-quotes" / "train.jsonl"
    if not path.exists():
        need(False, str(path))
    with path.open(encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["originalText"]
            assert_partition(text, segment_document(text, "de"))


HEADLINES = {
    "000": "Japan: Putin lädt Trump zum 75. Tag des Sieges nach Moskau ein",
    "001": "Peskow: Putin wird Nordkorea in absehbarer Zukunft besuchen",
    "002": 'Kim und Putin stoßen auf die Freundschaft an: "Ein alter Freund ist besser als zwei neue"',
    "003": None,  # it starts with a full sentence
    "004": "Putin tilbyr Trump -møter - håp om fred i Ukraina!",
}

WHOLE_SEGMENTS = [
    # the caption repeats the headline, glued to its credit
    ("000", "caption", ["Japan: Putin lädt Trump zum 75. Tag des Sieges nach Moskau einQuelle: Sputnik"]),
    ("000", "related", ['Mehr zum Thema\u00a0-\u00a0G20-Gipfel in Osaka: Trump nennt Merkel "gute Freundin" und "fantastische Frau"']),
    ("001", "caption", ["Quelle: Sputnik © Artem Geodakjan"]),
    # a related link glued to the end of a paragraph runs to the end of its line
    ("001", "related", ["Mehr zum Thema – Nordkoreas Außenministerin zu Besuch in Moskau"]),
    ("002", "related", ["Mehr zum Thema - Beim angeblichen russisch-nordkoreanischen Militärabkommen geht es um geostrategisches Gleichgewicht"]),
    ("003", "caption", ["GETTYIMAGES/Contributor"]),
    ("004", "title", [HEADLINES["004"], HEADLINES["004"]]),
    ("000", "comments", []),
    ("004", "comments", []),
]

PHRASE_KINDS = [
    ("000", "Kurzclips", "boilerplate"),
    ("000", "Am Rande der Gespräche", "body"),
    ("000", "hieß es", "body"),
    ("000", "Für deutsche Untertitel", "boilerplate"),
    ("000", "Durch die Sperrung von RT", "boilerplate"),
    ("000", "Audiovisuellen Mediendienst-Gesetzes", "boilerplate"),
    ("000", "in den Sozialen Medien zu teilen.", "boilerplate"),
    ("001", "date 2024-01", "boilerplate"),
    ("001", "in Pjöngjang empfangen.", "body"),
    ("001", "Durch die Sperrung von RT", "boilerplate"),
    ("002", "Kurzclips", "boilerplate"),
    ("002", "wie RIA Nowosti berichtet", "body"),
    ("003", "Moskau pocht auf Aufhebung der Sanktionen", "body"),
    ("003", "mit allen zur Verfügung stehenden Mitteln reagieren.", "body"),
    ("003", "rudi1234 sagt:", "comments"),
    ("003", "k y i v p o s t", "comments"),
    ("003", "Ukrainerin sagt:", "comments"),
    ("004", "I en fersk uttalelse har", "body"),
    ("004", "zdf Trump hadde", "body"),
    ("004", "Details", "boilerplate"),
    ("004", "OrtKursk, Russland", "boilerplate"),
    ("004", "Quellen", "boilerplate"),
    ("004", "Kommentare (0)", "boilerplate"),
]


@pytest.mark.parametrize(("prefix", "headline"), sorted(HEADLINES.items()))
def test_title(prefix, headline):
    assert title_of(*segmented(prefix)) == headline


@pytest.mark.parametrize(("prefix", "kind", "expected"), WHOLE_SEGMENTS)
def test_whole_segments_of_a_kind(prefix, kind, expected):
    assert segment_texts(*segmented(prefix), kind) == expected


@pytest.mark.parametrize(("prefix", "phrase", "kind"), PHRASE_KINDS)
def test_phrase_lies_in_its_segment(prefix, phrase, kind):
    assert kind_at(*segmented(prefix), phrase) == kind


def test_003_exxpress_support_box_and_comment_section():
    text, segs = segmented("003")
    (support,) = segment_texts(text, segs, "boilerplate")
    assert support.startswith("Hier können Sie den exxpress unterstützen")
    assert "Ihr Beitrag hilft" in support and support.endswith("Jetzt unterstützen!")
    (comments,) = [s for s in segs if s.kind == "comments"]
    assert text[comments.start :].startswith("Kommentare\n")
    assert comments.end == len(text.rstrip())


def test_comment_post_line_opens_comments_without_a_heading():
    text = seed_text("003").replace("\nKommentare\n", "\n", 1)
    segs = segment_document(text, "de")
    (comments,) = [s for s in segs if s.kind == "comments"]
    assert text[comments.start :].startswith("• rudi1234 sagt:")
    assert kind_at(text, segs, "Jetzt unterstützen!") == "boilerplate"
