"""Publication dates as people write them.

ISO 8601 stamps are read exactly, time and zone kept ("2024-01-16T10:00:00+01:00"). Anything
else ("16.01.2024", "16. Januar 2024", "2024-01") goes through dateparser, day before month
(``date_order`` in quotes/data/languages.json), and must name at least a year and a month.
Relative dates ("yesterday", "3 days ago", "gestern") are read only where a person types a
filter (``relative=True``), never from an article's metadata. A date that cannot be read is
None, and the caller records why: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from quotes.errors import QuotesError
from quotes.lexicon import load_data


class DateError(QuotesError, ValueError):
    """A date a person typed that names no date."""

# Date-like strings inside free text (a page header, a byline): ISO dates or months, and
# day.month.year. Month names are left to dateparser on the same short texts.
_CANDIDATE = re.compile(
    r"\b\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
    r"|\b\d{1,2}\.\s?\d{1,2}\.\s?\d{4}\b"
)


@dataclass(frozen=True)
class ParsedDate:
    value: datetime
    precision: str  # "time", "day", "month" or "year": what the text actually said

    def describe(self) -> str:
        return {"month": " (month only)", "year": " (year only)"}.get(self.precision, "")


def _iso(text: str) -> ParsedDate | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}", text):  # fromisoformat wants a day; a month is a month
            return ParsedDate(datetime(int(text[:4]), int(text[5:]), 1), "month") if 1 <= int(text[5:]) <= 12 else None
        return None
    has_time = "T" in text or " " in text.strip()
    return ParsedDate(value, "time" if has_time else "day")


def parse_date(text: str, *, languages: list[str] | None = None, relative: bool = False) -> ParsedDate | None:
    """The date ``text`` names, or None when it names none (or only a relative one, unless
    ``relative``)."""
    text = " ".join(str(text).split())
    if not text or len(text) > 100:
        return None
    found = _iso(text)
    if found is not None:
        return found
    from dateparser.date import DateDataParser  # slow to import and to warm up: only for non-ISO text

    settings = {"DATE_ORDER": load_data("languages").get("date_order", "DMY"), "PREFER_DAY_OF_MONTH": "first",
                "RETURN_AS_TIMEZONE_AWARE": False}
    if not relative:
        settings.update({"REQUIRE_PARTS": ["year", "month"], "PARSERS": ["timestamp", "custom-formats",
                                                                          "absolute-time"]})
    try:
        data = DateDataParser(languages=languages, settings=settings).get_date_data(text)
    except Exception:  # noqa: BLE001 - dateparser raises a variety of errors on odd text: then no date
        return None
    if data is None or data.date_obj is None:
        return None
    return ParsedDate(data.date_obj, data.period or "day")


def date_in_text(text: str, languages: list[str] | None = None) -> tuple[ParsedDate, str] | None:
    """The first date written in a short free text (a page header, a byline), with the words
    that gave it."""
    for m in _CANDIDATE.finditer(text):
        found = parse_date(m.group(), languages=languages)
        if found is not None:
            return found, m.group()
    if len(text) > 300:
        return None
    from dateparser.search import search_dates

    try:
        hits = search_dates(text, languages=languages, settings={"REQUIRE_PARTS": ["year", "month"],
                                                                 "PREFER_DAY_OF_MONTH": "first"})
    except Exception:  # noqa: BLE001
        return None
    for words, value in hits or []:
        found = parse_date(words, languages=languages)
        return (found or ParsedDate(value, "day")), words
    return None


def as_utc(value: date | datetime | str, *, relative: bool = True) -> datetime:
    """A filter's date as an aware UTC datetime (naive means UTC); DateError when unreadable."""
    if isinstance(value, str):
        found = parse_date(value, relative=relative)
        if found is None:
            raise DateError(f"'{value}' is not a date quotes can read: use YYYY-MM-DD, 16.01.2024, "
                             "'16 January 2024' or 'yesterday' / '3 days ago'")
        value = found.value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# Where a page states its date outside the metadata: a <header>, a <time>, or an element whose
# class or id says it holds the date or the byline.
_DATED_ELEMENTS = ("//header", "//time", "//*[contains(@class,'date') or contains(@id,'date') or "
                   "contains(@class,'time') or contains(@class,'byline') or contains(@class,'published') or "
                   "contains(@class,'meta')]")


def page_published(html: str, languages: list[str] | None, warnings: list[str]) -> datetime | None:
    """An HTML page's publication time: its metadata (article:published_time, JSON-LD,
    <time datetime>, …, read by htmldate with time and zone kept), else a date written in the
    page's header or byline ('date 2024-01'); never a year found somewhere in the article text.
    What was found only in the text, or not at all, is noted in ``warnings``."""
    from htmldate import find_date

    try:
        stamp = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%dT%H:%M:%S%z")
    except Exception:  # noqa: BLE001 - a malformed page has no metadata date, not a crash
        stamp = None
    if stamp:
        found = _iso(stamp[:-2] + ":" + stamp[-2:] if re.search(r"[+-]\d{4}$", stamp) else stamp)
        if found is not None:
            return found.value
    header = _header_date(html, languages)
    if header is not None:
        found, words = header
        warnings.append(f"publication date read from the page's header text {words!r}{found.describe()}")
        return found.value
    warnings.append("no publication date found in the page")
    return None


def _header_date(html: str, languages: list[str] | None) -> tuple[ParsedDate, str] | None:
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - unparsable markup: no header to read
        return None
    for xpath in _DATED_ELEMENTS:
        for element in tree.xpath(xpath)[:20]:
            texts = [element.get("datetime") or "", " ".join(element.text_content().split())]
            for text in texts:
                if text and len(text) <= 300 and (found := date_in_text(text, languages)):
                    return found
    return None
