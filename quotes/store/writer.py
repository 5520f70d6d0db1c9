"""The store's writes: ``Store``, a ``StoreReader`` (quotes/store/reader.py) that also writes.

Writes are upserts keyed by document id, and readers never see a half-written document. Delta
Lake commits one table at a time, so a batch is written in three steps, every row marked with
the batch's ``write_id``:

1. the rows of ``quotes``, ``citations``, ``mentions`` and ``statements`` are appended (invisible so far);
2. the batch's ``documents`` rows replace those of the same ids in one commit (``overwrite``
   with a ``doc_id IN (…)`` predicate): this commit is the moment the new version appears;
3. the rows of the versions step 2 replaced are deleted.

Readers (``Store.tables``, ``open_store``, every command) see a child row only when the
``documents`` row of its document carries the same ``write_id`` (a semi-join), so a kill at any
step leaves each document either in its old complete version or its new one; rows a killed
writer left behind are invisible and swept later (``Store.sweep``). Concurrent writers lose
nothing: a commit that conflicts with another writer's raises ``CommitFailedError`` and is
re-run on the new table version, and step 3 deletes only versions this writer replaced.

The corpus-level ``entities`` and their ``entity_links`` (document, name → entity), which the
corpus layer builds from the visible mentions (quotes/corpus/entities.py), are published the same
way (``replace_build``): links first, then the entities table in one commit, marked with the
build's ``build_id``; readers see links only of the build the entities table holds.

The embedded default is a local folder; the same code runs on object storage (``s3://…``,
``az://…``, ``gs://…``) with deltalake ``storage_options`` (or the environment variable
``QUOTES_STORAGE_OPTIONS``, a JSON object; AWS_* variables are read by deltalake itself).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import polars as pl

from quotes.records import DocumentResult, Failure
from quotes.store.reader import StoreError, StoreReader, _sql_list
from quotes.store.tables import (
    CHILD_TABLES,
    SPECS,
    TABLES,
    CitationKey,
    DocumentCounts,
    Mention,
    Provenance,
    StatementRow,
    WriteMark,
    new_write_id,
    short_hash,
)

# What an upgrade fills into a column older versions did not write (others: null).
LEGACY_VALUES = {"write_id": "legacy", "in_registry": True}
# Columns an older version of quotes wrote that this one no longer does: an upgrade drops these and
# no other column (a column quotes never wrote is not its own to drop). The per-document
# ``entities`` table of old stores is not listed: it becomes ``mentions`` and is rebuilt whole.
RETIRED_COLUMNS: dict[str, set[str]] = {}
# The marker's layout: bumped with a change of the tables that needs `quotes upgrade`.
STORE_LAYOUT = 1
# Rows of a write that never reached its documents commit are swept once they are this old.
ORPHAN_AGE_S = 3600


# --- what one batch writes -----------------------------------------------------------------------


@dataclass
class Processed:
    """One document, extracted and indexed, ready to store."""

    result: DocumentResult
    provenance: Provenance
    chars: int
    mentions: list[Mention] = field(default_factory=list)
    statements: list[StatementRow] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)  # ids of earlier versions of the same file


@dataclass
class Failed:
    failure: Failure
    provenance: Provenance
    replaces: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The failure's row key: its document id, or its path where there was no document."""
        return self.failure.doc_id or self.failure.path


def batch_frames(items: Sequence[Processed | Failed], write_id: str = "") -> dict[str, pl.DataFrame]:
    """One frame per table for a batch of processed and failed documents, its rows marked ``write_id``."""
    mark = WriteMark(write_id=write_id)
    rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
    for item in items:
        if isinstance(item, Failed):
            failure = item.failure
            if failure.doc_id is None:
                failure = failure.model_copy(update={"doc_id": item.key})
            rows["failures"].append((failure, item.provenance))
            continue
        r = item.result
        counts = DocumentCounts(n_quotes=len(r.quotes), n_citations=len(r.citations), chars=item.chars)
        rows["documents"].append((r, item.provenance, counts, mark))
        for q in r.quotes:
            rows["quotes"].append((r, q, mark))
        for c in r.citations:
            rows["citations"].append((r, CitationKey(citation_id=short_hash(r.doc_id, c.start, c.end, c.source)), c,
                                      mark))
        rows["mentions"] += [(r, m, mark) for m in item.mentions]
        rows["statements"] += [(r, st, mark) for st in item.statements]
    frames = {name: SPECS[name].frame(rows[name]) for name in TABLES}
    return {name: f.unique(subset=SPECS[name].key, keep="last", maintain_order=True) for name, f in frames.items()}


def batch_ids(items: Sequence[Processed | Failed]) -> list[str]:
    """The ids a batch writes, and those of the earlier versions it replaces."""
    ids = [i.key if isinstance(i, Failed) else i.result.doc_id for i in items]
    return list(dict.fromkeys(ids + [old for i in items for old in i.replaces]))


# --- the store -----------------------------------------------------------------------------------


class Store(StoreReader):
    """Delta tables under one folder or object-storage prefix: the reader (quotes/store/reader.py) and
    the writes."""

    def write_marker(self, upgraded: bool = False) -> None:
        """Mark a local store as this tool's (``quotes-store.json``: format, layout, the version that
        created it and when); written once, before the first write, and again by an upgrade."""
        if not self.local:
            return
        import json
        from datetime import datetime, timezone
        from importlib.metadata import PackageNotFoundError, version
        from pathlib import Path

        from quotes.files import write_file

        path = self.marker_path()
        if path.is_file() and not upgraded:
            return
        try:
            me = f"quotes {version('quotes')}"
        except PackageNotFoundError:
            me = "quotes"
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        old = (self.marker() or {}) if path.is_file() else {}
        data = {"format": "quotes-store", "layout": STORE_LAYOUT, "created_by": old.get("created_by", me),
                "created": old.get("created", now)}
        if upgraded:
            data["upgraded_by"], data["upgraded"] = me, now
        Path(self.uri).mkdir(parents=True, exist_ok=True)
        write_file(path, json.dumps(data, indent=1) + "\n", may_sit_in_store=True)

    def upgrade_plan(self) -> dict[str, list[str]]:
        """What ``upgrade`` would change, table by table, in words; StoreError when this is not a
        quotes store or a table holds a column quotes never wrote (nothing is changed then)."""
        self._check_ours()
        plan: dict[str, list[str]] = {}
        foreign = {}
        for name, changes in self.outdated_tables().items():
            if name == "entities" and "write_id" in self._columns("entities"):
                plan[name] = ["the per-document table of an older version: its rows become mentions, then "
                              "the corpus entities are built again"]
                continue
            extra = [c[1:] for c in changes if c.startswith("-")]
            unknown = [c for c in extra if c not in RETIRED_COLUMNS.get(name, set())]
            if unknown:
                foreign[name] = unknown
                continue
            words = [f"add {c} ({LEGACY_VALUES.get(c, 'null')})" for c in changes if not c.startswith("-")]
            plan[name] = words + [f"drop {c} (no longer written)" for c in extra]
        if foreign:
            what = "; ".join(f"{t}: {', '.join(cols)}" for t, cols in foreign.items())
            raise StoreError(f"not upgraded, nothing changed: tables of {self.uri} hold columns no version of quotes "
                             f"wrote ({what}); an upgrade drops only columns quotes owned")
        return plan

    def table_versions(self) -> dict[str, int]:
        """Each table's current Delta version: what an upgrade leaves in the tables' history."""
        return {name: self.delta_table(name).version() for name in TABLES if self.exists(name)}

    def upgrade(self) -> dict[str, list[str]]:
        """Add the columns an older version did not write (``LEGACY_VALUES``, else nulls; ``write_id``
        'legacy', so that old rows stay visible) and drop those it retired (``RETIRED_COLUMNS``, no
        other), table by table; an ``entities`` table of the older, per-document layout becomes the
        ``mentions`` table, from which the caller builds the corpus entities again
        (quotes/run/upgrade.py). The store gets its marker. Returns the changes (``upgrade_plan``)."""
        from quotes.store.legacy import mentions_from_old_entities

        plan = self.upgrade_plan()
        added = self.outdated_tables()
        self.write_marker(upgraded=bool(added) or self.marker() is None)
        for name, changes in added.items():
            if name == "entities":
                continue  # rebuilt below
            frame = pl.read_delta(self.table_uri(name), storage_options=self.storage_options)
            schema = SPECS[name].schema
            columns = [c for c in changes if not c.startswith("-")]
            frame = frame.with_columns(pl.lit(LEGACY_VALUES.get(c), dtype=schema[c]).alias(c) for c in columns)
            frame.select(list(schema)).write_delta(self.table_uri(name), mode="overwrite",
                                                  storage_options=self.storage_options,
                                                  delta_write_options={"schema_mode": "overwrite"})
        if "entities" in added:
            if "write_id" in self.scan("entities").collect_schema() and not self.exists("mentions"):
                mentions = mentions_from_old_entities(self)
                mentions.write_delta(self.table_uri("mentions"), mode="append", storage_options=self.storage_options)
                plan["mentions"] = [f"{mentions.height} rows from the per-document entities table"]
            plan["entities"] = ["rebuilt for the whole corpus"]
        return plan

    def known_vectors(self, encoder: str) -> "Callable[[list[str]], dict[str, bytes]]":
        """A lookup for the embedding step: text hashes → vectors already stored by ``encoder``."""

        def lookup(hashes: list[str]) -> dict[str, bytes]:
            if not hashes or not self.exists("statements"):
                return {}
            found = (self.scan("statements")
                     .filter(pl.col("text_hash").is_in(hashes), pl.col("encoder") == encoder,
                             pl.col("vector").is_not_null())
                     .select("text_hash", "vector").unique("text_hash").collect())
            return dict(found.iter_rows())

        return lookup

    def set_vectors(self, vectors: pl.DataFrame, attempts: int = 30) -> int:
        """Store vectors for existing statements: ``vectors`` has statement_id, encoder, vector."""
        from deltalake import DeltaTable

        if vectors.is_empty():
            return 0

        def step():
            table = DeltaTable(self.table_uri("statements"), storage_options=self.storage_options)
            return (table.merge(vectors, predicate="t.statement_id = s.statement_id",
                                source_alias="s", target_alias="t")
                    .when_matched_update({"encoder": "s.encoder", "vector": "s.vector"}).execute())

        self._retrying(attempts, step)
        return vectors.height

    def replace_claims(self, members: pl.DataFrame, claim_ids: list[str], attempts: int = 30,
                       links: pl.DataFrame | None = None) -> None:
        """Append ``links`` (why statements joined: statement_id, neighbour, score, why), delete the
        members of ``claim_ids``, then append ``members`` (statement_id, claim_id). Not one commit: a
        statement a kill leaves without a claim is taken up again next time (its links again too;
        the claims view reads the best link of a statement)."""
        if links is not None and links.height:
            self._append("claim_links", links.select(list(SPECS["claim_links"].schema)), attempts)
        if claim_ids and self.exists("claim_members"):
            for i in range(0, len(claim_ids), 5_000):
                self._delete_where("claim_members", f"claim_id IN ({_sql_list(claim_ids[i:i + 5_000])})", attempts)
        self._append("claim_members", members.select(list(SPECS["claim_members"].schema)), attempts)

    def forget_failures(self, keys: Sequence[str], attempts: int = 30) -> int:
        """Delete the failure rows of ``keys`` (inputs that no longer fail)."""
        if not keys or not self.exists("failures"):
            return 0
        return self._delete_where("failures", f"doc_id IN ({_sql_list(keys)})", attempts)

    # --- writing ---------------------------------------------------------------------------------

    def write(self, items: Sequence[Processed | Failed], attempts: int = 30) -> dict[str, int]:
        """Upsert a batch: every row of these documents (and of the earlier versions they replace)
        is replaced, in every table. Rows written per table."""
        if not items:
            return {name: 0 for name in TABLES}
        self.write_marker()
        write_id = new_write_id()
        frames = batch_frames(items, write_id)
        ids = batch_ids(items)
        for name in CHILD_TABLES:
            self._append(name, frames[name], attempts)
        self._replace("failures", frames["failures"], ids, attempts)
        replaced = self._replace("documents", frames["documents"], ids, attempts)
        for name in CHILD_TABLES:
            self._delete(name, ids, replaced, attempts)
        return {name: frames[name].height for name in TABLES}

    def _retrying(self, attempts: int, step: Callable[[], Any]) -> Any:
        from deltalake.exceptions import CommitFailedError, DeltaError

        for attempt in range(attempts):
            try:
                return step()
            except (CommitFailedError, DeltaError) as exc:
                if attempt + 1 == attempts or not _is_conflict(exc):
                    raise
                time.sleep(random.uniform(0.02, 0.1) * min(attempt + 1, 10))

    def _append(self, name: str, frame: pl.DataFrame, attempts: int) -> None:
        if frame.is_empty():
            return
        self._retrying(attempts, lambda: frame.write_delta(self.table_uri(name), mode="append",
                                                           storage_options=self.storage_options))

    def _replace(self, name: str, frame: pl.DataFrame, ids: list[str], attempts: int) -> list[str]:
        """Replace the rows of ``ids`` by ``frame`` in one commit; returns the write ids replaced
        (read from the same table version the commit is made against)."""
        from deltalake import DeltaTable

        def step() -> list[str]:
            if not self.exists(name):
                if not frame.is_empty():
                    frame.write_delta(self.table_uri(name), mode="append", storage_options=self.storage_options)
                return []
            table = DeltaTable(self.table_uri(name), storage_options=self.storage_options)
            replaced: list[str] = []
            if "write_id" in frame.columns:
                old = (pl.scan_delta(self.table_uri(name), version=table.version(),
                                     storage_options=self.storage_options)
                       .filter(pl.col("doc_id").is_in(ids)).select("write_id").collect())
                replaced = sorted(set(old["write_id"].drop_nulls()))
            frame.write_delta(table, mode="overwrite", storage_options=self.storage_options,
                              delta_write_options={"predicate": f"doc_id IN ({_sql_list(ids)})"})
            return replaced

        return self._retrying(attempts, step)

    def _delete(self, name: str, ids: list[str], write_ids: list[str], attempts: int) -> int:
        """Delete the rows of ``ids`` that belong to ``write_ids`` (versions already replaced)."""
        if not write_ids or not self.exists(name):
            return 0
        return self._delete_where(name, f"doc_id IN ({_sql_list(ids)}) AND write_id IN ({_sql_list(write_ids)})",
                                  attempts)

    def _delete_where(self, name: str, predicate: str, attempts: int = 30) -> int:
        from deltalake import DeltaTable

        metrics = self._retrying(attempts, lambda: DeltaTable(self.table_uri(name), storage_options=self.storage_options)
                                 .delete(predicate))
        return int((metrics or {}).get("num_deleted_rows", 0))

    def replace_build(self, entities: pl.DataFrame, links: pl.DataFrame, build_id: str, attempts: int = 30) -> bool:
        """Publish a build of the corpus tables: its links appended, then the entities replaced in
        one commit (unless a newer build is there already), then the links of older builds deleted.
        Returns whether this build was published."""
        self._retrying(attempts, lambda: links.write_delta(self.table_uri("entity_links"), mode="append",
                                                           storage_options=self.storage_options))
        if self.exists("entities") and "build_id" in self.scan("entities").collect_schema():
            newer = self.scan("entities").filter(pl.col("build_id") > build_id).select(pl.len()).collect().item()
            if newer:
                self._delete_where("entity_links", f"build_id = {_sql_list([build_id])}", attempts)
                return False
        self._retrying(attempts, lambda: entities.write_delta(
            self.table_uri("entities"), mode="overwrite", storage_options=self.storage_options,
            delta_write_options={"schema_mode": "overwrite"}))
        self._delete_where("entity_links", f"build_id < {_sql_list([build_id])}", attempts)
        return True

    def sweep(self, min_age_s: float = ORPHAN_AGE_S) -> int:
        """Delete rows no documents row points to, once older than ``min_age_s`` (younger ones may
        belong to a write still under way). Returns how many went."""
        cutoff = f"{int((time.time() - min_age_s) * 1000):013d}"
        gone = 0
        live = self.scan("documents").select("doc_id", "write_id")
        for name in CHILD_TABLES:
            if not self.exists(name):
                continue
            orphans = (self.scan(name).select("doc_id", "write_id").unique()
                       .join(live, on=["doc_id", "write_id"], how="anti")
                       .filter(pl.col("write_id") < cutoff).collect())
            if orphans.is_empty():
                continue
            # exact (document, write) pairs: another document may still live in one of these writes
            pairs = " OR ".join(f"(doc_id = {_sql_list([d])} AND write_id = {_sql_list([w])})"
                                for d, w in orphans.iter_rows())
            gone += self._delete_where(name, pairs)
        return gone

    def compact(self, min_files: int = 64) -> list[str]:
        """Sweep orphaned rows, then merge the small files many small batches leave (tables with at
        least ``min_files``)."""
        from deltalake import DeltaTable
        from deltalake.exceptions import CommitFailedError

        self.sweep()
        done = []
        for name in TABLES:
            if not self.exists(name):
                continue
            table = DeltaTable(self.table_uri(name), storage_options=self.storage_options)
            if len(table.file_uris()) < min_files:
                continue
            try:
                table.optimize.compact()
                done.append(name)
            except CommitFailedError:  # a writer got there first; the next run compacts
                continue
        return done


def _is_conflict(exc: Exception) -> bool:
    """A commit lost a race with another writer (or a table's creation did): worth re-running."""
    from deltalake.exceptions import CommitFailedError

    if isinstance(exc, CommitFailedError):
        return True
    text = str(exc).lower()
    return any(word in text for word in ("conflict", "already exists", "concurrent"))
