"""Cited sources: the seeds, sentences from the German news corpus and Norwegian UD text.

Expectations are read off the text: who is named, and in which frame.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from conftest import need

from quotes.extract.citations import extract_citations
from quotes.extract.outlets import detect_outlet, load_registry
from quotes.ingest.segment import segment_document
from quotes.records import Citation, Document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
LANGS = {"000": "de", "001": "de", "002": "de", "003": "de", "004": "nb"}


def seed_text(prefix: str) -> str:
    return next((ROOT / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def cite(text: str, lang: str, own_outlet: str | None = None) -> list[Citation]:
    return extract_citations(text, segment_document(text, lang), lang, load_registry(), own_outlet)


def seed_citations(prefix: str, own_outlet: str | None = None) -> list[tuple]:
    return [(c.source, c.mention, c.kind, c.in_comments) for c in cite(seed_text(prefix), LANGS[prefix], own_outlet)]


def own_outlet_of(prefix: str) -> str | None:
    outlet = detect_outlet(Document(doc_id=prefix, path=prefix, text=seed_text(prefix)), seed_text(prefix), load_registry())
    return outlet.name if outlet else None


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", [("Sputnik", "Sputnik", "credit", False)]),
        ("001", [("Sputnik", "Sputnik", "credit", False)]),
        ("002", [("RIA Novosti", "RIA Nowosti", "report", False)]),
        ("003", [("Kyiv Post", "k y i v p o s t", "according_to", True)]),
        ("004", [("oe24", "oe24", "report", False), ("t-online", "t-online", "report", False), ("ZDF", "zdf", "report", False)]),
    ],
)
def test_seed_citations(prefix, expected):
    assert seed_citations(prefix, own_outlet_of(prefix)) == expected


@pytest.mark.parametrize("prefix", sorted(LANGS))
def test_mention_is_the_text_of_its_span(prefix):
    text = seed_text(prefix)
    for c in cite(text, LANGS[prefix]):
        assert text[c.start : c.end] == c.mention


def test_nothing_is_cited_from_boilerplate():
    # Without knowing the own outlet, RT in the RT DE appeal and exxpress in its support box
    # are still no citations; neither is the site's name in a comment about its comment feature.
    assert [c[0] for c in seed_citations("000")] == ["Sputnik"]
    assert [c[0] for c in seed_citations("003")] == ["Kyiv Post"]


def test_own_outlet_is_skipped_by_name_or_alias():
    assert seed_citations("000", own_outlet="Sputnik") == []
    assert seed_citations("001", own_outlet="sputnik") == []
    assert [c[0] for c in seed_citations("004", own_outlet="zdf")] == ["oe24", "t-online"]


def test_publishing_outlet_from_metadata_url_and_signature():
    registry = load_registry()
    text = seed_text("001")
    by_meta = detect_outlet(Document(doc_id="1", path="1", text=text, outlet="RT DE"), text, registry)
    by_url = detect_outlet(Document(doc_id="1", path="1", text=text, url="https://de.rt.com/asien/1"), text, registry)
    by_signature = detect_outlet(Document(doc_id="1", path="1", text=text), text, registry)
    assert (by_meta.name, by_meta.evidence) == ("RT", "metadata")
    assert (by_url.name, by_url.evidence) == ("RT", "url:de.rt.com")
    assert by_signature.name == "RT" and by_signature.evidence.startswith("signature:Durch die Sperrung von RT")
    assert own_outlet_of("003") == "eXXpress"
    assert own_outlet_of("004") is None


def test_registry_mentions_in_the_rt_appeal():
    text = seed_text("000")
    appeal = text[text.index("Durch die Sperrung") :]
    # "Audiovisuellen Mediendienst-Gesetzes" and "Österreich" name no outlet; RT is named once
    assert [(appeal[s:e], name) for s, e, name in load_registry().find_mentions(appeal)] == [("RT", "RT")]


def test_short_aliases_need_their_case_and_whole_words():
    registry = load_registry()
    # "erklärt", "fullført": 'rt' after a non-ASCII letter is inside a word
    for prefix in ("001", "004"):
        body = seed_text(prefix).split("Durch die Sperrung")[0]
        assert "RT" not in {name for _, _, name in registry.find_mentions(body)}
    # Norwegian "Ap" is the Labour Party, not the Associated Press
    (sentence,) = [s for s in ud_sentences() if s.startswith("I Ap er det ikke vanskelig")]
    assert registry.find_mentions(sentence) == []


def test_common_word_aliases_are_cited_only_in_a_frame():
    text = seed_text("000")
    names = [name for _, _, name in load_registry().find_mentions(text)]
    assert "Twitter" in names and "Die Welt" in names  # "Twitter-Account", "der ganzen Welt"
    assert [c.source for c in cite(text, "de")] == ["Sputnik"]


@cache
def train_articles() -> list[str]:
    path = SHARED / "german-news-quotes" / "train.jsonl"
    if not path.exists():
        need(False, str(path))
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["originalText"] for line in f]


@cache
def ud_sentences() -> list[str]:
    path = SHARED / "norwegian-ud" / "no_bokmaal-ud-dev.conllu"
    if not path.exists():
        need(False, str(path))
    return [line[len("# text = ") :].strip() for line in path.open(encoding="utf-8") if line.startswith("# text = ")]


def citation_at(texts: list[str], lang: str, phrase: str, word: str) -> Citation | None:
    """The citation at ``word`` inside ``phrase``, in the first text that contains the phrase."""
    (text,) = [t for t in texts if phrase in t][:1]
    pos = text.index(phrase) + phrase.index(word)
    found = [c for c in cite(text, lang) if c.start == pos]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("phrase", "word", "source", "kind"),
    [
        ("Alle sind laut BBC britische Staatsbürger", "BBC", "BBC", "according_to"),
        ("nach Angaben der österreichischen Nachrichtenagentur APA", "APA", "APA", "according_to"),
        ("Nach Angaben des Magazins „Der Spiegel“", "Der Spiegel", "Der Spiegel", "according_to"),
        ("Dem Sender al-Dschasira zufolge", "al-Dschasira", "Al Jazeera", "according_to"),
        ("Laut „Welt“ soll er", "Welt", "Die Welt", "according_to"),
        ("sagte gegenüber der Nachrichtenagentur AFP", "AFP", "AFP", "report"),
        ("Die Nachrichtenagentur AP berichtete", "AP", "Associated Press", "report"),
        ("wie die Nachrichtenagentur ANSA gestern berichtete", "ANSA", "ANSA", "report"),
        ("meldet die Nachrichtenagentur „Xinhua“", "Xinhua", "Xinhua", "report"),
        ("Spiegel Online berichtet vom Einsturz", "Spiegel Online", "Der Spiegel", "report"),
    ],
)
def test_german_news_frames(phrase, word, source, kind):
    found = citation_at(train_articles(), "de", phrase, word)
    assert found is not None and (found.source, found.mention, found.kind) == (source, word, kind)


@pytest.mark.parametrize(
    ("phrase", "word"),
    [
        ("bemühte hier das Bild vom „gemeinsamen Boot“", "Bild"),
        ("Folge der erfolgreichen ARD-Fernsehserie", "ARD"),
        ("Bürgermeister Michael Bloomberg kritisierte", "Bloomberg"),
        ("Der neu entdeckte Riesenplanet begleitet den Stern", "Stern"),
    ],
)
def test_german_words_that_are_not_sources(phrase, word):
    assert citation_at(train_articles(), "de", phrase, word) is None


@pytest.mark.parametrize(
    ("phrase", "word", "kind"),
    [
        ("Ifølge CNN varte møtet", "CNN", "according_to"),
        ("sier til CNN at USA hadde fått bekreftelse", "CNN", "report"),
        ("villig til å forsikre 13-åringen, melder Sky News", "Sky News", "report"),
    ],
)
def test_norwegian_frames(phrase, word, kind):
    found = citation_at(ud_sentences(), "nb", phrase, word)
    assert found is not None and (found.mention, found.kind) == (word, kind)
