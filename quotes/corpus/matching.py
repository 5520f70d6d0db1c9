"""When two statements say the same thing: the rule trace and claims share.

A pair of statements (their vectors' cosine, their languages, their texts) says the same when
the cosine reaches the threshold of the pair's languages — ``Encoder.thresholds()`` gives one
across languages (a translation against a topic neighbour) and a higher one within a language,
where e5's cosines run higher — and the two texts agree where a topic neighbour in a dense news
story gives itself away: the numbers they both state are not disjoint ("2019" is not "2023"),
and neither is more than ``LENGTH_RATIO`` times as long as the other (a translation or a close
paraphrase keeps its length).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

LENGTH_RATIO = 1.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Thresholds:
    across: float  # statement and match in different languages
    within: float  # the same language

    @classmethod
    def of(cls, encoder) -> "Thresholds":
        """The encoder's thresholds."""
        return cls(*encoder.thresholds())


def _numbers(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", m) for m in _NUMBER.findall(text)}


def texts_agree(a: str, b: str) -> bool:
    """What a cosine cannot see: two statements that state numbers share one, and neither is more
    than LENGTH_RATIO times as long as the other."""
    if max(len(a), len(b)) > LENGTH_RATIO * max(1, min(len(a), len(b))):
        return False
    na, nb = _numbers(a), _numbers(b)
    return not (na and nb and not na & nb)


def agreeing(frame: pl.LazyFrame, left: str, right: str) -> pl.LazyFrame:
    """The rows of ``frame`` whose texts in columns ``left`` and ``right`` agree (texts_agree)."""
    return frame.filter(pl.struct(left, right).map_elements(lambda r: texts_agree(r[left], r[right]),
                                                            return_dtype=pl.Boolean))


def same_statement(pairs: pl.LazyFrame, thresholds: Thresholds, languages: tuple[str, str],
                   texts: tuple[str, str]) -> pl.LazyFrame:
    """The pairs (with a ``score``) that say the same thing, by the rule trace and claims share:
    the cosine reaches the threshold of the pair's languages (``languages``: two columns), and the
    texts (``texts``: two columns) agree where a cosine is blind."""
    first, second = languages
    return agreeing(pairs.filter(pl.col("score") >= pl.when(pl.col(first) == pl.col(second))
                                 .then(thresholds.within).otherwise(thresholds.across)), *texts)
