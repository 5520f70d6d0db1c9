"""Quote, speaker and cue extraction on the seed articles (real RT DE, exxpress and Norwegian text).

Expectations come from reading the articles, not from running the code.
"""

from __future__ import annotations

import pytest


def quote_with(result, fragment):
    hits = [q for q in result.quotes if fragment in q.text]
    assert hits, f"no quote contains {fragment!r}; quotes: {[q.text[:60] for q in result.quotes]}"
    return hits[0]


def no_quote_with(result, fragment):
    assert not [q for q in result.quotes if fragment in q.text], f"{fragment!r} must not be a quote"


@pytest.mark.models
def test_offsets_slice_the_input_text(seed_results):
    for result, text in seed_results.values():
        for q in result.quotes:
            assert text[q.start:q.end] == q.text
            if q.speaker:
                assert text[q.speaker.start:q.speaker.end] == q.speaker.mention
            if q.cue:
                assert q.cue.start >= 0 and q.cue.end <= len(text)
        for c in result.citations:
            assert text[c.start:c.end] == c.mention


@pytest.mark.models
def test_indirect_speech_with_clause_final_cue_and_titled_speaker(seed_results):
    result, _ = seed_results["000"]
    q = quote_with(result, "lud der russische Präsident Wladimir Putin")
    assert q.kind == "indirect"
    assert q.cue and q.cue.lemma == "sagen"
    assert q.speaker.name == "Dmitri Peskow"
    assert q.speaker.role == "Kremlsprecher"
    assert "Kremlsprecher Dmitri Peskow" in q.speaker.mention


@pytest.mark.models
def test_direct_quote_speaker_gets_the_fullest_name(seed_results):
    result, _ = seed_results["000"]
    q = quote_with(result, "Herr Trump begrüßte die Einladung")
    assert q.kind == "direct"
    assert q.speaker.mention == "Peskow"
    assert q.speaker.name == "Dmitri Peskow"


@pytest.mark.models
def test_quote_whose_opening_mark_was_lost(seed_results):
    result, text = seed_results["000"]
    q = quote_with(result, "im Interesse der ganzen Welt liegt")
    assert q.cue and "hieß es" in q.cue.text
    assert q.start == text.index("Die beiden Präsidenten")


@pytest.mark.models
def test_nothing_is_quoted_from_boilerplate_or_related_links(seed_results):
    for key in ("000", "001", "002"):
        result, text = seed_results[key]
        boiler = [s for s in result.segments if s.kind in ("boilerplate", "related")]
        assert boiler
        for q in result.quotes:
            assert not any(s.start <= q.start < s.end for s in boiler), q.text
    no_quote_with(seed_results["000"][0], "Audiovisuellen Mediendienst-Gesetzes")
    no_quote_with(seed_results["000"][0], "gute Freundin")


@pytest.mark.models
def test_multiword_cue_frame_and_free_indirect_continuation(seed_results):
    result, _ = seed_results["001"]
    q = quote_with(result, "Putin in absehbarer Zukunft Nordkorea besuchen wird")
    assert q.cue and "Aussicht" in q.cue.text
    assert q.speaker.name == "Dmitri Peskow"
    follow = quote_with(result, "Damit erwidere Putin eine Einladung")
    assert follow.speaker and follow.speaker.name == "Dmitri Peskow"


@pytest.mark.models
def test_role_noun_resolves_to_named_speaker(seed_results):
    result, _ = seed_results["001"]
    q = quote_with(result, "dass Nordkorea ein unmittelbarer Nachbar Russlands sei")
    assert q.speaker.mention == "Der Pressesprecher"
    assert q.speaker.name == "Dmitri Peskow"


@pytest.mark.models
def test_partial_quote_inside_a_clause(seed_results):
    result, _ = seed_results["001"]
    q = quote_with(result, "guten, umfassenden, sinnvollen und fruchtbaren Verhandlungen")
    assert q.kind == "direct"
    assert q.speaker and q.speaker.name == "Dmitri Peskow"


@pytest.mark.models
def test_zufolge_attributes_to_its_object(seed_results):
    result, _ = seed_results["001"]
    q = [q for q in result.quotes if q.cue and q.cue.lemma == "zufolge"]
    assert q and q[0].speaker and "Peskow" in q[0].speaker.name


@pytest.mark.models
def test_name_in_quotation_marks_is_not_a_quote(seed_results):
    no_quote_with(seed_results["002"][0], "Wostotschny")


@pytest.mark.models
def test_partial_quote_after_dass(seed_results):
    result, _ = seed_results["002"]
    q = quote_with(result, "die russische Armee und das russische Volk")
    assert q.speaker and "Kim Jong-un" in q.speaker.name


@pytest.mark.models
def test_negated_speech_is_not_a_quote(seed_results):
    no_quote_with(seed_results["003"][0], "Peskow sagte nicht")
    no_quote_with(seed_results["003"][0], "wer Teil der US-Delegation sei")


@pytest.mark.models
def test_pronoun_speaker_resolves_to_previous_named_speaker(seed_results):
    result, _ = seed_results["003"]
    q = quote_with(result, "die Unterhändler würden nach Russland fliegen")
    assert q.speaker.mention == "Er"
    assert q.speaker.name == "Dmitri Peskow"


@pytest.mark.models
def test_apposed_name_after_role(seed_results):
    result, _ = seed_results["003"]
    q = quote_with(result, "Wir sind bereit, über die Initiativen zu diskutieren")
    assert q.speaker.name == "Maria Sacharowa"
    assert "Sprecherin" in (q.speaker.role or "")


@pytest.mark.models
def test_organisations_as_speakers(seed_results):
    result, _ = seed_results["003"]
    q = quote_with(result, "Trumps Sondergesandter Steve Witkoff")
    assert q.speaker.entity_type == "ORG" and "Weiße Haus" in q.speaker.mention
    q = quote_with(result, "Dies komme unabhängig von der Flagge")
    assert q.speaker.entity_type == "ORG" and "Außenministerium" in q.speaker.mention


@pytest.mark.models
def test_quotes_in_the_comment_section_are_flagged(seed_results):
    result, _ = seed_results["003"]
    q = quote_with(result, "Wir werden niemanden angreifen")
    assert q.in_comments
    assert "Putin" in q.speaker.name
    article = quote_with(result, "Eins nach dem anderen")
    assert not article.in_comments


@pytest.mark.models
def test_norwegian_direct_quote_and_pronoun_and_role_noun(seed_results):
    result, _ = seed_results["004"]
    assert result.language == "nb"
    q = quote_with(result, "Jeg er åpen for kontakter og møter")
    assert q.kind == "direct" and q.cue and q.cue.text == "sa"
    assert q.speaker.name.endswith("Putin")
    q = quote_with(result, "at samtalene skulle gjenopptas")
    assert q.speaker.mention == "Han" and q.speaker.name.endswith("Putin")
    q = quote_with(result, "forhandlingsrundene mellom de to landene")
    assert "sjefen" in q.speaker.mention and q.speaker.name.endswith("Putin")


@pytest.mark.models
def test_the_speaker_named_after_the_cue_is_not_its_content(seed_results):
    """«…», sa Putin og understreket …: "Putin" is the cue's inverted subject, not a bare content clause."""
    result, _ = seed_results["004"]
    q = quote_with(result, "Jeg er åpen for kontakter og møter")
    assert [x.text for x in result.quotes if x.start >= q.end and x.start < q.end + 40] == []
    for seed, (result, _) in seed_results.items():
        for x in result.quotes:  # no quote is nothing but its own speaker's mention
            assert not (x.speaker and x.speaker.start <= x.start and x.end <= x.speaker.end), (seed, x.text)


@pytest.mark.models
def test_generic_and_outlet_speakers_are_not_resolved_to_people(seed_results):
    result, _ = seed_results["004"]
    q = quote_with(result, "Ukrainske droner skadet nylig")
    assert "kilder" in q.speaker.mention
    assert "Putin" not in q.speaker.name and q.speaker.name != "Ukraina"
    for q in result.quotes:
        if q.speaker and q.speaker.mention == "t-online":
            assert q.speaker.entity_type == "ORG" and q.speaker.name == "t-online"
