"""Read articles from text, JSONL and HTML files into Documents, in input order.

Bad input never raises out of the iterator and is never dropped silently: it becomes a
``Failure(stage="ingest")`` with a message a person can act on, and the next input goes on.
Line endings are normalised to "\\n"; ``Document.text`` as yielded is the text all offsets
refer to.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from quotes.lexicon import normalise_language
from quotes.records import Document, Failure

DEFAULT_MAX_CHARS = 2_000_000
TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".json"}
HTML_SUFFIXES = {".html", ".htm"}
INPUT_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES
# UTF-8 needs at most 4 bytes a character, and markup rarely outweighs text 16 to 1, so a
# file bigger than this many bytes per allowed character is too large before reading it.
BYTES_PER_CHAR = {"text": 4, "html": 16}
_UNICODE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class BadInput(Exception):
    """Input that cannot become a Document; the message says why, for a person."""


def content_hash(text: str) -> str:
    """sha256 hex digest of the UTF-8 text: the same article text, the same hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def max_chars_setting() -> int:
    """The size limit for one article: env ``QUOTES_MAX_CHARS``, else 2,000,000."""
    raw = os.environ.get("QUOTES_MAX_CHARS", "").strip()
    if not raw:
        return DEFAULT_MAX_CHARS
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise ValueError(f"QUOTES_MAX_CHARS must be a whole number of characters, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"QUOTES_MAX_CHARS must be positive, not {value}")
    return value


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 when it is valid, else the encoding charset-normalizer detects."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8"
    if b"\x00" in data and not data.startswith(_UNICODE_BOMS):
        raise BadInput("binary file: it contains NUL bytes, so it is not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BadInput("binary or undecodable file: not UTF-8, and no text encoding could be detected")
    return str(best), best.encoding


def _clean_text(text: str, max_chars: int) -> str:
    """Normalised text, or BadInput when it is empty or too large."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise BadInput("empty: no text (only whitespace)" if text else "empty: no text")
    if len(text) > max_chars:
        raise BadInput(
            f"too large: {len(text):,} characters, over the limit of {max_chars:,} "
            "(set QUOTES_MAX_CHARS to raise it)"
        )
    return text


def _read_bytes(path: Path, max_chars: int, kind: str) -> bytes:
    limit = max_chars * BYTES_PER_CHAR[kind]
    size = path.stat().st_size
    if size > limit:
        raise BadInput(
            f"too large: {size:,} bytes, more than {max_chars:,} characters can take "
            "(set QUOTES_MAX_CHARS to raise the limit)"
        )
    return path.read_bytes()


def _parse_published(value: object) -> datetime | None:
    """An ISO date or date-time; anything else is left out rather than guessed."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _text_document(path: Path, max_chars: int, lang: str | None) -> Document:
    text, encoding = decode(_read_bytes(path, max_chars, "text"))
    return Document(
        doc_id=path.stem, path=str(path), text=_clean_text(text, max_chars), language=lang, encoding=encoding
    )


def _primary_language(tag: str | None) -> str | None:
    """'de-DE' → 'de': the page's lang attribute names a language plus a region."""
    return normalise_language(tag.replace("_", "-").split("-")[0]) if tag else None


def _html_document(path: Path, max_chars: int, lang: str | None) -> Document:
    """The article text of an HTML page (trafilatura), with title, date, URL and site name."""
    import trafilatura

    html, encoding = decode(_read_bytes(path, max_chars, "html"))
    # dates only from the page's metadata: the extensive search guesses one from any year in the text
    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=True,
                                            date_extraction_params={"extensive_search": False, "original_date": True})
    if extracted is None or not (extracted.text or "").strip():
        raise BadInput("no article text found in the HTML page")
    return Document(
        doc_id=path.stem,
        path=str(path),
        text=_clean_text(extracted.text, max_chars),
        language=_primary_language(extracted.language) or lang,
        title=extracted.title or None,
        published=_parse_published(extracted.date),
        url=extracted.url or None,
        outlet=extracted.sitename or None,
        encoding=encoding,
    )


def _record_document(record: object, doc_id: str, path: Path, max_chars: int, lang: str | None) -> Document:
    """One article object from a JSONL line or a JSON file."""
    if not isinstance(record, dict):
        raise BadInput(f"expected a JSON object with a 'text' field, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise BadInput("no 'text' field: an article needs its text as a string in 'text'")

    def meta(key: str) -> str | None:
        value = record.get(key)
        return None if value is None else (str(value).strip() or None)

    return Document(
        doc_id=meta("id") or doc_id,
        path=str(path),
        text=_clean_text(text, max_chars),
        language=normalise_language(meta("lang")) or lang,
        title=meta("title"),
        published=_parse_published(record.get("published")),
        url=meta("url"),
        outlet=meta("outlet"),
    )


def _whole_json(path: Path) -> object | None:
    """The parsed content of a .json file that is one JSON document; None when it is JSON lines."""
    if path.suffix.lower() != ".json":
        return None
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        return None


def _records(path: Path) -> Iterator[tuple[str, str, object | bytes]]:
    """(where, doc_id, record): raw bytes per non-blank JSONL line, or the objects of a .json
    file (one article, or a list of them)."""
    whole = _whole_json(path)
    if isinstance(whole, list):
        yield from ((f"item {n}", f"{path.stem}:{n}", item) for n, item in enumerate(whole, 1))
    elif whole is not None:
        yield "the file", path.stem, whole
    else:
        with path.open("rb") as f:
            yield from ((f"line {n}", f"{path.stem}:{n}", raw) for n, raw in enumerate(f, 1) if raw.strip())


def _jsonl_items(path: Path, max_chars: int, lang: str | None) -> Iterator[Document | Failure]:
    """One Document or Failure per article record; a bad record does not stop the others."""
    count = 0
    for where, doc_id, record in _records(path):
        count += 1
        try:
            item = _json_line(record) if isinstance(record, bytes) else record
            yield _record_document(item, doc_id, path, max_chars, lang)
        except BadInput as e:
            yield Failure(doc_id=doc_id, path=str(path), stage="ingest", error=f"{path}, {where}: {e}")
    if count == 0:
        yield Failure(doc_id=path.stem, path=str(path), stage="ingest", error=f"{path}: empty: no articles in the file")


def _json_line(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput("not valid UTF-8 (JSON lines must be UTF-8)") from None
    except json.JSONDecodeError as e:
        raise BadInput(f"invalid JSON ({e.msg} at column {e.colno})") from None


def _read_file(path: Path, max_chars: int, lang: str | None) -> Iterator[Document | Failure]:
    suffix = path.suffix.lower()
    try:
        if not path.exists():
            raise BadInput("file not found")
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl_items(path, max_chars, lang)
        elif suffix in HTML_SUFFIXES:
            yield _html_document(path, max_chars, lang)
        else:
            yield _text_document(path, max_chars, lang)
    except BadInput as e:
        yield Failure(doc_id=path.stem, path=str(path), stage="ingest", error=f"{path}: {e}")
    except OSError as e:
        yield Failure(doc_id=path.stem, path=str(path), stage="ingest", error=f"{path}: cannot read: {e.strerror or e}")


def _directory_files(root: Path) -> list[Path]:
    """Input files below ``root``, sorted by path, hidden files and folders left out."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in INPUT_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _paths(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def read_documents(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    lang: str | None = None,
    *,
    max_chars: int | None = None,
) -> Iterator[Document | Failure]:
    """Documents (or Failures) from files and directories, in input order.

    ``lang`` is the language of documents whose metadata gives none ("auto" or None: leave
    it to detection). ``max_chars`` defaults to the QUOTES_MAX_CHARS setting. A bad setting
    raises here, at the call; bad input never raises.
    """
    limit = max_chars if max_chars is not None else max_chars_setting()
    if limit <= 0:
        raise ValueError(f"max_chars must be positive, not {limit}")
    default_lang = None if lang in (None, "auto") else normalise_language(lang)
    return _iter_documents(_paths(paths), limit, default_lang)


def _iter_documents(paths: list[Path], max_chars: int, lang: str | None) -> Iterator[Document | Failure]:
    for path in paths:
        if not path.is_dir():
            yield from _read_file(path, max_chars, lang)
            continue
        files = _directory_files(path)
        if not files:
            kinds = " ".join(sorted(INPUT_SUFFIXES))
            yield Failure(path=str(path), stage="ingest", error=f"{path}: directory holds no input files ({kinds})")
        for file in files:
            yield from _read_file(file, max_chars, lang)
