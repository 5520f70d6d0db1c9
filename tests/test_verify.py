"""The claim verifier (quotes/corpus/verify.py) on real sentences of the seeds and their renderings:
same story, another claim, and the translations it must keep. No models: the verifier reads words."""

from __future__ import annotations

import json

import pytest

from quotes.corpus.verify import base_gazetteer, language_words, speakers_differ, verify

# What the stored seed 001 mentions as people (its named-entity mentions): how German names are
# told from capitalised nouns in a store.
SEED_NAMES = [(name, "PER") for name in ("Dmitri Peskow", "Wladimir Putin", "Sergei Schoigu", "Sergei Lawrow",
                                         "Kim Jong-un", "Choe Son-hui")]
BOOK = base_gazetteer().with_names(SEED_NAMES)


def judge(a: str, lang_a: str, b: str, lang_b: str):
    return verify(a, lang_a, b, lang_b, book=BOOK)


def test_numbers_written_as_words_differ_from_other_numbers():
    v = judge("Die Gespräche zwischen beiden Staatsoberhäuptern sollen knapp zwei Stunden gedauert haben.", "de",
              "Die Gespräche zwischen beiden Staatsoberhäuptern sollen vier bis fünf Stunden gedauert haben.", "de")
    assert not v.same and v.differs == ("different number",)
    v = judge("Samtalene mellom de to statslederne skal ha vart i fire til fem timer.", "nb",
              "Die Gespräche zwischen beiden Staatsoberhäuptern sollen vier bis fünf Stunden gedauert haben.", "de")
    assert v.same and v.numbers == ("4", "5"), v  # 'de to' (the two) beside the kept numbers is no difference
    v = judge("I Russland skal de legge frem forslaget om en våpenhvile på tretti dager.", "nb",
              "Sie werden in Russland den Vorschlag einer 30-tägigen Waffenruhe vorstellen.", "de")
    assert v.same and "30" in v.numbers


def test_another_minister_is_a_different_person_in_any_language():
    stored = "Im Juli 2023 besuchte Russlands Verteidigungsminister Sergei Schoigu Nordkorea."
    for query, lang in (("Im Juli 2023 besuchte Russlands Außenminister Sergei Lawrow Nordkorea.", "de"),
                        ("I juli 2023 besøkte Russlands utenriksminister Sergej Lavrov Nord-Korea.", "nb"),
                        ("Russian Foreign Minister Sergei Lavrov visited North Korea in July 2023.", "en")):
        v = judge(query, lang, stored, "de")
        assert v.differs == ("different person",), (query, v)


def test_a_translation_is_still_the_same_claim_and_says_why():
    stored = "Im Juli 2023 besuchte Russlands Verteidigungsminister Sergei Schoigu Nordkorea."
    for query, lang in (("I juli 2023 besøkte Russlands forsvarsminister Sergej Sjojgu Nord-Korea.", "nb"),
                        ("Russian Defence Minister Sergei Shoigu visited North Korea in July 2023.", "en")):
        v = judge(query, lang, stored, "de")
        assert v.same, (query, v)
        assert v.numbers == ("2023",) and any("Sjojgu" in n or "Shoigu" in n for n in v.names), v
        assert "2023" in v.why() and "names" in v.why()


def test_a_refusal_is_not_a_visit():
    v = judge("Putin takket den gang nei til Kim Jong-uns invitasjon om å komme til Nord-Korea.", "nb",
              "Wladimir Putin wird in absehbarer Zukunft zu einem offiziellen Besuch nach Nordkorea kommen.", "de")
    assert v.differs == ("refused",)
    v = judge("Russlands president takket den gang nei til invitasjonen.", "nb",
              "Russlands Präsident nahm damals die Einladung an.", "de")
    assert v.differs == ("refused vs accepted",)
    # refusing is not accepting: the two agree
    assert judge("Russlands Präsident lehnte die Einladung damals ab.", "de",
                 "The Russian president did not accept the invitation at the time.", "en").same


def test_a_negation_on_one_side_only_differs():
    v = judge("Diese Frage werde nicht über diplomatische Kanäle koordiniert.", "de",
              "Diese Frage werde über diplomatische Kanäle koordiniert.", "de")
    assert v.differs == ("negated",)
    assert judge("Peskov did not say who would be part of the US delegation.", "en",
                 "Peskow sagte nicht, wer Teil der US-Delegation sei.", "de").same


def test_another_city_differs_but_the_country_it_lies_in_does_not():
    stored = ("Als der nordkoreanische Staatschef Kim Jong-un im September 2023 zu Besuch in Wladiwostok gewesen war, "
              "forderte er Putin auf, nach Nordkorea zu kommen.")
    v = judge("Als Kim Jong-un im September 2023 zu Besuch in Moskau war, forderte er Putin auf, nach Nordkorea zu kommen.",
              "de", stored, "de")
    assert v.differs == ("different place",)
    assert judge("When Kim Jong-un visited Vladivostok in September 2023, he asked Putin to come to North Korea.", "en",
                 stored, "de").same
    assert judge("Kim Jong-un kam im September 2023 nach Russland und bat Putin, nach Nordkorea zu kommen.", "de",
                 stored, "de").same


def test_another_month_or_weekday_is_a_different_date():
    v = judge("I desember ble utenriksminister Sergej Lavrov tatt imot av Kim Jong-un i Pyongyang.", "nb",
              "Im Oktober wurde Außenminister Sergei Lawrow vom Kim Jong-un in Pjöngjang empfangen.", "de")
    assert v.differs == ("different date",)
    assert judge("I oktober ble utenriksminister Sergej Lavrov tatt imot av Kim Jong-un i Pyongyang.", "nb",
                 "Im Oktober wurde Außenminister Sergei Lawrow vom Kim Jong-un in Pjöngjang empfangen.", "de").same


def test_a_hedged_report_is_the_same_claim():
    v = judge("Putin soll in absehbarer Zukunft zu einem offiziellen Besuch nach Nordkorea kommen.", "de",
              "Wladimir Putin wird in absehbarer Zukunft zu einem offiziellen Besuch nach Nordkorea kommen.", "de")
    assert v.same and any(n.startswith("hedged") for n in v.notes)


def test_speakers_of_two_quotes():
    assert speakers_differ("Maria Sacharowa", "Dmitri Peskow", "de", "de") == ["different speaker"]
    assert speakers_differ("Dmitri Peskow", "Dmitry Peskov", "de", "en") == []
    assert speakers_differ(None, "Dmitri Peskow", None, "de") == []


@pytest.mark.parametrize("lang", ["de", "nb", "en"])
def test_every_language_has_the_same_kinds_of_words(lang):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "quotes" / "data"
    keys = {k for k in json.loads((root / "de" / "claims.json").read_text(encoding="utf-8")) if not k.startswith("_")}
    mine = {k for k in json.loads((root / lang / "claims.json").read_text(encoding="utf-8")) if not k.startswith("_")}
    assert {"negation", "refusal", "acceptance", "hedges", "number_words", "months", "weekdays"} <= mine <= keys
    words = language_words(lang)
    assert max(words.months.values()) == 12 and len(set(words.weekdays.values())) == 7
    assert {"de": "zwei", "nb": "to", "en": "two"}[lang] in words.number_words
