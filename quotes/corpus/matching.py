"""When two statements say the same thing: the rule trace and claims share.

A pair of statements (their vectors' cosine, their languages, their texts) says the same when
the cosine reaches the threshold of the pair's languages — ``Encoder.thresholds()`` gives one
across languages (a translation against a topic neighbour) and a higher one within a language,
where e5's cosines run higher — and the two texts agree where a topic neighbour in a dense news
story gives itself away: the numbers they both state are not disjoint ("2019" is not "2023"),
and neither is more than ``LENGTH_RATIO`` times as long as the other (a translation or a close
paraphrase keeps its length).

Then the verifier (quotes/corpus/verify.py) reads each pair that passed once more and vetoes the
pairs that make a different claim about the same story (another person, place, number or date, a
negation or refusal); what agrees is kept as the reason (``why``), what differs labels a near miss
(``differs``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from quotes.corpus.verify import SIGNALS, Gazetteer, base_gazetteer, verify

LENGTH_RATIO = 1.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Thresholds:
    across: float  # statement and match in different languages
    within: float  # the same language

    @classmethod
    def of(cls, encoder) -> Thresholds:
        """The encoder's thresholds."""
        return cls(*encoder.thresholds())


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", m) for m in _NUMBER.findall(text)}


def lengths_agree(a: str, b: str) -> bool:
    """Neither text is more than LENGTH_RATIO times as long as the other."""
    return max(len(a), len(b)) <= LENGTH_RATIO * max(1, min(len(a), len(b)))


def texts_agree(a: str, b: str) -> bool:
    """The rule before the verifier: two statements that state numbers in digits share one, and
    neither is more than LENGTH_RATIO times as long as the other."""
    if not lengths_agree(a, b):
        return False
    na, nb = _numbers(a), _numbers(b)
    return not (na and nb and not na & nb)


@dataclass(frozen=True)
class Verifier:
    """The verification after the cosine: its signals (quotes/corpus/verify.py SIGNALS) and the
    names it knows. ``signals=None`` is the rule before the verifier (``texts_agree``)."""

    signals: tuple[str, ...] | None = SIGNALS
    book: Gazetteer = field(default_factory=base_gazetteer)

    def with_names(self, names: Iterable[str | tuple[str, str]]) -> Verifier:
        return Verifier(self.signals, self.book.with_names(names))

    def judge(self, a: str, lang_a: str | None, b: str, lang_b: str | None,
              speakers: tuple[str | None, str | None] = (None, None)) -> tuple[bool, str, list[str]]:
        """(same claim, why, what differs) for a pair whose cosine reached the threshold. A pair of
        very different lengths is not the same statement, and differs in nothing nameable."""
        if self.signals is None:
            same = texts_agree(a, b)
            return same, "", [] if same or not lengths_agree(a, b) else ["different number"]
        if not lengths_agree(a, b):
            return False, "", []
        v = verify(a, lang_a, b, lang_b, book=self.book, speakers=speakers, signals=self.signals)
        return v.same, v.why(), list(v.differs)


def mention_names(frame: pl.LazyFrame, doc_ids: Iterable[str]) -> list[tuple[str, str]]:
    """The names (and their written forms) that the documents ``doc_ids`` mention as people,
    organisations or places, with that type: how the verifier tells a German name from a
    capitalised noun, and a person from a place."""
    found = (frame.filter(pl.col("doc_id").is_in(list(doc_ids)), pl.col("entity_type").is_in(["PER", "ORG", "LOC"]))
             .select("name", "surfaces", "entity_type").collect())
    return sorted({(n, t) for n, surfaces, t in found.iter_rows() for n in [n, *(surfaces or [])]})


def judged(frame: pl.DataFrame, verifier: Verifier, languages: tuple[str, str], texts: tuple[str, str],
           speakers: tuple[str, str] | None = None) -> pl.DataFrame:
    """``frame`` (pairs above the threshold) with ``same`` (the verifier's verdict), ``why`` and
    ``differs`` (what differs: 'different number', 'negated', …)."""
    rows = zip(*(frame[c].to_list() for c in (*texts, *languages)),
               *(frame[c].to_list() for c in speakers) if speakers else ([None] * frame.height,) * 2)
    verdicts = [verifier.judge(a, la, b, lb, (sa, sb)) for a, b, la, lb, sa, sb in rows]
    return frame.with_columns(
        pl.Series("same", [v[0] for v in verdicts], dtype=pl.Boolean),
        pl.Series("why", [v[1] for v in verdicts], dtype=pl.String),
        pl.Series("differs", [v[2] for v in verdicts], dtype=pl.List(pl.String)),
    )


def above_threshold(pairs: pl.LazyFrame, thresholds: Thresholds, languages: tuple[str, str]) -> pl.LazyFrame:
    """The pairs (with a ``score``) whose cosine reaches the threshold of their languages
    (``languages``: two columns)."""
    first, second = languages
    return pairs.filter(pl.col("score") >= pl.when(pl.col(first) == pl.col(second))
                        .then(thresholds.within).otherwise(thresholds.across))


def same_statement(pairs: pl.LazyFrame, thresholds: Thresholds, languages: tuple[str, str],
                   texts: tuple[str, str], verifier: Verifier | None = None) -> pl.LazyFrame:
    """The pairs (with a ``score``) that say the same thing, by the rule trace and claims share:
    the cosine reaches the threshold of the pair's languages (``languages``: two columns), and the
    verifier finds no difference between the texts (``texts``: two columns); with ``why``."""
    verifier = verifier or Verifier()
    found = judged(above_threshold(pairs, thresholds, languages).collect(), verifier, languages, texts)
    return found.filter(pl.col("same")).drop("same", "differs").lazy()
