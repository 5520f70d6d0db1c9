"""One test per attribution rule, on news sentences written for the test and parsed by the real
stanza models: the speaker or span the rule exists for, or the false quote it exists to stop."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def extract(models):
    from quotes.records import Document
    from quotes.run.pipeline import Pipeline, PipelineConfig

    pipelines = {}

    def run(text: str, lang: str = "de"):
        if lang not in pipelines:
            pipelines[lang] = Pipeline(PipelineConfig(language=lang, processors=("language", "segment", "parse", "quotes"),
                                                     rules_only=True))  # the rules themselves
        doc = Document(doc_id="t", path="t.txt", text=text, language=lang)
        return pipelines[lang].process_documents([doc])[0].quotes

    return run


def covering(quotes, words: str):
    found = [q for q in quotes if words in q.text]
    assert found, f"no quote contains {words!r}: {[q.text for q in quotes]}"
    return found[0]


def test_demonstrative_stands_for_the_sentence_before(extract):
    quotes = extract("Die Regierung wird die Steuern im kommenden Jahr nicht erhöhen. "
                     "Dies bestätigte Finanzminister Klaus Berger am Montag in Berlin.")
    q = covering(quotes, "die Steuern im kommenden Jahr nicht erhöhen")
    assert q.speaker and "Berger" in q.speaker.name


def test_document_speaks_an_agentless_cue(extract):
    quotes = extract("Im Bericht der Kommission heißt es, die Lage habe sich deutlich verschlechtert.")
    q = covering(quotes, "die Lage habe sich deutlich verschlechtert")
    assert q.speaker and "Bericht" in q.speaker.mention


def test_relative_according_to_frame(extract):
    quotes = extract("Die Forscher verwiesen auf Studien der Universität Wien, nach denen das Mittel "
                     "völlig wirkungslos sei.")
    q = covering(quotes, "das Mittel völlig wirkungslos sei")
    assert "Forscher verwiesen" not in q.text
    # the relative pronoun is the mention; its antecedent (agreeing in number) names the source
    assert q.speaker and q.speaker.mention == "denen"
    assert "Studien" in f"{q.speaker.role} {q.speaker.name}" and "Wien" in q.speaker.name


def test_long_wie_clause_subject(extract):
    quotes = extract("Wie der bayerische Innenminister Peter Schmidt am Dienstag in München erklärte, "
                     "sieht die Landesregierung keinen Handlungsbedarf.")
    q = covering(quotes, "sieht die Landesregierung keinen Handlungsbedarf")
    assert q.speaker and "Schmidt" in q.speaker.name


def test_colon_introducer_speaks_the_quote(extract):
    quotes = extract("Die Opposition reagierte empört. Fraktionschefin Anna Weber: "
                     "„Das ist ein schwarzer Tag für die Demokratie.“")
    q = covering(quotes, "schwarzer Tag")
    assert q.speaker and "Weber" in q.speaker.name


def test_relative_clause_before_a_cue_is_no_content(extract):
    quotes = extract("Der Verband, der für die Organisation des Turniers verantwortlich ist, "
                     "kritisierte die Entscheidung scharf.")
    assert not any("verantwortlich ist" in q.text and q.kind == "indirect" for q in quotes)


def test_konjunktiv_from_the_lemma_continues_reported_speech(extract):
    quotes = extract("Der Sprecher des Unternehmens sagte, die Lage sei ernst. "
                     "Die Versorgung der Kunden funktioniere aber weiterhin.")
    q = covering(quotes, "Die Versorgung der Kunden funktioniere")
    assert q.speaker and "Sprecher" in (q.speaker.role or q.speaker.mention)


def test_lower_case_norwegian_noun_speaks(extract):
    quotes = extract("– Vi må trene mye mer før neste kamp, sier treneren.", "nb")
    q = covering(quotes, "Vi må trene mye mer")
    assert q.speaker and q.speaker.mention == "treneren"


def test_speech_noun_with_its_content_clause(extract):
    quotes = extract("Die Partei reagierte gelassen auf die Forderung des Bürgermeisters Karl Huber, "
                     "die Gebühren sofort zu senken.")
    q = covering(quotes, "die Gebühren sofort zu senken")
    assert "reagierte" not in q.text
    assert q.speaker and "Huber" in q.speaker.name


def test_so_clause_speaker_with_apposition(extract):
    quotes = extract("Die meisten Nutzer gingen mit dem Angebot vernünftig um, so Maria Berger, "
                     "die Leiterin der städtischen Beratungsstelle.")
    q = covering(quotes, "Die meisten Nutzer gingen mit dem Angebot vernünftig um")
    assert q.speaker and "Berger" in q.speaker.name and "Leiterin" in q.speaker.mention


def test_norwegian_content_clause_without_complementizer(extract):
    quotes = extract("Ordføreren mener kommunen har brukt altfor mye penger på konsulenter.", "nb")
    q = covering(quotes, "kommunen har brukt altfor mye penger")
    assert q.speaker and q.speaker.mention == "Ordføreren"


def test_adverb_taken_for_a_verb_keeps_the_speaker(extract):
    # the small tagger reads "gestern" as a verb and makes it the clause's root
    quotes = extract("Die Wasserwerke der Stadt bleiben bis zum Ende der Woche geschlossen. "
                     "Das erklärte gestern ein Sprecher des Umweltministeriums.")
    q = covering(quotes, "bis zum Ende der Woche geschlossen")
    assert q.speaker and "Sprecher" in q.speaker.mention


def test_parse_repair_makes_the_adverb_an_adverb(models):
    from quotes.parse.parser import parse_document

    doc = parse_document("Die Zeitung hatte gestern berichtet, die Fabrik werde geschlossen.", "de")
    words = {w.surface: w for s in doc.sentences for w in s.words}
    assert words["gestern"].upos == "ADV"
    assert words["Zeitung"].head == words["berichtet"].index


def test_ambiguous_pronoun_after_the_verb_yields_to_a_fronted_person(extract):
    # "sie" may be the object: a fronted role noun is the subject ...
    quotes = extract("Der Geschäftsführer des Verbands nannte sie am Montag „fahrlässig und gefährlich“.")
    q = covering(quotes, "fahrlässig")
    assert q.speaker and "Geschäftsführer" in q.speaker.mention
    # ... while a fronted thing is the object and the pronoun speaks
    quotes = extract("Die Kanzlerin trat am Abend vor die Presse. "
                     "Die Arbeit der Koalition lobte sie als „solide und verlässlich“.")
    q = covering(quotes, "solide und verlässlich")
    assert q.speaker and q.speaker.mention == "sie"



def test_demnach_stands_for_the_source_of_the_sentence_before(extract):
    quotes = extract("Im Einsatzgebiet ist es laut dem Nachrichtenmagazin Focus zu weiteren Zwischenfällen gekommen. "
                     "Demnach haben Kampfflugzeuge einen deutschen Hubschrauber mit ihrem Radar erfasst.")
    q = covering(quotes, "Kampfflugzeuge einen deutschen Hubschrauber")
    assert q.speaker and q.speaker.mention == "Demnach"
    assert q.speaker.name == "Focus" and q.speaker.role == "Nachrichtenmagazin"


def test_expletive_es_is_no_speaker(extract):
    quotes = extract("In der Stadt gab es am Montag eine Pressekonferenz der Polizei. "
                     "Demnach sei der Täter mit einem Auto geflohen.")
    q = covering(quotes, "der Täter mit einem Auto geflohen")
    assert q.speaker is None or q.speaker.mention.lower() != "es"



def test_partial_quote_after_a_modal_takes_the_clause_subject(extract):
    # the parse roots the clause on the verb inside the marks, so the subject is read on the surface:
    # the pronoun after the finite modal, not the sentence before
    quotes = extract("Der Verband legte am Montag einen neuen Plan vor. "
                     "Ursprünglich wollte er „ein Konzept mit sechs bis acht Stadien vorlegen“.")
    q = covering(quotes, "sechs bis acht Stadien")
    assert q.speaker and q.speaker.mention == "er"
