"""Speaker names a user can read (issue 9, part 0): what counts as no name, per language data, and
what the resolver makes of source phrases, fragments and mixed quotes on real sentences."""

from __future__ import annotations

import pytest

from quotes.records import Quote, Speaker
from quotes.resolve.names import NameStats, non_name_reason
from quotes.resolve.speakers import full_name


@pytest.mark.parametrize("name, lang, reason", [
    ("er", "de", "pronoun"), ("Sie", "de", "pronoun"), ("Danach", "de", "adverb"), ("Demnach", "de", "adverb"),
    ("einer Pressemitteilung des Ministeriums", "de", "oblique"), ("eigenen Angaben", "de", "oblique"),
    ("Ersten Erkenntnissen", "de", "oblique"), ("aller Zeiten", "de", "oblique"),
    ("dringendem Tatverdacht", "de", "oblique"), ("han", "nb", "pronoun"),
    ("Dmitri Peskow", "de", None), ("der Minister", "de", None), ("Innenministerium", "de", None),
    ("Jonas Gahr Støre", "nb", None), ("politiet", "nb", None),
])
def test_what_is_no_name(name, lang, reason):
    assert non_name_reason(name, lang) == reason


def test_fragment_takes_the_full_name():
    assert full_name("Watch", ["Human Rights Watch", "Kenneth Roth"]) == "Human Rights Watch"
    assert full_name("Weiße", ["Weiße Haus"]) == "Weiße Haus"
    assert full_name("Peskow", ["Human Rights Watch"]) == "Peskow"


def test_non_name_share_counts_emitted_names_only():
    def quote(name):
        sp = Speaker(name=name, mention=name or "er", start=0, end=2)
        return Quote(quote_id="q", text="x", start=0, end=1, kind="direct", speaker=sp, confidence=1.0)

    stats = NameStats()
    stats.add([quote("Dmitri Peskow"), quote("er"), quote(None), quote("eigenen Angaben")], "de")
    assert (stats.emitted, stats.non_names, stats.unresolved) == (3, 2, 1)


@pytest.fixture(scope="module")
def extract(models):
    from quotes.records import Document
    from quotes.run.pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline(PipelineConfig(language="de", processors=("language", "segment", "parse", "quotes")))

    def run(text: str):
        return pipeline.process_documents([Document(doc_id="t", path="t.txt", text=text, language="de")])[0].quotes

    return run


@pytest.mark.models
def test_according_to_names_the_source_not_the_phrase(extract):
    q = next(q for q in extract("Laut einer Pressemitteilung des Innenministeriums wurden am Montag zwanzig "
                                "Personen festgenommen.") if q.speaker)
    assert "Pressemitteilung" not in (q.speaker.name or "") and "innenministerium" in (q.speaker.name or "").lower()


@pytest.mark.models
def test_own_account_names_the_subject(extract):
    q = next(q for q in extract("Nach eigenen Angaben hat der Konzern im vergangenen Jahr 300 Stellen abgebaut.")
             if q.speaker)
    assert q.speaker.name == "Konzern"


@pytest.mark.models
def test_name_fragment_takes_the_full_name(extract):
    quotes = extract("Die Organisation Human Rights Watch kritisierte die Festnahmen scharf. "
                     "Watch erklärte, die Behörden hätten die Gefangenen misshandelt.")
    q = next(q for q in quotes if "misshandelt" in q.text)
    assert q.speaker.name == "Human Rights Watch"


@pytest.mark.models
def test_unresolvable_pronoun_has_no_name(extract):
    q = next(q for q in extract("Er sagte, die Lage sei ernst.") if "Lage" in q.text)
    assert q.speaker.mention == "Er" and q.speaker.name is None


@pytest.mark.models
def test_mixed_quote_is_one_record(extract):
    text = "Der Minister sagte am Dienstag, diese Pläne seien „völlig illegal“ und müssten sofort gestoppt werden."
    quotes = extract(text)
    assert [(q.kind, [text[d.start:d.end] for d in q.direct_spans]) for q in quotes] == [
        ("mixed", ["„völlig illegal“"])]
