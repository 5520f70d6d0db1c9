"""Quoted spans by their marks, on real text: the seeds, German news and Norwegian UD sentences."""

from __future__ import annotations

import json

from conftest import GERMAN_GOLD, SEEDS, SHARED, need

from quotes.extract.quotation_marks import find_quoted_spans, looks_like_name


def spans_of(text):
    return [(text[q.start:q.end], q) for q in find_quoted_spans(text, [(0, len(text))])]


def test_lost_opening_mark_is_recovered_from_the_paragraph_start():
    text = (SEEDS / "000_12ed547d5a234aed.txt").read_text(encoding="utf-8")
    recovered = [q for s, q in spans_of(text) if q.recovered]
    assert len(recovered) == 1
    assert text[recovered[0].start:].startswith("Die beiden Präsidenten zeigten sich")
    assert text[recovered[0].end - 1] == '"'


def test_straight_and_curly_quotes_in_the_seeds():
    text = (SEEDS / "003_e547071d3c73465a.txt").read_text(encoding="utf-8")
    found = [s for s, _ in spans_of(text)]
    assert "“Eins nach dem anderen”" in found
    assert any(s.startswith("“Wir sind bereit") and s.endswith("möglich”") for s in found)
    nb = (SEEDS / "004_d8e3467ada999945.txt").read_text(encoding="utf-8")
    assert '"Jeg er åpen for kontakter og møter,"' in [s for s, _ in spans_of(nb)]


def test_german_low_high_quotes_match_the_gold_direct_quotes():
    path = GERMAN_GOLD / "train.jsonl"
    need(path.is_file(), str(path))
    checked = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            text = doc["originalText"]
            found = {(q.start, q.end) for q in find_quoted_spans(text, [(0, len(text))])}
            for a in doc["annotations"]:
                spans = a["quote"]["spans"] if a.get("quote") else []
                if a["type"] == "Direct" and len(spans) == 1 and text[spans[0]["charBegin"]] == "„":
                    assert (spans[0]["charBegin"], spans[0]["charEnd"]) in found, text[spans[0]["charBegin"]:spans[0]["charEnd"]]
                    checked += 1
            if checked >= 40:
                break
    assert checked >= 40


def test_norwegian_dialogue_dash_lines_are_quotes():
    path = SHARED / "data" / "norwegian-ud" / "no_bokmaal-ud-dev.conllu"
    need(path.is_file(), str(path))
    lines = [ln[len("# text = "):].rstrip("\n") for ln in open(path, encoding="utf-8")
             if ln.startswith(("# text = - ", "# text = – "))]
    assert len(lines) > 20
    for line in lines[:20]:
        (found, q), = spans_of(line)
        assert q.dash and found == line[2:].rstrip()


def test_quoted_names_and_titles_are_not_speech():
    assert looks_like_name("Wostotschny")
    assert looks_like_name("Audiovisuellen Mediendienst-Gesetzes")
    assert not looks_like_name("guten, umfassenden, sinnvollen und fruchtbaren Verhandlungen")
    assert not looks_like_name("Ein alter Freund ist besser als zwei neue")
