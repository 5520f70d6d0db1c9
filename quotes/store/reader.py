"""The store's read side: ``StoreReader`` (is it a store, the tables as readers see them),
``Tables`` and ``open_store``, read-only SQL. See quotes/store/writer.py for the store's layout and its
writes (``Store`` is a ``StoreReader`` that also writes).

What the read commands (``quotes query``, ``audit``, ``sql``, ``export``) and ``quotes.open_store``
load: polars and deltalake, never pydantic, stanza, torch or Prefect. The tables' expected
columns come from quotes/store/table_schemas.py, generated from the records by ``python -m quotes.store.tables``
(a test fails when it is out of date).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable, Mapping

import polars as pl

from quotes.errors import QuotesError
from quotes.store.table_schemas import CHILD_TABLES, SCHEMAS, TABLES

DEFAULT_STORE = ".quotes-store"
# What the store's marker (quotes.files.STORE_MARKER, in a local store's folder) says it is.
MARKER_FORMAT = "quotes-store"
# Columns that make a table without the marker one a quotes store wrote: stores written before the
# marker existed are recognised by them (and get the marker at their next write or upgrade).
IDENTIFYING_COLUMNS = {"documents": ("doc_id", "path", "content_hash", "extractor_version", "model_version"),
                       "failures": ("doc_id", "path", "stage", "error")}
UNKNOWN_OUTLET = "(unknown)"
# Reader views that carry the entity of a column, through the links of the current build.
LINKED = {"quotes": "speaker_name", "citations": "source"}


class StoreError(QuotesError, ValueError):
    """The store cannot be used as asked: missing, not a store, or written by an older version.
    The message says what to do."""


class StoreDamaged(StoreError):
    """A table of the store cannot be read (its log or files were changed or lost); the message
    names the table and how to recover."""


class QueryError(QuotesError, ValueError):
    """SQL that is not a single read-only statement, or that polars cannot run."""


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _env_storage_options() -> dict[str, str] | None:
    raw = os.environ.get("QUOTES_STORAGE_OPTIONS", "").strip()
    return json.loads(raw) if raw else None


class StoreReader:
    """Delta tables under one folder or object-storage prefix, to read (``quotes.store.writer.Store`` also writes)."""

    def __init__(self, uri: str | os.PathLike | None = None, storage_options: Mapping[str, str] | None = None):
        from quotes.settings import get

        uri = str(uri or get("store") or DEFAULT_STORE)
        self.local = "://" not in uri or uri.startswith("file://")
        self.uri = str(Path(uri.removeprefix("file://")).resolve()) if self.local else uri.rstrip("/")
        self.storage_options = dict(storage_options) if storage_options else _env_storage_options()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    def table_uri(self, name: str) -> str:
        return f"{self.uri}/{name}"

    def exists(self, name: str) -> bool:
        from deltalake import DeltaTable

        return DeltaTable.is_deltatable(self.table_uri(name), storage_options=self.storage_options)

    def delta_table(self, name: str):
        """The ``DeltaTable`` of ``name``; StoreDamaged, naming the table and how to recover, when its
        log cannot be read."""
        from deltalake import DeltaTable

        try:
            return DeltaTable(self.table_uri(name), storage_options=self.storage_options)
        except Exception as exc:  # noqa: BLE001 - deltalake's errors (and panics) on a damaged log
            raise self.damaged(name, exc) from None

    def damaged(self, name: str, exc: BaseException) -> StoreDamaged:
        return damaged_table(self.uri, name, exc)

    # --- the marker --------------------------------------------------------------------------------

    def marker_path(self) -> Path | None:
        """Where a local store's marker is (None for object storage: such a store is recognised by
        its tables' columns alone)."""
        from quotes.files import STORE_MARKER

        return Path(self.uri) / STORE_MARKER if self.local else None

    def marker(self) -> dict | None:
        """The store's marker (format, layout, created_by, created), or None when there is none;
        StoreError when the file is there but this tool did not write it."""
        from quotes.files import FileRefused, read_text

        path = self.marker_path()
        if path is None or not (path.exists() or path.is_symlink()):
            return None
        try:
            data = json.loads(read_text(path, 1 << 16))
        except (FileRefused, ValueError) as exc:
            raise StoreError(f"{path} is not a marker quotes wrote ({str(exc).removeprefix(f'{path}: ')[:120]}): "
                             f"{self.uri} is not used as a store") from None
        if not isinstance(data, dict) or data.get("format") != MARKER_FORMAT:
            raise StoreError(f"{path} is not a marker quotes wrote (no \"format\": \"{MARKER_FORMAT}\"): "
                             f"{self.uri} is not used as a store")
        return data

    def _columns(self, name: str) -> list[str]:
        return [f.name for f in self.delta_table(name).schema().fields]

    def written_by_quotes(self) -> bool:
        """Whether this is a store quotes wrote: its marker, or (stores from before the marker, and
        stores on object storage) a ``documents`` or ``failures`` table with the columns that
        identify it (``IDENTIFYING_COLUMNS``)."""
        if self.marker() is not None:
            return True
        for name, columns in IDENTIFYING_COLUMNS.items():
            if self.exists(name) and set(columns) <= set(self._columns(name)):
                return True
        return False

    def _check_ours(self) -> None:
        if not self.written_by_quotes():
            from quotes.files import STORE_MARKER

            found = [name for name in TABLES if self.exists(name)]
            raise StoreError(f"{self.uri} holds Delta tables ({', '.join(found)}) that quotes did not write (no "
                             f"{STORE_MARKER}, and no documents or failures table of quotes' columns): it is not "
                             "used, upgraded or changed as a store; give another --store")

    # --- is it a store? --------------------------------------------------------------------------

    def _create_hint(self) -> str:
        return f"create one with `quotes run FILES --store {self.uri}`"

    def check_readable(self) -> None:
        """StoreError unless this is a store of the current format (what every read command checks
        first: a mistyped --store is an error, not an empty answer)."""
        if self.local:
            where = Path(self.uri)
            if not where.exists():
                raise StoreError(f"no store at {self.uri}: {self._create_hint()}")
            if not where.is_dir():
                raise StoreError(f"{self.uri} is a file, not a store (a store is a folder of Delta tables)")
        if not any(self.exists(name) for name in TABLES):
            raise StoreError(f"{self.uri} holds no quotes store (no Delta tables in it): {self._create_hint()}")
        self._check_ours()
        self._check_format()

    def check_writable(self) -> None:
        """StoreError unless a run may write here: a store of the current format, or a new or
        empty folder (a folder of other files is not taken over)."""
        if self.local:
            where = Path(self.uri)
            if where.exists() and not where.is_dir():
                raise StoreError(f"{self.uri} is a file, not a store: give a folder (new, empty, or a store)")
            if where.is_dir() and any(where.iterdir()) and not any(self.exists(n) for n in TABLES):
                raise StoreError(f"{self.uri} is a folder of other files, not a store: give a new or empty folder")
            if not os.access(where if where.exists() else _existing_parent(where), os.W_OK):
                raise StoreError(f"cannot write to {self.uri}: permission denied")
        if any(self.exists(n) for n in TABLES):
            self._check_ours()
        self._check_format()

    def outdated_tables(self) -> dict[str, list[str]]:
        """Tables written by an older version: table → the current columns it lacks, and those it
        has that are gone ('-name')."""
        out = {}
        for name in TABLES:
            if not self.exists(name):
                continue
            have = self._columns(name)
            want = SCHEMAS[name]
            changes = [c for c in want if c not in have] + [f"-{c}" for c in have if c not in want]
            if changes:
                out[name] = changes
        return out

    def _check_format(self) -> None:
        outdated = self.outdated_tables()
        if outdated:
            what = "; ".join(f"{t} lacks {', '.join(cols)}" for t, cols in outdated.items())
            raise StoreError(f"the store {self.uri} was written by an older version of quotes ({what}): "
                             f"upgrade it with `quotes upgrade --store {self.uri}`")

    # --- reading ---------------------------------------------------------------------------------

    def scan(self, name: str) -> pl.LazyFrame:
        """The table as stored (every row, also those of unfinished writes); an empty frame with the
        table's schema before the first write. Readers want ``view``."""
        if name not in SCHEMAS:
            raise KeyError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        if not self.exists(name):
            return pl.LazyFrame(schema=SCHEMAS[name])
        return pl.scan_delta(self.table_uri(name), storage_options=self.storage_options)

    def view(self, name: str) -> pl.LazyFrame:
        """The table as readers see it: rows of finished writes only (see the module doc)."""
        frame = self.scan(name)
        if name in CHILD_TABLES:
            live = self.scan("documents").select("doc_id", "write_id")
            frame = frame.join(live, on=["doc_id", "write_id"], how="semi")
        if name == "entity_links":
            frame = frame.join(self.scan("entities").select("build_id").unique(), on="build_id", how="semi")
        if name in LINKED:
            links = self.view("entity_links").select("doc_id", pl.col("name").alias(LINKED[name]), "entity_id")
            frame = frame.join(links, on=["doc_id", LINKED[name]], how="left")
        return frame

    def tables(self) -> "Tables":

        frames = {name: self.view(name) for name in TABLES}
        frames["claims"] = claims_view(frames)
        return Tables(self, frames)

    def stored_keys(self) -> dict[str, tuple[str | None, str, str]]:
        """doc_id → (content_hash, extractor_version, model_version) of every stored document."""
        frame = self.scan("documents").select("doc_id", "content_hash", "extractor_version", "model_version").collect()
        return {row[0]: tuple(row[1:]) for row in frame.iter_rows()}

    def stored_files(self) -> dict[str, list[str]]:
        """path → doc_ids of the documents stored as whole files (``id_from`` 'file')."""
        frame = (self.scan("documents").filter(pl.col("id_from") == "file").group_by("path")
                 .agg(pl.col("doc_id")).collect())
        return dict(frame.iter_rows())

    def stored_failures(self) -> dict[str, tuple[str | None, str, str, str]]:
        """failure key → (input hash, extractor_version, model_version, path) of every recorded failure."""
        frame = self.scan("failures").select(
            "doc_id", pl.coalesce("input_hash", "content_hash"), "extractor_version", "model_version",
            "path").collect()
        return {row[0]: tuple(row[1:]) for row in frame.iter_rows()}


def damaged_table(uri: str, name: str, exc: BaseException) -> StoreDamaged:
    """The one line for a table whose log or files cannot be read: which table, and how to recover."""
    lines = str(exc).strip().splitlines()
    reason = (lines[0] if lines else type(exc).__name__)[:160]  # deltalake appends a backtrace: left out
    return StoreDamaged(
        f"the store's table {name} is damaged ({reason}); to recover: if a newer commit in {uri}/{name}/_delta_log "
        "was changed, move it (and those after it) out of the log and the table is back at the version before "
        f"(Delta's history); else restore {uri}/{name} from a backup, or move the store away and run `quotes run` "
        "over the inputs again (`quotes upgrade` does not repair a table)")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


class Tables:
    """The store's tables as LazyFrames: ``tables.quotes``, ``tables["citations"]``, ``tables.sql(…)``."""

    def __init__(self, store: StoreReader, frames: dict[str, pl.LazyFrame]):
        self.store = store
        self.frames = frames

    def __getattr__(self, name: str) -> pl.LazyFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        raise AttributeError(name)

    def __getitem__(self, name: str) -> pl.LazyFrame:
        return self.frames[name]

    def __iter__(self):
        return iter(self.frames)

    def sql(self, query: str) -> pl.DataFrame:
        """Polars SQL over the tables (each registered under its name), and nothing else: a statement
        other than SELECT, WITH, SHOW TABLES, DESCRIBE or EXPLAIN is refused, and so is every table
        function (``read_csv(…)``, ``read_parquet(…)``: they read files of the machine, or a table's
        raw files past the readers' views) and a file path as a table (see ``read_only_sql``). A
        QueryError says what is wrong with a query (syntax, an unknown table or column) in one line."""
        tokens = read_only_sql(query)
        if tokens[0].lower() == "describe":
            return self._describe(tokens)
        try:
            return pl.SQLContext(self.frames, eager=False).execute(query.strip().rstrip(";")).collect()
        except pl.exceptions.PolarsError as exc:
            raise QueryError(f"SQL: {_first_line(exc)}; tables: {', '.join(self.frames)}") from None

    def _describe(self, tokens: list[str]) -> pl.DataFrame:
        """``DESCRIBE t``: the columns of a table or view and their types (polars' SQL has no DESCRIBE)."""
        names = [t.strip('"').replace('""', '"') for t in tokens[1:]]
        if len(names) != 1 or names[0] not in self.frames:
            raise QueryError(f"DESCRIBE takes one table; tables: {', '.join(self.frames)}")
        schema = self.frames[names[0]].collect_schema()
        return pl.DataFrame({"column": list(schema.names()), "type": [str(t) for t in schema.dtypes()]})


# A statement's tokens; comments and whitespace are dropped, strings and quoted names kept whole.
# Where this lexer and polars' parser could disagree (nested comments, backslashes in strings), it
# ends a comment or string early, so it sees more of the query than the parser, never less.
_TOKEN = re.compile(r"""(?P<space>\s+)|(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))|(?P<string>'(?:[^']|'')*'?)
                        |(?P<quoted>"(?:[^"]|"")*"?)|(?P<word>[^\W\d]\w*)|(?P<other>\S)""", re.S | re.X)
_STATEMENTS = ("select", "with", "show", "describe", "explain")
# Words after which a relation stands: a table function or a path there reads a file.
_RELATION_BEFORE = {"from", "join"}


def _is_table_function(name: str) -> bool:
    """Functions that read files or fetch data: polars' read_csv/read_parquet/read_ipc/read_json/
    read_ndjson, and any other read_*/scan_* or file-like name another version may add."""
    name = name.lower()
    return name.startswith(("read_", "scan_")) or name in {"glob", "read", "load", "file", "files", "url"}


def read_only_sql(query: str) -> list[str]:
    """The tokens of ``query`` when it only reads the store (one SELECT/WITH/SHOW TABLES/DESCRIBE/
    EXPLAIN statement, no table function, no path as a table); QueryError otherwise: polars would
    'run' a DELETE or DROP on its in-memory frames and print a changed table (the store staying as
    it was), and its table functions read any file of the machine."""
    tokens = [m.group() for m in _TOKEN.finditer(query) if m.lastgroup not in ("space", "comment")]
    while tokens and tokens[-1] == ";":
        tokens.pop()
    if not tokens:
        raise QueryError("empty SQL statement")
    if ";" in tokens:
        raise QueryError("one SQL statement at a time")
    words = [t.lower() for t in tokens if t != "("]
    first = words[0]
    if first not in _STATEMENTS or (first == "show" and words[1:2] != ["tables"]):
        raise QueryError(f"quotes sql is read-only: {first.upper()[:40]} is refused (the store is unchanged); "
                         "use SELECT or WITH, SHOW TABLES, DESCRIBE t")
    for i, token in enumerate(tokens):
        name = token[1:-1].replace('""', '"') if token.startswith('"') else token
        if i + 1 < len(tokens) and tokens[i + 1] == "(" and _is_table_function(name):
            raise QueryError(f"quotes sql reads the store's tables only: {name}(…) is refused (table functions "
                             "read files); tables: see SHOW TABLES")
        if token.startswith("'") and i and tokens[i - 1].lower() in _RELATION_BEFORE:
            raise QueryError(f"quotes sql reads the store's tables only: a file path as a table ({token[:60]}) "
                             "is refused; tables: see SHOW TABLES")
    return tokens


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_store(path: str | os.PathLike | None = None, storage_options: Mapping[str, str] | None = None) -> Tables:
    """The store's tables as LazyFrames (``.documents``, ``.quotes``, ``.citations``, ``.mentions``,
    ``.entities``, ``.entity_links``, ``.statements``, ``.claim_members``, ``.failures``, and the
    ``.claims`` view), plus ``.sql(query)``."""
    return StoreReader(path, storage_options).tables()


def claims_view(frames: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    """Claim members with their statements and the claim's spread, for claims in two documents or more;
    ``linked_to``, ``link_score`` and ``why``: the link that joined a statement (null for the first
    statement of a claim, which others linked to, and in stores written before links were kept)."""
    statements = frames["statements"].select("statement_id", "doc_id", "kind", "text", "quote_id", "language",
                                             "published", "outlet")
    # why each statement joined: its best link (a store written before links has none: nulls)
    links = (frames["claim_links"].sort(["statement_id", "score", "neighbour"], descending=[False, True, False])
             .unique("statement_id", keep="first")
             .select("statement_id", pl.col("neighbour").alias("linked_to"), pl.col("score").alias("link_score"), "why"))
    rows = frames["claim_members"].join(statements, on="statement_id").join(links, on="statement_id", how="left") \
        .with_columns(pl.col("outlet").fill_null(UNKNOWN_OUTLET))
    order = ["published", "doc_id", "statement_id"]
    claim = pl.col("claim_id")
    return (
        rows.with_columns(
            documents=pl.col("doc_id").n_unique().over(claim),
            outlets=pl.col("outlet").n_unique().over(claim),
            languages=pl.col("language").n_unique().over(claim),
            first_doc_id=pl.col("doc_id").sort_by(order, nulls_last=True).first().over(claim),
            first_outlet=pl.col("outlet").sort_by(order, nulls_last=True).first().over(claim),
            first_published=pl.col("published").sort_by(order, nulls_last=True).first().over(claim),
        )
        .filter(pl.col("documents") >= 2)
        .with_columns(first=pl.col("doc_id") == pl.col("first_doc_id"))
    )
