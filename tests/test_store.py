"""The store: schemas derived from the records, upserts, concurrent writers, every input accounted
for, and the questions (query, speakers, audit, trace, sql) on a store of the seeds.

The store is built once for the module, without Prefect, from the seeds plus: one article dated
and credited to Sputnik that carries the first paragraph of seed 001 word for word (so a trace
has an earlier document to find), a binary file and an empty file (failures).
"""

from __future__ import annotations

import json
import pickle
import shutil
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Literal

import polars as pl
import pytest
from conftest import SEEDS, file_id

from quotes.ask import query as ask
from quotes.ingest.read import read_documents
from quotes.records import Citation, DocumentResult, Failure, Quote, Speaker
from quotes.run import runner as corpus
from quotes.store.reader import open_store
from quotes.store.tables import SPECS, TABLES, polars_dtype
from quotes.store.writer import Failed, Processed, Store, batch_frames

pytestmark = pytest.mark.models
SPUTNIK_DATE = "2024-01-15T09:00:00+00:00"


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def corpus_paths(root: Path) -> list[str]:
    extra = root / "extra"
    extra.mkdir()
    first_paragraph = seed_text("001").split("\n\n")[1]
    record = {"id": "sputnik-peskow", "text": first_paragraph, "published": SPUTNIK_DATE, "outlet": "Sputnik",
              "lang": "de"}
    (extra / "sputnik.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (extra / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (extra / "empty.txt").write_text("", encoding="utf-8")
    return [str(SEEDS), str(extra)]


@pytest.fixture(scope="module")
def built(models, tmp_path_factory):
    """(store, paths, items written, summary): the seeds store, built by the library alone."""
    root = tmp_path_factory.mktemp("seed-store")
    paths = corpus_paths(root)
    items: list = []

    def process(*args):
        items.extend(corpus.process_batch(*args))
        docs = args[0]
        return items[-len(docs):]

    store = Store(root / "store")
    summary = corpus.run_corpus(paths, store, steps=corpus.Steps(process=process))
    return store, paths, items, summary


@pytest.fixture(scope="module")
def tables(built):
    return open_store(built[0].uri)


# --- schemas -------------------------------------------------------------------------------------


def test_polars_dtypes_follow_the_field_types():
    assert polars_dtype(str | None) == pl.String
    assert polars_dtype(int) == pl.Int64
    assert polars_dtype(list[str]) == pl.List(pl.String)
    assert polars_dtype(Literal["a", "b"]) == pl.String
    assert polars_dtype(datetime) == pl.Datetime("us", "UTC")
    assert polars_dtype(Speaker) == pl.Struct({name: polars_dtype(f.annotation) for name, f in Speaker.model_fields.items()})
    with pytest.raises(TypeError):
        polars_dtype(int | str)


def test_table_schemas_derive_from_the_records():
    quotes = SPECS["quotes"].schema
    for name, field in Quote.model_fields.items():
        if name in ("speaker", "cue"):
            nested = Speaker if name == "speaker" else Quote.model_fields["cue"].annotation.__args__[0]
            for sub, sf in nested.model_fields.items():
                assert quotes[f"{name}_{sub}"] == polars_dtype(sf.annotation)
        else:
            assert quotes[name] == polars_dtype(field.annotation)
    for table in ("quotes", "citations", "mentions"):
        schema = SPECS[table].schema
        for col in ("doc_id", "outlet", "language", "published", "path"):
            assert col in schema, (table, col)
    assert set(Citation.model_fields) <= set(SPECS["citations"].schema)
    assert set(Failure.model_fields) <= set(SPECS["failures"].schema)
    documents = SPECS["documents"].schema
    assert {"outlet", "outlet_evidence", "content_hash", "extractor_version", "model_version"} <= set(documents)
    assert not {"segments", "quotes", "citations"} & set(documents)


def test_stored_tables_have_the_derived_schemas(tables):
    for name in TABLES:
        expected = dict(SPECS[name].schema)
        if name in ("quotes", "citations"):  # readers see the entity of the speaker or source too
            expected["entity_id"] = pl.String
        assert tables[name].collect_schema() == pl.Schema(expected), name


# --- writes --------------------------------------------------------------------------------------


def test_every_input_is_in_documents_or_failures(built, tables):
    _, paths, _, summary = built
    expected = {e.doc_id or e.path if isinstance(e, Failure) else e.doc_id for e in read_documents(paths)}
    documents = set(tables.documents.select("doc_id").collect().to_series())
    failures = set(tables.failures.select("doc_id").collect().to_series())
    assert documents | failures == expected
    assert not documents & failures
    assert documents == {file_id(p) for p in SEEDS.glob("*.txt")} | {"sputnik-peskow"}
    assert {Path(f).name for f in failures} == {"binary.txt", "empty.txt"}
    errors = {Path(k).stem: v for k, v in tables.failures.select("doc_id", "error").collect().iter_rows()}
    assert "binary file" in errors["binary"] and "empty" in errors["empty"]
    assert summary.documents == 8 and summary.processed == 6 and summary.failures == 2


def test_rerun_over_an_unchanged_corpus_skips_every_document(built):
    store, paths, _, _ = built
    before = {name: store.scan(name).select(pl.len()).collect().item() for name in TABLES}
    again = corpus.run_corpus(paths, store)
    assert (again.processed, again.skipped) == (0, 6)
    # unreadable inputs are still failures, but unchanged ones are not tried (or written) again
    assert (again.failures, again.failed, again.failed_before) == (2, 0, 2)
    assert {name: store.scan(name).select(pl.len()).collect().item() for name in TABLES} == before


def _counts(store: Store) -> dict[str, int]:
    return {name: store.scan(name).select(pl.len()).collect().item() for name in TABLES}


def test_upserts_replace_a_documents_rows_and_never_duplicate(built, tmp_path):
    _, _, items, _ = built
    store = Store(tmp_path / "store")
    store.write(items)
    once = _counts(store)
    store.write(items)
    store.write(items[:2])
    assert _counts(store) == once
    for name in TABLES:
        keys = store.scan(name).select(SPECS[name].key).collect().to_series()
        assert keys.n_unique() == keys.len(), name
    # the same document again with fewer quotes: its stale rows go, the others stay
    doc = next(i for i in items if isinstance(i, Processed) and len(i.result.quotes) > 2)
    fewer = Processed(doc.result.model_copy(update={"quotes": doc.result.quotes[:1]}), doc.provenance, doc.chars,
                      mentions=doc.mentions)
    store.write([fewer])
    quotes = store.scan("quotes").collect()
    assert quotes.filter(pl.col("doc_id") == doc.result.doc_id).height == 1
    assert quotes.height == once["quotes"] - len(doc.result.quotes) + 1
    # a document that now fails leaves documents and quotes for failures
    broken = Failed(Failure(doc_id=doc.result.doc_id, path=doc.result.path, stage="parse", error="boom"),
                    doc.provenance)
    store.write([broken])
    assert store.scan("documents").filter(pl.col("doc_id") == doc.result.doc_id).collect().is_empty()
    assert store.scan("quotes").filter(pl.col("doc_id") == doc.result.doc_id).collect().is_empty()
    assert store.scan("failures").filter(pl.col("doc_id") == doc.result.doc_id).collect().height == 1


WRITER = """
import pickle, sys
from quotes.store.writer import Store
store, batches = Store(sys.argv[1]), pickle.load(open(sys.argv[2], "rb"))
for _ in range(3):
    for batch in batches:
        store.write(batch)
"""


def test_concurrent_writers_lose_nothing(built, tmp_path):
    """Two processes write to one new store at once, one document a commit, three times over;
    both also write the same document. Every row is there exactly once."""
    _, _, items, _ = built
    processed = [i for i in items if isinstance(i, Processed)]
    shared = processed[0]
    halves = [[shared] + processed[1::2], [shared] + processed[2::2] + [i for i in items if isinstance(i, Failed)]]
    procs = []
    for n, half in enumerate(halves):
        path = tmp_path / f"batches{n}.pkl"
        path.write_bytes(pickle.dumps([[item] for item in half]))
        procs.append(subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "store"), str(path)],
                                      stderr=subprocess.PIPE, text=True))
    for p in procs:
        assert p.wait(timeout=180) == 0, p.stderr.read()
    store = Store(tmp_path / "store")
    expected = batch_frames(items)
    for name in TABLES:
        got = store.scan(name).collect()
        assert got.height == expected[name].height, name
        assert set(got[SPECS[name].key]) == set(expected[name][SPECS[name].key]), name


# --- asking --------------------------------------------------------------------------------------


def _doc_ids(frame: pl.LazyFrame | pl.DataFrame) -> set[str]:
    frame = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    return {d[:3] if d[:3].isdigit() else d for d in frame["doc_id"]}


def test_query_quotes_filters(tables):
    peskow = ask.query_quotes(tables, speaker="peskow").collect()
    assert peskow.height >= 10 and all("Peskow" in s for s in peskow["speaker_name"])
    assert _doc_ids(ask.query_quotes(tables, outlet="rt")) == {"000", "001", "002"}
    assert _doc_ids(ask.query_quotes(tables, source="Sputnik")) == {"000", "001"}
    assert _doc_ids(ask.query_quotes(tables, lang="nb")) == {"004"}
    assert _doc_ids(ask.query_quotes(tables, outlet="(unknown)")) == {"004"}
    assert _doc_ids(ask.query_quotes(tables, since="2024-01-01")) == {"sputnik-peskow"}
    assert _doc_ids(ask.query_quotes(tables, contains="ÅPEN FOR KONTAKTER")) == {"004"}
    # only seed 003 has a comment section with quotes in it: left out unless asked for
    default = ask.query_quotes(tables).collect()
    assert not default["in_comments"].any()
    everything = ask.query_quotes(tables, include_comments=True).collect()
    comments = everything.filter(pl.col("in_comments"))
    assert _doc_ids(comments) == {"003"}
    assert everything.height == default.height + comments.height


def test_speakers_counts_quotes_and_outlets(tables):
    who = ask.speakers(ask.query_quotes(tables), tables.entities).collect()
    top = who.row(0, named=True)
    assert top["name"] == "Dmitri Peskow"
    assert top["quotes"] == ask.query_quotes(tables, speaker="Dmitri Peskow").collect().height
    assert {"RT", "eXXpress", "Sputnik"} <= set(top["outlets"])
    # one entity for the German and the Norwegian spelling (issue 9): its quotes in both languages
    putin = who.filter(pl.col("aliases").list.contains("Vladimir Putin")).row(0, named=True)
    assert "Wladimir Putin" in putin["aliases"] and putin["languages"] == ["de", "nb"]
    assert "(unknown)" in putin["outlets"] and "RT" in putin["outlets"]
    nb_only = ask.speakers(ask.query_quotes(tables, lang="nb"), tables.entities).collect()
    assert nb_only.filter(pl.col("entity_id") == putin["entity_id"])["languages"].to_list() == [["nb"]]


def test_audit_shows_who_cites_whom(tables):
    rows = {(r["outlet"], r["source"]): r for r in ask.audit(tables).iter_rows(named=True)}
    rt_sputnik = rows[("RT", "Sputnik")]
    assert rt_sputnik["count"] == 2 and [d[:3] for d in rt_sputnik["documents"]] == ["000", "001"]
    assert rows[("RT", "RIA Novosti")]["count"] == 1
    for source in ("oe24", "t-online", "ZDF"):
        assert rows[("(unknown)", source)]["count"] == 1
        assert rows[("(unknown)", source)]["documents"][0].startswith("004")
    kyiv = rows[("eXXpress", "Kyiv Post")]
    assert (kyiv["count"], kyiv["in_comments"]) == (0, 1)


def test_audit_cli_json_and_plot(built, tmp_path):
    from typer.testing import CliRunner

    from quotes.cli.main import app

    plot = tmp_path / "audit.png"
    result = CliRunner().invoke(app, ["audit", "--store", built[0].uri, "--format", "json", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert {"outlet": "RT", "source": "Sputnik", "count": 2, "in_comments": 0} == {
        k: v for k, v in listed[0].items() if k != "documents"}
    assert all(set(row) == {"outlet", "source", "count", "documents", "in_comments"} for row in listed)
    assert plot.stat().st_size > 10_000


def test_trace_finds_where_a_statement_appeared_first_across_languages(built):
    """Seed 001's first paragraph was published earlier by Sputnik (the extra document); its
    lead sentence, put into Norwegian and English by hand, finds both, the earlier first."""
    from quotes.ask.trace import in_publication_order, trace_texts

    store = built[0]
    german = "Wladimir Putin wird in absehbarer Zukunft zu einem offiziellen Besuch nach Nordkorea kommen."
    assert german in seed_text("001")
    renderings = ["Vladimir Putin kommer i overskuelig fremtid til å avlegge et offisielt besøk i Nord-Korea.",
                  "Vladimir Putin will come to North Korea on an official visit in the foreseeable future."]
    for found in trace_texts(store, renderings):
        ordered = in_publication_order(found)
        assert [d[:3] if d[:3].isdigit() else d for d in ordered["doc_id"]][:2] == ["sputnik-peskow", "001"], ordered
        assert ordered["appeared"][0] == "first" and ordered["outlet"][0] == "Sputnik"
        assert ordered.filter(pl.col("doc_id").str.starts_with("001"))["sources"][0].to_list() == ["Sputnik"]
        assert ordered["score"][0] >= 0.875


def test_trace_finds_nothing_for_a_statement_no_document_makes(built):
    from quotes.ask.trace import trace_texts

    unrelated = ["Das Wetter in Bergen war am Wochenende ungewöhnlich mild.",
                 "The central bank left its interest rate unchanged on Thursday."]
    assert all(found.is_empty() for found in trace_texts(built[0], unrelated))


def test_trace_from_a_stored_quote_and_bad_statements(built, tables):
    from quotes.ask.trace import TraceError, trace_quote, trace_texts

    quote = tables.quotes.filter(pl.col("text").str.contains("Jeg er åpen for kontakter og møter")).collect()
    stored, found = trace_quote(built[0], quote["quote_id"][0])
    assert stored["quote_id"] == quote["quote_id"][0] and _doc_ids(found) >= {"004"}
    for bad, says in (("", "empty"), ("x" * 100_000, "100,000 characters")):
        with pytest.raises(TraceError, match=says):
            trace_texts(built[0], [bad])
    with pytest.raises(TraceError, match="no quote"):
        trace_quote(built[0], "no-such-quote")


def test_claims_join_the_copy_and_its_original_and_nothing_else(tables):
    claims = tables.claims.collect()
    assert set(claims["doc_id"].map_elements(lambda d: d[:3] if d[:3].isdigit() else d, return_dtype=pl.String)) \
        == {"sputnik-peskow", "001"}, "only the copied paragraph travelled between the seeds' documents"
    assert (claims["first_outlet"] == "Sputnik").all() and (claims["documents"] == 2).all()
    first = claims.filter(pl.col("first"))
    assert set(first["doc_id"]) == {"sputnik-peskow"}
    repeated = tables.sql("SELECT DISTINCT claim_id FROM claims WHERE outlet = 'RT' AND first_outlet = 'Sputnik'")
    assert repeated.height == claims["claim_id"].n_unique() >= 1


def test_sql_over_the_tables(tables):
    out = tables.sql("SELECT outlet, COUNT(*) AS n FROM documents GROUP BY outlet ORDER BY n DESC, outlet")
    assert out.row(0) == ("RT", 3)
    joined = tables.sql("SELECT q.doc_id FROM quotes q JOIN citations c ON q.doc_id = c.doc_id "
                        "WHERE c.source = 'RIA Novosti'")
    assert set(joined["doc_id"]) == {file_id(next(SEEDS.glob("002_*")))}


def test_document_results_round_trip_through_the_documents_table(built, tables):
    _, _, items, _ = built
    result = next(i.result for i in items if isinstance(i, Processed) and i.result.doc_id == "sputnik-peskow")
    row = tables.documents.filter(pl.col("doc_id") == "sputnik-peskow").collect().row(0, named=True)
    assert row["outlet"] == "Sputnik" and row["n_quotes"] == len(result.quotes)
    assert row["published"] == datetime.fromisoformat(SPUTNIK_DATE)
    assert isinstance(result, DocumentResult)


KILLED_WRITER = """
import os, pickle, signal, sys
from quotes.store.writer import Store
store, items, kill_after = Store(sys.argv[1]), pickle.load(open(sys.argv[2], "rb")), int(sys.argv[3])
calls = [0]
def killed_after(step):
    def wrapped(*args, **kwargs):
        out = step(*args, **kwargs)
        calls[0] += 1
        if calls[0] == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return out
    return wrapped
for name in ("_append", "_replace", "_delete"):
    setattr(Store, name, killed_after(getattr(Store, name)))
store.write(items)
print(calls[0])
"""


def _consistent(store: Store, versions: dict[str, dict[str, int]]) -> dict[str, str]:
    """Which version each document shows; fails when one shows a mix, or rows without its document."""
    tables = store.tables()
    documents = tables.documents.collect()
    shown = {}
    for name in ("quotes", "citations"):
        assert set(tables[name].collect()["doc_id"]) <= set(documents["doc_id"]), name
    for row in documents.iter_rows(named=True):
        counts = {name: tables[name].filter(pl.col("doc_id") == row["doc_id"]).select(pl.len()).collect().item()
                  for name in ("quotes", "citations")}
        assert counts["quotes"] == row["n_quotes"] and counts["citations"] == row["n_citations"], row["doc_id"]
        shown[row["doc_id"]] = next(v for v, c in versions[row["doc_id"]].items() if c == counts["quotes"])
    return shown


def test_a_kill_at_any_step_of_a_write_leaves_every_document_whole(built, tmp_path):
    """Version A of the seeds is stored; a writer of version B (one quote a document) is killed
    after each of its Delta commits in turn. Readers see each document whole, in A or in B, never
    quotes without their document; the next write and a sweep leave no trace of the killed one."""
    _, _, items, _ = built
    version_a = [i for i in items if isinstance(i, Processed) and len(i.result.quotes) > 1]
    version_b = [Processed(i.result.model_copy(update={"quotes": i.result.quotes[:1]}), i.provenance, i.chars,
                           mentions=i.mentions) for i in version_a]
    versions = {i.result.doc_id: {"A": len(i.result.quotes), "B": 1} for i in version_a}
    template = Store(tmp_path / "a")
    template.write(version_a)
    batch = tmp_path / "b.pkl"
    batch.write_bytes(pickle.dumps(version_b))
    steps = int(subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path / "count"), str(batch), "0"],
                               capture_output=True, text=True, check=True).stdout)
    assert steps >= 5
    seen = set()
    for kill_after in range(1, steps + 1):
        store_dir = tmp_path / f"killed-after-{kill_after}"
        shutil.copytree(tmp_path / "a", store_dir)
        proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(store_dir), str(batch), str(kill_after)],
                              capture_output=True, text=True)
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        store = Store(store_dir)
        shown = _consistent(store, versions)
        seen.add(tuple(sorted(set(shown.values()))))
        store.write(version_b)  # the next run
        assert set(_consistent(store, versions).values()) == {"B"}
        store.sweep(min_age_s=0)
        for name in ("quotes", "citations", "mentions"):
            assert store.scan(name).collect().height == store.view(name).collect().height, (kill_after, name)
    assert seen == {("A",), ("B",)}, "killed before the documents commit: A; after it: B"


def test_documents_with_the_same_file_name_stay_apart_and_an_edited_file_replaces_its_old_version(models, tmp_path):
    store = Store(tmp_path / "store")
    first, second = tmp_path / "same1" / "article.txt", tmp_path / "same2" / "article.txt"
    for path, prefix in ((first, "000"), (second, "001")):
        path.parent.mkdir()
        path.write_text(seed_text(prefix), encoding="utf-8")
    corpus.run_corpus([str(first)], store)
    corpus.run_corpus([str(second)], store)  # a later run, the same file name: a new document
    documents = store.tables().documents.collect()
    assert sorted(documents["doc_id"]) == sorted([file_id(first), file_id(second)])
    before = store.tables().quotes.collect()
    assert set(before["doc_id"]) == set(documents["doc_id"])

    again = corpus.run_corpus([str(tmp_path)], store)  # the same files through their folder: ids are stable
    assert (again.processed, again.skipped) == (0, 2)

    old_id = file_id(first)
    first.write_text(seed_text("000") + "\n\nDer Sprecher sagte, das sei alles.\n", encoding="utf-8")
    edited = corpus.run_corpus([str(first)], store)
    assert edited.processed == 1
    documents = store.tables().documents.collect()
    assert sorted(documents["doc_id"]) == sorted([file_id(first), file_id(second)]), "the old version is gone"
    for name in ("quotes", "citations", "mentions", "entity_links"):
        assert old_id not in set(store.scan(name).collect()["doc_id"]), name


def test_a_failed_input_is_recorded_once_and_tried_again_when_it_changes(models, tmp_path):
    store = Store(tmp_path / "store")
    empty = tmp_path / "inbox" / "late.txt"
    empty.parent.mkdir()
    empty.write_text("")
    first = corpus.run_corpus([str(empty.parent)], store)
    assert (first.failed, first.failed_before) == (1, 0)
    recorded = store.scan("failures").collect()
    for _ in range(2):  # what `quotes serve` does every interval
        again = corpus.run_corpus([str(empty.parent)], store)
        assert (again.failed, again.failed_before, again.failures) == (0, 1, 1)
    assert store.scan("failures").collect().equals(recorded), "not written again"
    empty.write_text(seed_text("004"), encoding="utf-8")
    fixed = corpus.run_corpus([str(empty.parent)], store)
    assert (fixed.processed, fixed.failures) == (1, 0)
    assert store.tables().failures.collect().is_empty()


def test_progress_advances_document_by_document(models, tmp_path):
    calls = []
    corpus.run_corpus([str(SEEDS)], Store(tmp_path / "store"), batch_size=1, progress=lambda n, total: calls.append((n, total)))
    assert calls == [(1, 5)] * 5


def test_a_quote_with_direct_spans_keeps_them_in_the_store(built, tmp_path):
    """A mixed quote's direct spans, one or two, are stored as written (a list of records)."""
    from quotes.records import Span

    _, _, items, _ = built
    doc = next(i for i in items if isinstance(i, Processed) and len(i.result.quotes) > 1)
    first, second = doc.result.quotes[:2]
    spans = {first.quote_id: [Span(start=first.start, end=first.start + 2)],
             second.quote_id: [Span(start=second.start, end=second.start + 1),
                               Span(start=second.start + 2, end=second.start + 3)]}
    quotes = [q.model_copy(update={"direct_spans": spans.get(q.quote_id, [])}) for q in doc.result.quotes]
    store = Store(tmp_path / "store")
    store.write([Processed(doc.result.model_copy(update={"quotes": quotes}), doc.provenance, doc.chars)])
    stored = dict(store.tables().quotes.select("quote_id", "direct_spans").collect().iter_rows())
    for quote_id, expected in spans.items():
        assert stored[quote_id] == [s.model_dump() for s in expected], quote_id


def test_a_speaker_without_a_name_is_no_entity():
    """An unresolved speaker (name null, a pronoun's type known) is no mention of the document."""
    from quotes.corpus.mentions import document_mentions

    unresolved = Speaker(start=0, end=2, name=None, mention="Er", entity_type="PER")
    named = Speaker(start=10, end=16, name="Peskow", mention="Peskow", entity_type="PER")
    quotes = [Quote(quote_id=f"q{i}", text="x", start=20 + i, end=30 + i, kind="indirect", confidence=0.5,
                    speaker=sp) for i, sp in enumerate((unresolved, named))]
    mentions = document_mentions(DocumentResult(doc_id="d", path="d.txt", language="de", quotes=quotes), None)
    assert [(m.name, m.quoted) for m in mentions] == [("Peskow", 1)]
