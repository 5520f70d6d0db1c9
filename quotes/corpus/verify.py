"""Do two statements make the same claim? The verifier after retrieval.

The vector index proposes neighbours: statements whose cosine with a query reaches the match
threshold (quotes/corpus/matching.py). A cosine sees the story, not the claim: "Lawrow besuchte
Nordkorea" and "Schoigu besuchte Nordkorea", "zwei Stunden" and "vier bis fünf Stunden", "nahm
die Einladung an" and "takket nei til invitasjonen" score as high as a translation. So each proposed
pair is read once more, by signals a cosine is blind to, each one function below:

- **names** (``names_differ``): people, places and organisations each statement names. Places come
  from a list in three languages (quotes/data/places.json: Moskau = Moscow = Moskva), other names by
  their spelling keys (quotes/data/transliteration.json: Lawrow = Lavrov, Schoigu = Sjojgu), known
  from capitalisation where a language capitalises names only (Norwegian, English), else from the
  names the stored documents mention (their named-entity mentions) and the curated aliases.
- **numbers** (``numbers_differ``): digits and numbers written as words (quotes/data/<lang>/claims.json:
  "zwei", "to", "two").
- **dates** (``dates_differ``): month and weekday names in each language.
- **polarity** (``polarity_differs``): a negator ("nicht", "ikke", "not") or a verb of refusal
  ("lehnte ab", "takket nei", "rejected") on one side only.
- **speaker** (``speakers_differ``): when both statements are quotes, who says them.
- **coverage** (``facts_differ``): a topic neighbour, not a rendering, shares under half of the
  names, numbers and dates the two state.

A pair makes the same claim unless a signal finds a difference: the verifier only vetoes, so the
index keeps its recall. Each signal that finds one names it ("different number", "negated"), and
what agrees is kept as the reason for a match ("names Putin, Nordkorea; numbers 2023").

Decided, not detected: reported speech and hearsay (Konjunktiv, "soll", "angeblich", "reportedly")
report the same claim, so a hedge never vetoes (it is noted); a question about a claim ("Did Putin
invite Trump?") traces the claim it asks about; modality and tense ("will visit" / "visited",
"could" / "will") are not read. A different predicate in the same frame ("Nachbar" / "Verbündeter",
"praised" / "criticised") is beyond word-level signals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from quotes.corpus.entities import name_keys
from quotes.lexicon import load_data, normalise_language

SIGNALS = ("names", "numbers", "dates", "polarity", "speaker", "coverage")
PLACE, OTHER = "place", "name"
_ALL_CONVENTIONS = ("de", "en", "nb")
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")
# a number not inside a name ('G20', 'oe24'), thousands grouped by '.', ',' or a space ('35 000')
_DIGITS = re.compile(r"(?<![^\W_])\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?![\d])|(?<![^\W_])\d+(?:[.,]\d+)?")
_DECADE = re.compile(r"(?<![^\W_])(\d\d)?(\d0)(?:s|er)\b")  # '1980s', '80er-Jahre', '70er Jahre'
_SENTENCE_OPENERS = set(".!?:;«»\"„“”‚‘'()[]–—-")


# --- the data --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageWords:
    """What the verifier reads in one language (quotes/data/<lang>/claims.json)."""

    nouns_capitalised: bool
    not_names: frozenset[str]
    negation: tuple[re.Pattern[str], ...]
    refusal: tuple[re.Pattern[str], ...]
    acceptance: tuple[re.Pattern[str], ...]
    hedges: tuple[re.Pattern[str], ...]
    titles: tuple[str, ...]
    number_words: dict[str, int]
    number_words_in_compounds: bool
    compound_suffixes: tuple[str, ...]
    months: dict[str, int]
    months_capitalised: bool
    weekdays: dict[str, int]
    negative_prefixes: tuple[str, ...]
    not_negative_prefixes: tuple[str, ...]
    number_joiner: str


def _patterns(items: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in items)


@cache
def language_words(lang: str | None) -> LanguageWords:
    """The claim words of ``lang``; a language without a claims file reads as English (names by
    capitalisation, digits only beyond it)."""
    lang = normalise_language(lang) or "en"
    try:
        d = load_data("claims", lang)
    except FileNotFoundError:
        d = load_data("claims", "en")
    return LanguageWords(
        bool(d.get("nouns_capitalised")), frozenset(w.lower() for w in d.get("not_names", [])),
        _patterns(d.get("negation", [])), _patterns(d.get("refusal", [])), _patterns(d.get("acceptance", [])),
        _patterns(d.get("hedges", [])), tuple(t.lower() for t in d.get("titles", [])), {k.lower(): int(v) for k, v in d.get("number_words", {}).items()},
        bool(d.get("number_words_in_compounds")), tuple(d.get("compound_suffixes", [])),
        {k.lower(): int(v) for k, v in d.get("months", {}).items()}, bool(d.get("months_capitalised")),
        {k.lower(): int(v) for k, v in d.get("weekdays", {}).items()},
        tuple(d.get("negative_prefixes", [])), tuple(d.get("not_negative_prefixes", [])),
        d.get("number_joiner", ""),
    )


@lru_cache(maxsize=200_000)
def word_keys(word: str, lang: str | None) -> frozenset[str]:
    """The spelling keys of one word as ``lang`` writes names (quotes/corpus/entities.py): 'Lawrow'
    and 'Lavrov' share one. A final genitive -s may be dropped ('Russlands', 'Trumps', 'Jong-uns')."""
    keys = {k[0] for k in name_keys(word.replace("-", "").replace("'", "").replace("’", ""), lang) if len(k) == 1}
    if word.lower().endswith("s") and len(word) > 3:
        keys |= {k[0] for k in name_keys(word[:-1].rstrip("'’").replace("-", ""), lang) if len(k) == 1}
    return frozenset(keys)


@dataclass(frozen=True)
class Alias:
    id: str
    kind: str  # PLACE or OTHER
    words: tuple[frozenset[str], ...]  # the spelling keys of each word
    upper: bool  # an acronym ('US', 'UN'): matches an upper-case word only
    shown: str
    within: frozenset[str] = frozenset()  # the keys of the country a city lies in


@dataclass(frozen=True)
class Gazetteer:
    """Names the verifier knows: places and organisations from quotes/data/places.json (one id for
    all their languages), the curated aliases of quotes/data/people.json, and the name words the
    stored documents mention (their named-entity mentions), which is how a German text's names are
    told from its capitalised nouns."""

    aliases: dict[str, tuple[Alias, ...]]  # first word's key → aliases starting with it
    adjectives: tuple[tuple[tuple[str, ...], str, str], ...]  # (stem words, id, shown)
    known: dict[str, frozenset[str]] = field(default_factory=dict)  # key of a mentioned name word → its types

    @property
    def known_words(self) -> frozenset[str]:
        return frozenset(self.known)

    def with_names(self, names: Iterable[str | tuple[str, str | None]]) -> Gazetteer:
        """This gazetteer and the capitalised words of ``names`` (mentions of stored documents: a
        name, or a name and its named-entity type, PER, ORG, LOC)."""
        known = {k: set(v) for k, v in self.known.items()}
        for item in names:
            name, kind = (item, None) if isinstance(item, str) else item
            for token in _TOKEN.findall(name or ""):
                if token[:1].isupper():
                    for lang in _ALL_CONVENTIONS:
                        for key in word_keys(token, lang):
                            known.setdefault(key, set()).update([kind] if kind else [])
        return Gazetteer(self.aliases, self.adjectives, {k: frozenset(v) for k, v in known.items()})


def _alias(text: str, id_: str, kind: str, within: str | None = None) -> Alias:
    parts = _PART.findall(text)
    return Alias(id_, kind, tuple(frozenset().union(*(word_keys(p, c) for c in _ALL_CONVENTIONS)) for p in parts),
                 text.replace(".", "").isupper() and len(text) <= 5, text,
                 frozenset({"@" + within}) if within else frozenset())


@cache
def base_gazetteer() -> Gazetteer:
    aliases: dict[str, list[Alias]] = {}
    adjectives = []
    entries = [(e["id"], e.get("kind", PLACE), e["aliases"], e.get("adjectives", []), e.get("in"))
               for e in load_data("places")["entries"]]
    entries += [("alias:" + (e.get("name") or e["aliases"][0]), OTHER, e["aliases"], [], None)
                for e in load_data("people")["entries"]]
    for id_, kind, names, adjs, within in entries:
        kind = PLACE if kind == PLACE else OTHER
        for name in names:
            a = _alias(name, id_, kind, within)
            if a.words:
                for key in a.words[0]:
                    aliases.setdefault(key, []).append(a)
        adjectives += [(tuple(stem.lower().split()), id_, stem) for stem in adjs]
    for group in aliases.values():
        group.sort(key=lambda a: -len(a.words))  # the longest name first: 'North Korea' before 'Korea'
    return Gazetteer({k: tuple(v) for k, v in aliases.items()}, tuple(adjectives))


# --- reading one statement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    kind: str  # PLACE or OTHER
    keys: frozenset[str]  # a place: {'@' + its id}; another name: the spelling keys of its last word
    shown: str
    weak: bool = False  # an adjective ('russische') or a compound's modifier ('US-Kollegen'): agrees, never differs
    within: frozenset[str] = frozenset()  # a city: the keys of its country
    known: bool = True  # listed or mentioned in the store, not only capitalised ('Pacific', 'Palm Sunday')
    types: frozenset[str] = frozenset()  # the named-entity types the store gives it (PER, LOC, ORG)


@dataclass(frozen=True)
class Reading:
    """What the verifier reads in one statement."""

    names: tuple[Name, ...]
    word_keys: frozenset[str]  # keys of every word: a name missing from the other's names may be a word of it
    numbers: frozenset[float]
    months: frozenset[int]
    weekdays: frozenset[int]
    negated: str | None  # the negator or refusal found, as written
    says_not: bool  # a word that negates by its prefix ('unreliable', 'uvillig', 'unbekannt')
    refusal: bool
    acceptance: bool
    hedge: str | None
    question: bool


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    token: int  # index of its token
    first: bool  # the first word of its token
    initial: bool  # its token opens a sentence


def _words(text: str) -> list[_Word]:
    out = []
    for t, m in enumerate(_TOKEN.finditer(text)):
        before = text[:m.start()].rstrip()
        initial = not before or before[-1] in _SENTENCE_OPENERS
        for i, p in enumerate(_PART.finditer(m.group())):
            if p.group() in ("s",) and i and m.group()[p.start() - 1] in "'’":
                continue  # the English genitive: "Russia's"
            out.append(_Word(p.group(), m.start() + p.start(), t, i == 0, initial))
    return out


def _match_alias(words: list[_Word], i: int, lang: str, book: Gazetteer) -> Alias | None:
    keys = word_keys(words[i].text, lang)
    for key in keys:
        for alias in book.aliases.get(key, ()):
            n = len(alias.words)
            if i + n > len(words) or (alias.upper and not words[i].text.isupper()):
                continue
            if all(alias.words[j] & word_keys(words[i + j].text, lang) for j in range(n)):
                return alias
    return None


def read(text: str, lang: str | None, book: Gazetteer | None = None) -> Reading:
    """Names, numbers, dates and polarity of one statement in ``lang``."""
    book = book or base_gazetteer()
    lw = language_words(lang)
    words = _words(text)
    lower = text.lower()
    names: list[Name] = []
    used = [False] * len(words)
    i = 0
    while i < len(words):  # places and curated names, the longest first
        alias = _match_alias(words, i, lang, book)
        if alias:
            last = words[i + len(alias.words) - 1]
            modifier = i + len(alias.words) < len(words) and words[i + len(alias.words)].token == last.token
            names.append(Name(alias.kind, frozenset({"@" + alias.id}),
                              " ".join(w.text for w in words[i:i + len(alias.words)]), weak=modifier,
                              within=alias.within))
            for j in range(i, i + len(alias.words)):
                used[j] = True
            i += len(alias.words)
        else:
            i += 1
    for stem, id_, _ in book.adjectives:  # 'russische', 'Russian', 'nordkoreanske': the place's adjective
        n = len(stem)
        for i in range(len(words) - n + 1):
            if not any(used[i:i + n]) and all(words[i + j].text.lower() == stem[j] for j in range(n - 1)) \
                    and words[i + n - 1].text.lower().startswith(stem[-1]):
                names.append(Name(PLACE, frozenset({"@" + id_}), " ".join(w.text for w in words[i:i + n]), weak=True))
                for j in range(i, i + n):
                    used[j] = True
    numbers = number_values(text, words, lw)
    months, weekdays = date_values(words, lw)
    names += _other_names(words, used, lang, lw, book)
    negated = next((m.group() for p in lw.negation for m in [p.search(lower)] if m), None)
    refused = next((m.group() for p in lw.refusal for m in [p.search(lower)] if m), None)
    hedge = next((m.group() for p in lw.hedges for m in [p.search(lower)] if m), None)
    return Reading(
        tuple(names), frozenset().union(*(word_keys(w.text, lang) for w in words)) if words else frozenset(),
        numbers, months, weekdays, refused or negated, any(_negative_word(t, lw) for t in _TOKEN.findall(text)),
        refused is not None,
        any(p.search(lower) for p in lw.acceptance), hedge, text.rstrip().endswith("?"),
    )


def _other_names(words: list[_Word], used: list[bool], lang: str | None, lw: LanguageWords,
                 book: Gazetteer) -> list[Name]:
    """People and organisations: runs of capitalised words ('Sergei Lawrow'), each run one name
    keyed by its last word (the surname: 'Juri'/'Yuri' may differ where 'Uschakow'/'Ushakov' agree).
    A word counts when its language capitalises names only and it does not open the sentence, or
    when the stored documents or the curated aliases know it (German capitalises every noun)."""
    def after_title(i: int) -> bool:  # 'Präsidenten Xi Jinping', 'Außenminister Sergei Lawrow'
        j = i - 1
        while j >= 0 and words[j].token == words[i].token:
            j -= 1
        return j >= 0 and words[j].text.lower().endswith(lw.titles) if lw.titles else False

    def is_name(w: _Word) -> bool:
        if not w.first or not w.text[:1].isupper() or w.text[:1].isdigit():
            return False
        low = w.text.lower()
        if low in lw.not_names or low in lw.months or low in lw.weekdays or low in lw.number_words:
            return False
        known = bool(word_keys(w.text, lang) & book.known_words)
        return known or (not lw.nouns_capitalised and not w.initial)

    out, run = [], []
    for i, w in enumerate(words + [None]):
        name = w is not None and not used[i] and (is_name(w) or (
            w.first and w.text[:1].isupper() and (after_title(i) or (run and w.token == run[-1].token + 1
                                                                      and after_title(i - len(run))))))
        if name and (not run or w.token == run[-1].token + 1):
            run.append(w)
            continue
        if run:
            keys = word_keys(run[-1].text, lang)
            types = frozenset().union(*(book.known.get(k, frozenset()) for k in keys))
            if after_title(words.index(run[0])):  # 'Präsidenten Xi Jinping', 'aide Andriy Yermak': a person
                types |= {"PER"}
            out.append(Name(OTHER, keys, " ".join(x.text for x in run), known=bool(keys & book.known_words),
                            types=types))
        run = [w] if name else []
    return out


def _negative_word(word: str, lw: LanguageWords) -> bool:
    """A word that says 'not' by its prefix: 'unreliable', 'unwilling', 'uvillig', 'unbekannt'."""
    low = word.lower().replace("-", "")
    return any(low.startswith(p) and len(low) - len(p) >= 5 for p in lw.negative_prefixes) and \
        not low.startswith(lw.not_negative_prefixes)


def number_values(text: str, words: Sequence[_Word], lw: LanguageWords) -> frozenset[float]:
    """The numbers a statement states, in digits or in words: '75.', '30-tägigen', '4,5', 'zwei',
    'tretti', 'thirty-day'; in German also at the start of a compound ('zweistündige')."""
    values = set()
    for m in _DIGITS.finditer(text):
        s = re.sub(r"[ \u00a0\u202f.,](?=\d{3}(?!\d))", "", m.group()).replace(",", ".")
        try:
            values.add(float(s))
        except ValueError:
            pass
    for m in _DECADE.finditer(text):  # a decade is one whether the century is written or not
        values.add(float(m.group(2)))
    units = [(v, k) for k, v in lw.number_words.items() if v < 10]
    tens = [(v, k) for k, v in lw.number_words.items() if 20 <= v < 100 and v % 10 == 0]
    previous = None
    for w in words:
        low = w.text.lower()
        if low in lw.number_words:
            value = lw.number_words[low]
            values.add(float(value))
            if previous in dict(tens) and value in dict(units):  # 'twenty eight', 'twenty-eight'
                values.add(float(previous + value))
            previous = value
            continue
        previous = None
        for u, uw in units:  # 'tjueåtte' (tens, units), 'achtundzwanzig' (units, joiner, tens)
            for t, tw in tens:
                if low in (tw + uw, uw + lw.number_joiner + tw):
                    values.add(float(t + u))
        if lw.number_words_in_compounds:
            for word, value in lw.number_words.items():
                if low.startswith(word) and low[len(word):].startswith(lw.compound_suffixes):
                    values.add(float(value))
                    break
    return frozenset(values)


def date_values(words: Sequence[_Word], lw: LanguageWords) -> tuple[frozenset[int], frozenset[int]]:
    """The months and weekdays a statement names."""
    months, weekdays = set(), set()
    for w in words:
        low = w.text.lower()
        if low in lw.months and (not lw.months_capitalised or w.text[:1].isupper()):
            months.add(lw.months[low])
        if low in lw.weekdays:
            weekdays.add(lw.weekdays[low])
    return frozenset(months), frozenset(weekdays)


# --- the signals ---------------------------------------------------------------------------------------


def _near(keys: frozenset[str], others: frozenset[str]) -> bool:
    """Keys equal, or a long name spelled one letter apart ('Megabazus' / 'Megabazos', 'Bosphorus' /
    'Bosporus'): spellings of one name across languages the transliteration rules do not cover."""
    if keys & others:
        return True
    return any(len(k) >= 6 and abs(len(k) - len(o)) <= 1 and _one_edit(k, o) for k in keys for o in others
               if not k.startswith("@") and not o.startswith("@"))


def _one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


def _unmatched(mine: Reading, other: Reading, kind: str) -> list[Name]:
    """``mine``'s names of ``kind`` that ``other`` lacks: neither names them, nor a place in them or
    the country they lie in ('Wladiwostok' is in 'Russland'), nor has them among its words."""
    theirs = frozenset().union(*(n.keys for n in other.names if n.kind == kind)) if other.names else frozenset()
    strong = [n for n in other.names if n.kind == kind and not n.weak]  # 'russische' is no country to lie in
    inside = frozenset().union(*(n.within for n in strong)) if strong else frozenset()
    countries = frozenset().union(*(n.keys for n in strong)) if strong else frozenset()
    return [n for n in mine.names if n.kind == kind and not n.weak and not _near(n.keys, theirs | inside)
            and not n.within & countries and not _near(n.keys, other.word_keys)]


def names_differ(a: Reading, b: Reading) -> list[str]:
    """Each statement names someone (or somewhere) the other does not: a swapped actor or place.
    A name only one side has is no difference (a paraphrase may drop 'sagte Peskow'); a name on each
    side that the other lacks is ('Lawrow' / 'Schoigu', 'Moskau' / 'Wladiwostok'). Places come
    from the list; people are those the stored documents mention as people."""
    out = []
    if _unmatched(a, b, PLACE) and _unmatched(b, a, PLACE):
        out.append("different place")
    # people: on each side a person the stored documents mention (their named-entity mentions, which
    # the query's names are matched against too: 'Lavrov' is the 'Lawrow' of a stored document) or a
    # name after a title ('Präsidenten Xi Jinping', 'utenriksminister Marco Rubio'). A
    # capitalised word alone is too weak across languages: English capitalises what German writes
    # as an adjective or compound ('Mycenaean', 'Natural Heritage'), and an exonym the place list
    # lacks ('Greece', 'Griechenland') would read as two people
    people_a = [n for n in _unmatched(a, b, OTHER) if not n.types or "PER" in n.types]
    people_b = [n for n in _unmatched(b, a, OTHER) if not n.types or "PER" in n.types]
    if any("PER" in n.types for n in people_a) and any("PER" in n.types for n in people_b):
        out.append("different person")
    return out


def names_agree(a: Reading, b: Reading) -> list[str]:
    """The names both state, as the first statement writes them."""
    theirs = frozenset().union(*(n.keys for n in b.names)) if b.names else frozenset()
    seen, out = set(), []
    for n in a.names:
        if n.keys & (theirs | b.word_keys) and n.shown not in seen:
            seen.add(n.shown)
            out.append(n.shown)
    return out


def _facts(mine: Reading, other: Reading) -> tuple[int, int]:
    """(how many of ``mine``'s facts — names, numbers, months, weekdays — ``other`` states too, how many not)."""
    unmatched = sum(n.known for kind in (PLACE, OTHER) for n in _unmatched(mine, other, kind))
    strong = sum(n.known and not n.weak for n in mine.names)
    shared = strong - unmatched
    for own, theirs in ((mine.numbers, other.numbers), (mine.months, other.months), (mine.weekdays, other.weekdays)):
        shared += len(own & theirs)
        unmatched += len(own - theirs)
    return shared, unmatched


COVERAGE = 0.5  # the least share of the facts that both state (dev part of gold/claims)
COVERAGE_MIN_UNSHARED = 3


def facts_differ(a: Reading, b: Reading) -> list[str]:
    """The two statements share too few of their facts: a topic neighbour, not a rendering. A
    translation or paraphrase keeps the names, numbers and dates of what it renders; a statement that
    names three things the other does not, and shares under half of all it names, says something else
    about the story. Only names a list or the store knows count: English capitalises what German
    writes as an adjective or compound ('the Pacific', 'im Pazifik'; 'Palm Sunday', 'Palmsonntag') ("Als Kim Jong-un im September 2023 in Moskau war …" beside "Putin wird Nordkorea
    besuchen")."""
    shared_a, only_a = _facts(a, b)
    shared_b, only_b = _facts(b, a)
    shared = max(shared_a, shared_b)
    unshared = only_a + only_b
    if unshared >= COVERAGE_MIN_UNSHARED and shared < COVERAGE * (shared + unshared):
        return ["different details"]
    return []


def _is_year(x: float) -> bool:
    return x.is_integer() and 1800 <= x <= 2100


def numbers_differ(a: Reading, b: Reading) -> list[str]:
    """Both statements state numbers and none is shared: '2019' is not '2023', 'zwei Stunden' not
    'vier bis fünf Stunden'. (A translation may add 'the two leaders' to a number it keeps, so one
    shared number is agreement.)"""
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        return ["different date" if all(_is_year(x) for x in a.numbers ^ b.numbers) else "different number"]
    return []


def dates_differ(a: Reading, b: Reading) -> list[str]:
    """Both name a month, or both a weekday, and none is shared ('im Oktober' / 'i desember')."""
    if (a.months and b.months and not a.months & b.months) or (a.weekdays and b.weekdays and not a.weekdays & b.weekdays):
        return ["different date"]
    return []


def polarity_differs(a: Reading, b: Reading) -> list[str]:
    """One statement denies what the other affirms: a negator ('nicht', 'ikke', 'not', 'kein') or a
    verb of refusal ('lehnte ab', 'takket nei', 'rejected') on one side only. Refusing is denying
    acceptance, so 'nahm die Einladung nicht an' and 'lehnte die Einladung ab' agree."""
    if (a.negated is None) == (b.negated is None):
        return []
    denying, other = (a, b) if a.negated is not None else (b, a)
    if not denying.refusal and other.says_not:  # 'nicht zuverlässig' / 'unreliable': one way to say not
        return []
    if denying.refusal:
        return ["refused vs accepted" if other.acceptance else "refused"]
    return ["negated"]


def speakers_differ(a: str | None, b: str | None, lang_a: str | None, lang_b: str | None) -> list[str]:
    """Both statements are quotes, and of different people (their last names' spelling keys differ)."""
    if not a or not b:
        return []
    last_a, last_b = _TOKEN.findall(a)[-1:], _TOKEN.findall(b)[-1:]
    if last_a and last_b and not word_keys(last_a[0], lang_a) & word_keys(last_b[0], lang_b):
        return ["different speaker"]
    return []


# --- the verdict -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    same: bool
    differs: tuple[str, ...]  # what differs ('different number', 'negated'), empty when the same
    names: tuple[str, ...]  # names both state
    numbers: tuple[str, ...]  # numbers both state
    notes: tuple[str, ...]  # what was read but decided not to count: hedges, a question

    def why(self) -> str:
        """The reason, as a line: what agrees, or what differs."""
        if self.differs:
            return "; ".join(self.differs)
        parts = []
        if self.names:
            parts.append("names " + ", ".join(self.names))
        if self.numbers:
            parts.append("numbers " + ", ".join(self.numbers))
        parts += list(self.notes)
        return "; ".join(parts) or "no names or numbers to compare"


def _shown_number(x: float) -> str:
    return str(int(x)) if x.is_integer() else f"{x:g}"


def verify(a: str, lang_a: str | None, b: str, lang_b: str | None, *, book: Gazetteer | None = None,
           speakers: tuple[str | None, str | None] = (None, None),
           signals: Iterable[str] = SIGNALS) -> Verdict:
    """Whether statement ``a`` (in ``lang_a``) and ``b`` make the same claim, and why."""
    signals = frozenset(signals)
    ra, rb = read(a, lang_a, book), read(b, lang_b, book)
    differs: list[str] = []
    if "names" in signals:
        differs += names_differ(ra, rb)
    if "numbers" in signals:
        differs += numbers_differ(ra, rb)
    if "dates" in signals:
        differs += [d for d in dates_differ(ra, rb) if d not in differs]
    if "polarity" in signals:
        differs += polarity_differs(ra, rb)
    if "speaker" in signals:
        differs += speakers_differ(*speakers, lang_a, lang_b)
    if "coverage" in signals and not differs:
        differs += facts_differ(ra, rb)
    notes = []
    if ra.hedge or rb.hedge:
        notes.append(f"hedged ({(ra.hedge or rb.hedge).strip()})")
    if ra.question or rb.question:
        notes.append("a question")
    return Verdict(not differs, tuple(differs), tuple(names_agree(ra, rb)),
                   tuple(_shown_number(x) for x in sorted(ra.numbers & rb.numbers)), tuple(notes))
