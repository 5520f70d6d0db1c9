"""Entities across documents and languages: one corpus-level entity per speaker and per cited source.

Each stored document has its ``mentions``: every name it quotes, cites or names, under the
document's canonical name (``quotes/resolve/speakers.py`` already made "Peskow" the "Dmitri Peskow" of the
same document), with the surface forms, roles and counts. ``cluster`` joins the mentions that
quote or cite someone into corpus entities, by these rules, in this order:

1. **Same spelling.** Two names join when their keys are equal word by word. A name's keys are
   its ASCII-folded lower-case words (anyascii: Cyrillic 'Песков' reads 'peskov'), and the same
   words rewritten by each transliteration convention its document's language uses
   (``quotes/data/<lang>/entities.json`` names them, ``quotes/data/transliteration.json`` holds
   them): 'Peskow'/'Peskov', 'Wladimir'/'Vladimir Putin', 'Sacharowa'/'Zakharova',
   'Selenskyj'/'Zelensky'/'Zelenskyj' come to one key.
2. **Curated aliases.** Names listed together in ``quotes/data/people.json`` or in the user's
   file (setting ``aliases``) join, under the entry's ``name`` when it gives one: for spellings
   no rule joins ('Ельцин', 'Det hvite hus').
3. **Short forms.** A name whose words are the last (or, failing that, the first) words of a
   longer name, or an ordered part of it that keeps its last word, joins the longer name's entity
   when the corpus offers exactly one such entity: 'Peskow' → 'Dmitri Peskow', 'Kim' →
   'Kim Jong-un', 'Weiße' → 'Weiße Haus'. Names of two entities ('Müller' beside 'Thomas Müller'
   and 'Gerd Müller') stay apart, unless their roles pick one; roles that disagree in the same
   language (a 'Trainer' Müller, a 'Sprecher' Müller) keep a short form apart even from a single
   candidate. Two full names with different first names never join.
4. **Generic names** ('die Polizei', 'Augenzeugen', every speaker typed as a noun phrase) stand for
   a different body in each document: each is an entity of its document alone.

Pronouns and other non-names never become entities (quotes/resolve/names.py). Cited sources keep the
outlet registry's canonical name; sources the registry does not know (``in_registry`` false) join
by rule 1 like any name.

``build_entities(store)`` rebuilds the ``entities`` table and its ``entity_links`` (document,
name → entity) from the visible mentions, in the store's write-then-commit manner: the links of a
build are appended first, the entities table is then replaced in one commit (the moment the build
appears), and the links of older builds are deleted; readers see links only of the build the
entities table holds.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Iterable, Literal

import polars as pl

from quotes.corpus.union_find import UnionFind
from quotes.errors import QuotesError
from quotes.lexicon import load_data

ENTITY_DATA_FILES = ("transliteration.json", "people.json", "entities.json")


# --- the data ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Convention:
    name: str
    rules: tuple[tuple[re.Pattern[str], str], ...]

    def apply(self, word: str) -> str:
        for pattern, replacement in self.rules:
            word = pattern.sub(replacement, word)
        return word


@dataclass(frozen=True)
class Transliteration:
    conventions: dict[str, Convention]
    non_latin: str
    skeleton: Convention

    def key(self, word: str, convention: str | None) -> str:
        if convention is not None:
            word = self.conventions[convention].apply(word)
        return self.skeleton.apply(word)


def _compile(pairs: Iterable) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(a), b) for a, b in pairs)


@cache
def transliteration() -> Transliteration:
    d = load_data("transliteration")
    conventions = {name: Convention(name, _compile(rules)) for name, rules in d["conventions"].items()}
    return Transliteration(conventions, d["non_latin"], Convention("skeleton", _compile(d["skeleton"])))


@dataclass(frozen=True)
class LanguageRules:
    conventions: tuple[str, ...]
    leading_words: frozenset[str]
    generic_names: frozenset[str]
    role_suffixes: tuple[str, ...]


@cache
def language_rules(lang: str | None) -> LanguageRules:
    try:
        d = load_data("entities", lang) if lang else {}
        cues = load_data("cues", lang) if lang else {}
    except FileNotFoundError:
        d, cues = {}, {}
    return LanguageRules(tuple(d.get("conventions", ("en",))), frozenset(w.lower() for w in d.get("leading_words", [])),
                         frozenset(n.lower() for n in d.get("generic_names", [])),
                         tuple(s.lower() for s in cues.get("role_suffixes", [])))


@dataclass(frozen=True)
class AliasEntry:
    aliases: tuple[str, ...]
    name: str | None
    origin: str


def _entries(data: object, origin: str) -> list[AliasEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise QuotesError(f"alias file {origin}: expected an object with a list 'entries' "
                          '(e.g. {"entries": [{"name": "Boris Yeltsin", "aliases": ["Борис Ельцин"]}]})')
    out = []
    for i, e in enumerate(data["entries"]):
        aliases = e.get("aliases") if isinstance(e, dict) else None
        name = e.get("name") if isinstance(e, dict) else None
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases) or \
                (name is not None and not (isinstance(name, str) and name.strip())):
            raise QuotesError(f"alias file {origin}: entry {i + 1} needs 'aliases', a list of names (and may "
                              "give 'name', a name)")
        names = tuple(a.strip() for a in aliases) + ((name.strip(),) if name else ())
        out.append(AliasEntry(names, name.strip() if name else None, origin))
    return out


def user_alias_file() -> Path | None:
    from quotes.settings import get

    value = get("aliases")
    return Path(value).expanduser() if value else None


def load_aliases(path: Path | None = None) -> list[AliasEntry]:
    """The shipped curated aliases (``quotes/data/people.json``) and the user's file (setting
    ``aliases``), the user's last. A file that cannot be read is a QuotesError."""
    entries = _entries(load_data("people"), "quotes/data/people.json")
    path = path if path is not None else user_alias_file()
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise QuotesError(f"alias file {path} (setting 'aliases') does not exist") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise QuotesError(f"alias file {path} cannot be read: {exc}") from None
        entries += _entries(data, str(path))
    return entries


def rules_version(path: Path | None = None) -> str:
    """A digest of this module, its data and the user's alias file: a store's entities are rebuilt
    when it changes."""
    from importlib import resources

    digest = hashlib.sha256(Path(__file__).read_bytes())
    root = resources.files("quotes") / "data"
    for f in sorted([root / n for n in ENTITY_DATA_FILES[:2]] +
                    [sub / "entities.json" for sub in root.iterdir() if sub.is_dir()], key=str):
        if f.is_file():
            digest.update(f.read_bytes())
    path = path if path is not None else user_alias_file()
    if path is not None and path.is_file():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- name keys -----------------------------------------------------------------------------------

_LETTERS = re.compile(r"[a-z0-9]+")


def _non_latin(name: str) -> bool:
    return any(ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in name)


def words(name: str) -> list[str]:
    """ASCII-folded, lower-cased words ('Kim Jong-un' → kim, jong, un; apostrophes dropped)."""
    from anyascii import anyascii

    return _LETTERS.findall(anyascii(name).lower().replace("'", ""))


def name_keys(name: str, lang: str | None) -> set[tuple[str, ...]]:
    """The spellings ``name`` may stand for: its folded words, and the words rewritten by each
    convention of its language (a name in another script: by the convention of anyascii's output)."""
    return _keys(name, language_rules(lang).conventions)


def _keys(name: str, conventions: Iterable[str]) -> set[tuple[str, ...]]:
    """``name``'s folded words, and the words rewritten by each of ``conventions`` (a name in
    another script: by the convention of anyascii's output)."""
    ws = words(name)
    if not ws:
        return set()
    t = transliteration()
    conventions = (t.non_latin,) if _non_latin(name) else conventions
    keys = {tuple(ws), tuple(t.key(w, None) for w in ws)}
    keys.update(tuple(t.key(w, c) for w in ws) for c in conventions if c in t.conventions)
    return keys


def strip_leading(name: str, lang: str | None) -> str:
    """The name without a leading article ('das Weiße Haus' → 'Weiße Haus')."""
    parts = name.split()
    lead = language_rules(lang).leading_words
    while len(parts) > 1 and parts[0].lower() in lead:
        parts = parts[1:]
    return " ".join(parts)


def is_generic(name: str, lang: str | None, entity_type: str | None) -> bool:
    return entity_type == "NOUN" or strip_leading(name, lang).lower() in language_rules(lang).generic_names


def role_keys(roles: Iterable[str], lang: str | None) -> set[tuple[str, str]]:
    """(language, role class) of each role: the role suffix it contains ('Kremlsprecher' → sprecher)."""
    suffixes = language_rules(lang).role_suffixes
    out = set()
    for role in roles:
        low = role.lower()
        key = next((s for s in suffixes if low.endswith(s) or s in low), None)
        if key:
            out.add((lang or "", key))
    return out


def roles_disagree(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Both have roles in some language, and in none of those languages do they share one."""
    common = {lang for lang, _ in a} & {lang for lang, _ in b}
    return bool(common) and not any((lang, r) in b for lang, r in a if lang in common)


def _is_part(short: tuple[str, ...], full: tuple[str, ...]) -> Literal["suffix", "prefix", "part", None]:
    """How ``short`` is part of ``full``: its last words, its first words, or an ordered part of it
    that keeps its last word (a one-letter word stands for any word with that initial)."""
    k = len(short)
    if k >= len(full):
        return None

    def same(a: str, b: str) -> bool:
        return a == b or (len(a) == 1 and b.startswith(a))

    if all(same(a, b) for a, b in zip(short, full[-k:])):
        return "suffix"
    if all(same(a, b) for a, b in zip(short, full[:k])):
        return "prefix"
    if k >= 2 and same(short[-1], full[-1]):
        i = 0
        for w in full[:-1]:
            if i < k - 1 and same(short[i], w):
                i += 1
        if i == k - 1:
            return "part"
    return None


# --- clustering ----------------------------------------------------------------------------------


@dataclass
class _Node:
    """One name, in one document (generic names) or in the whole corpus."""

    name: str
    generic: bool
    rows: list[dict] = field(default_factory=list)
    keys: set[tuple[str, ...]] = field(default_factory=set)
    roles: set[tuple[str, str]] = field(default_factory=set)

    @property
    def length(self) -> int:
        return max((len(k) for k in self.keys), default=0)


MENTION_COLUMNS = ("doc_id", "language", "published", "name", "entity_type", "roles", "surfaces", "quoted",
                   "quoted_in_comments", "cited", "in_registry")


def cluster(mentions: pl.DataFrame, aliases: list[AliasEntry] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(entities, links) from a frame of mentions (the ``mentions`` table's columns; at least
    ``MENTION_COLUMNS``). Only names quoted or cited become entities; pronouns never do."""
    from quotes.resolve.names import non_name_reason

    aliases = load_aliases() if aliases is None else aliases
    rows = (mentions.filter((pl.col("quoted") + pl.col("quoted_in_comments") + pl.col("cited")) > 0)
            .filter(pl.col("name").is_not_null() & (pl.col("name").str.strip_chars() != ""))
            .select(MENTION_COLUMNS).to_dicts())
    nodes: list[_Node] = []
    index: dict[tuple[str, str], int] = {}
    for row in rows:
        lang = row["language"]
        if row["cited"] == 0 and non_name_reason(row["name"], lang):
            continue
        generic = row["cited"] == 0 and is_generic(row["name"], lang, row["entity_type"])
        scope = row["doc_id"] if generic else ""
        at = index.setdefault((scope, row["name"]), len(nodes))
        if at == len(nodes):
            nodes.append(_Node(row["name"], generic))
        node = nodes[at]
        node.rows.append(row)
        if not generic:
            node.keys |= name_keys(strip_leading(row["name"], lang), lang) | name_keys(row["name"], lang)
            node.roles |= role_keys(row["roles"] or [], lang)
    sets: UnionFind[int] = UnionFind()
    # 1. the same spelling, by any key
    by_key: dict[tuple[str, ...], int] = {}
    for i, node in enumerate(nodes):
        for key in node.keys:
            sets.union(i, by_key.setdefault(key, i))
    # 2. curated aliases: an entry's names are one entity (anchored on a node of their own)
    pins: dict[int, str] = {}
    for entry in aliases:
        anchor = None
        for alias in entry.aliases:
            for key in _alias_keys(alias):
                if key in by_key:
                    anchor = by_key[key] if anchor is None else anchor
                    sets.union(anchor, by_key[key])
        if anchor is not None and entry.name:
            pins[anchor] = entry.name
    # 3. short forms, longest first, against the entities the corpus has by then
    _join_short_forms(nodes, sets)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(nodes)):
        groups[sets.find(i)].append(i)
    pinned = {sets.find(a): name for a, name in pins.items()}
    return _frames([[nodes[i] for i in members] for root, members in sorted(groups.items())],
                   [pinned.get(root) for root in sorted(groups)])


@cache
def _alias_keys(alias: str) -> frozenset[tuple[str, ...]]:
    """A curated alias's keys under every convention (its language is not known)."""
    return frozenset(_keys(alias, tuple(transliteration().conventions)))


def _join_short_forms(nodes: list[_Node], sets: UnionFind[int]) -> None:
    longer: dict[str, set[int]] = defaultdict(set)  # first or last word of a key → nodes with multi-word keys
    for i, node in enumerate(nodes):
        if node.generic:
            continue
        for key in node.keys:
            if len(key) >= 2:
                longer[key[0]].add(i)
                longer[key[-1]].add(i)
    roles: dict[int, set[tuple[str, str]]] = defaultdict(set)  # an entity's roles, by its root
    for i, node in enumerate(nodes):
        roles[sets.find(i)] |= node.roles
    order = sorted((i for i, n in enumerate(nodes) if not n.generic and n.keys),
                   key=lambda i: (-nodes[i].length, nodes[i].name))
    for i in order:
        short = nodes[i]
        mine = sets.find(i)
        found: dict[str, set[int]] = {"suffix": set(), "prefix": set()}
        candidates = {j for key in short.keys for w in (key[0], key[-1]) for j in longer.get(w, ())}
        for j in candidates:
            if sets.find(j) == mine:
                continue
            how = next((h for k in short.keys for f in nodes[j].keys if (h := _is_part(k, f))), None)
            if how:
                found["prefix" if how == "prefix" else "suffix"].add(sets.find(j))
        targets = found["suffix"] or found["prefix"]
        fitting = {r for r in targets if not roles_disagree(roles[mine], roles[r])}
        if len(fitting) > 1:
            fitting = {r for r in fitting if roles[mine] & roles[r]}
        if len(fitting) == 1:
            target = fitting.pop()
            merged = roles.pop(target) | roles.pop(mine, set())
            sets.union(i, target)
            roles[sets.find(i)] = merged


def _canonical(nodes: list[_Node], pinned: str | None) -> str:
    if pinned:
        return pinned
    sources = [n for n in nodes if any(r["cited"] for r in n.rows)]
    if sources:  # the registry's (or the discovered source's) name, the most cited
        return max(sources, key=lambda n: (sum(r["cited"] for r in n.rows), n.name)).name
    def rank(n: _Node) -> tuple:  # the fullest, then the most frequent form; Latin script first
        docs = len({r["doc_id"] for r in n.rows})
        return (-len(words(n.name)), -docs, -sum(r["quoted"] for r in n.rows), _non_latin(n.name), n.name)
    return min(nodes, key=rank).name


def entity_id(name: str, scope: str = "") -> str:
    """Stable while the canonical name is: a digest of its folded words (and, for a generic name,
    its document)."""
    key = " ".join(words(name)) or name
    return hashlib.sha1(f"entity\x1f{scope}\x1f{key}".encode()).hexdigest()[:16]


def _frames(groups: list[list[_Node]], pins: list[str | None]) -> tuple[pl.DataFrame, pl.DataFrame]:
    entities, links = [], []
    used: set[str] = set()
    for nodes, pinned in zip(groups, pins):
        name = _canonical(nodes, pinned)
        rows = [r for n in nodes for r in n.rows]
        generic = nodes[0].generic
        eid = entity_id(name, rows[0]["doc_id"] if generic else "")
        while eid in used:  # two entities under one name (a short form left apart): both kept
            eid = hashlib.sha1(eid.encode()).hexdigest()[:16]
        used.add(eid)
        surfaces = Counter()
        for n in nodes:
            for r in n.rows:
                surfaces[n.name] += 1
                for s in r["surfaces"] or []:
                    surfaces[s] += 1
        aliases = _dedupe_case(surfaces)
        types = Counter(r["entity_type"] for r in rows if r["entity_type"])
        quoted = sum(r["quoted"] + r["quoted_in_comments"] for r in rows)
        cited = sum(r["cited"] for r in rows)
        dates = [r["published"] for r in rows if r["published"] is not None]
        registered = [r["in_registry"] for r in rows if r["cited"] and r["in_registry"] is not None]
        entities.append(dict(
            entity_id=eid, name=name, entity_type=types.most_common(1)[0][0] if types else None,
            kind="both" if quoted and cited else "source" if cited else "speaker",
            scope="document" if generic else "corpus", aliases=aliases,
            languages=sorted({r["language"] for r in rows if r["language"]}),
            roles=sorted({role for r in rows for role in r["roles"] or []}),
            documents=len({r["doc_id"] for r in rows}), quotes=sum(r["quoted"] for r in rows),
            citations=cited, first_seen=min(dates) if dates else None, last_seen=max(dates) if dates else None,
            in_registry=any(registered) if registered else None))
        links += [dict(doc_id=d, name=n, entity_id=eid) for d, n in sorted({(r["doc_id"], r["name"]) for r in rows})]
    from quotes.store.tables import SPECS, Entity, EntityLink

    ent_schema = {c: t for c, t in SPECS["entities"].schema.items() if c in Entity.model_fields}
    link_schema = {c: t for c, t in SPECS["entity_links"].schema.items() if c in EntityLink.model_fields}
    ent = pl.DataFrame(entities, schema=ent_schema) if entities else pl.DataFrame(schema=ent_schema)
    link = pl.DataFrame(links, schema=link_schema) if links else pl.DataFrame(schema=link_schema)
    return ent.sort(["quotes", "citations", "documents", "name"], descending=[True, True, True, False]), link


def _dedupe_case(counts: Counter) -> list[str]:
    """Surface names, one per case-folded form (its most frequent writing), sorted."""
    best: dict[str, tuple[int, str]] = {}
    for s, n in counts.items():
        s = " ".join(s.split())
        if not s:
            continue
        key = s.casefold()
        if key not in best or (n, s) > best[key]:
            best[key] = (n, s)
    return sorted(v[1] for v in best.values())


# --- the store's tables --------------------------------------------------------------------------


def build_entities(store) -> dict[str, int]:
    """Rebuild the store's ``entities`` and ``entity_links`` from its visible mentions (see the
    module doc for the order of commits). Returns the numbers of entities and links."""
    from quotes.store.tables import SPECS, new_write_id

    version = rules_version()
    mentions = store.view("mentions").collect() if store.exists("mentions") else pl.DataFrame(
        schema=SPECS["mentions"].schema)
    entities, links = cluster(mentions)
    build = new_write_id()
    mark = [pl.lit(build).alias("build_id"), pl.lit(version).alias("rules_version")]
    entities = entities.with_columns(mark).select(list(SPECS["entities"].schema))
    links = links.with_columns(mark).select(list(SPECS["entity_links"].schema))
    store.replace_build(entities, links, build)
    return {"entities": entities.height, "links": links.height}


def entities_stale(store) -> bool:
    """Whether the store's entities are missing or were built by other rules than the current ones
    (documents changed are the caller's to know)."""
    if not store.exists("mentions"):
        return False
    if not store.exists("entities"):
        return True
    stored = store.scan("entities").select("rules_version").head(1).collect()
    return stored.is_empty() or stored.item() != rules_version()


