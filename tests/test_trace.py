"""Statements, their vectors, trace and claims on real text: the parts behind `quotes trace`,
`quotes embed` and `quotes claims` (the seeds' own trace and claims are in test_store.py)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import SEEDS, run_main

pytestmark = pytest.mark.models


def test_a_text_is_encoded_once_however_often_it_is_said(models):
    from quotes.embed.encoders import load_encoder
    from quotes.embed.statements import Statement, embed_statements, text_hash

    said = "Der Kreml hat am Montag einen Besuch Putins in Nordkorea angekündigt."
    statements = [Statement(f"s{i}", "sentence", 0, len(text), text, None, text_hash(text))
                  for i, text in enumerate([said, said, "  " + said.replace(" ", "  "), "Ein anderer Satz, der etwas anderes sagt."])]
    encoder = load_encoder()
    assert embed_statements(statements, encoder) == 2, "three spellings of one text, and another text"
    assert statements[0].vector == statements[1].vector == statements[2].vector != statements[3].vector
    again = [Statement("s9", "sentence", 0, len(said), said, None, text_hash(said))]
    known = {text_hash(said): statements[0].vector}
    assert embed_statements(again, encoder, lambda hashes: {h: known[h] for h in hashes if h in known}) == 0
    assert again[0].vector == statements[0].vector and again[0].encoder == encoder.name


@pytest.fixture(scope="module")
def unembedded(models, tmp_path_factory):
    """Two seeds stored without vectors (`quotes run --no-embed`)."""
    from quotes.run import runner as corpus
    from quotes.store.writer import Store

    store = Store(tmp_path_factory.mktemp("no-embed") / "store")
    corpus.run_corpus([str(p) for p in sorted(SEEDS.glob("00[14]_*.txt"))], store, embed=False)
    return store


def test_statements_stored_without_vectors_are_caught_up_by_quotes_embed(capsys, unembedded):
    from quotes.ask.trace import TraceError, trace_texts

    statements = unembedded.tables().statements.collect()
    assert statements.height > 20 and statements["vector"].is_null().all()
    assert set(statements["kind"]) == {"sentence", "quote"}
    with pytest.raises(TraceError, match="quotes embed"):
        trace_texts(unembedded, ["Putin wird Nordkorea in absehbarer Zukunft besuchen."])
    status, _, err = run_main(capsys, "trace", "Putin wird Nordkorea besuchen.", "--store", unembedded.uri)
    assert status == 2 and "quotes embed" in err
    status, _, err = run_main(capsys, "embed", "--store", unembedded.uri)
    assert status == 0, err
    assert f"{statements.height} statements embedded" in err
    embedded = unembedded.tables().statements.collect()
    assert embedded["vector"].is_not_null().all() and embedded.height == statements.height
    (found,) = trace_texts(unembedded, ["Vladimir Putin will come to North Korea on an official visit in the "
                                        "foreseeable future."])
    assert found["doc_id"][0].startswith("001")


def test_trace_file_prints_one_json_object_per_statement(capsys, seed_store, tmp_path):
    statements = ["Vladimir Putin will come to North Korea on an official visit in the foreseeable future.",
                  "The central bank left its interest rate unchanged on Thursday."]
    (tmp_path / "statements.txt").write_text("\n".join(statements) + "\n", encoding="utf-8")
    status, out, err = run_main(capsys, "trace", "--file", str(tmp_path / "statements.txt"), "--format", "jsonl",
                                "--store", seed_store.uri)
    assert status == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["statement"] for line in lines] == statements
    first, second = lines
    assert first["matches"] and first["matches"][0]["doc_id"].startswith("001")
    assert all({"doc_id", "score"} <= set(m) for m in first["matches"])
    assert [m["score"] for m in first["matches"]] == sorted((m["score"] for m in first["matches"]), reverse=True)
    assert min(m["score"] for m in first["matches"]) >= 0.875
    assert second["matches"] == []


def test_a_statement_with_no_match_says_so(capsys, seed_store):
    status, out, err = run_main(capsys, "trace", "The central bank left its interest rate unchanged on Thursday.",
                                "--store", seed_store.uri)
    assert status == 0, err
    assert "no stored statement matches" in err and "--threshold" in err


def test_numbers_and_length_keep_topic_neighbours_apart():
    from quotes.corpus.matching import texts_agree

    assert not texts_agree("Im Juli 2023 besuchte Russlands Verteidigungsminister Sergei Schoigu Nordkorea.",
                           "Erstmals seit 2019 hat Nordkoreas Staatschef Kim Jong-un Russland besucht.")
    assert not texts_agree("Diese Frage werde über diplomatische Kanäle koordiniert.",
                           "Utfordringene som krig innebærer og spørsmålene om internasjonalt diplomati forblir "
                           "sammensatte.")
    assert texts_agree("Die Inflation in der Eurozone ist im März auf 2,4 Prozent gesunken.",
                       "Inflasjonen i eurosonen falt til 2,4 prosent i mars.")
    assert texts_agree("Der Konzern will bis 2026 weltweit 5000 Stellen abbauen.",
                       "Bis 2026 sollen in dem Konzern weltweit 5.000 Arbeitsplätze wegfallen.")


def test_a_later_document_in_another_language_joins_the_claims_of_earlier_ones(models, tmp_path):
    """Two German documents, each with one statement, stored in two runs; then a Norwegian one that
    says both: each of its statements joins the claim of the German one it translates, and the
    German document stays where the claim appeared first."""
    from quotes.run import runner as corpus
    from quotes.store.writer import Store

    one = "Die Regierung will im Herbst einen neuen Vorschlag zur Steuer vorlegen, sagte der Minister am Montag."
    two = "Bei dem Unfall auf der Autobahn wurden am Sonntag drei Menschen schwer verletzt."
    filler = "Das ist ein Satz über etwas ganz anderes, der nichts mit dem Rest zu tun hat."
    store = Store(tmp_path / "store")
    for name, text in (("a", f"{one} {filler}"), ("b", f"{two} Heute regnete es in Hamburg den ganzen Tag.")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        corpus.run_corpus([str(tmp_path / f"{name}.txt")], store, lang="de")
    assert store.tables().claims.collect().is_empty()
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "c", "lang": "nb", "text":
        "Regjeringen vil legge fram et nytt forslag om skatt i høst, sa ministeren mandag. "
        "Tre personer ble alvorlig skadet i ulykken på motorveien søndag."}) + "\n", encoding="utf-8")
    corpus.run_corpus([str(tmp_path / "c.jsonl")], store)
    claims = store.tables().claims.collect()
    by_claim = claims.group_by("claim_id").agg(pl.col("doc_id").unique().sort())
    groups = sorted(tuple(d[:1] for d in docs) for docs in by_claim["doc_id"].to_list())
    assert groups == [("a", "c"), ("b", "c")], by_claim
    assert sorted(claims.filter(pl.col("first"))["doc_id"].str.slice(0, 1).unique()) == ["a", "b"]
    assert set(claims["languages"]) == {2}
    linked = claims.filter(pl.col("linked_to").is_not_null())
    assert linked.height >= 2 and linked["why"].is_not_null().all() and (linked["link_score"] >= 0.875).all()
    assert set(linked["linked_to"]) <= set(claims["statement_id"])


def test_a_different_number_on_the_same_story_is_a_near_miss_not_a_match(seed_store):
    from quotes.ask.trace import trace_with_near_misses

    ((found, missed),) = trace_with_near_misses(
        seed_store, ["Die Gespräche zwischen beiden Staatsoberhäuptern sollen knapp zwei Stunden gedauert haben."], lang="de")
    assert found.is_empty(), found
    assert missed["doc_id"][0].startswith("002") and missed["differs"][0].to_list() == ["different number"]
    ((found, _),) = trace_with_near_misses(
        seed_store, ["The talks between the two leaders are said to have lasted four to five hours."], lang="en")
    assert found["doc_id"][0].startswith("002") and "numbers 4, 5" in found["why"][0]


def test_trace_near_misses_on_the_command_line(capsys, seed_store):
    status, out, err = run_main(capsys, "trace", "I juli 2023 besøkte Russlands utenriksminister Sergej Lavrov Nord-Korea.",
                                "--near-misses", "--format", "jsonl", "--store", seed_store.uri)
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert not [r for r in rows if not r.get("near_miss")], "Lavrov is not Schoigu: no match"
    assert any(r["doc_id"].startswith("001") and "different person" in r["differs"] for r in rows)
