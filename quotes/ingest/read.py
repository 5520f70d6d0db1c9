"""Read articles from text, JSONL and HTML files into Documents, in input order.

Bad input never raises out of the iterator and is never dropped silently: it becomes a
``Failure(stage="ingest")`` with a message a person can act on, and the next input goes on.
Only regular files are read, and never more bytes than the size limit allows (a device, a
FIFO or an endless file cannot block or exhaust a run); a folder that cannot be listed is a
failure of its own. A gzip file of an input (``article.txt.gz``, ``feed.jsonl.gz``) is read
through its decompression, within the same limit.

A folder walk never reads what the tool wrote: a store (its marker, or Delta tables) and a
report page (its generator tag) are left out, and so are files that are no input (``.zip``, no
suffix, other suffixes); ``on_skip`` is told of each, in one line per folder, so nothing is
left out without a word. Line endings are normalised to "\\n"; ``Document.text`` as yielded is the
text all offsets refer to.

Document ids (``Document.id_from`` says which rule made one):

- the record's ``id`` field, when given; else its ``url`` (JSONL records, and HTML pages that
  name their canonical URL);
- else the file's name without its suffix plus the first 12 hex digits of the text's sha256
  (``article-3f2a9c0d41be``): stable across re-runs wherever the file lies, distinct for
  different files of the same name (a folder of ``index.html`` pages), and the same for the
  same text, which is one document however often it is fed.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from quotes.files import FileRefused, open_regular
from quotes.lexicon import normalise_language
from quotes.records import Document, Failure, IdSource

DEFAULT_MAX_CHARS = 2_000_000
TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".json"}
HTML_SUFFIXES = {".html", ".htm"}
INPUT_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES
GZIP_SUFFIX = ".gz"
# The tag quotes/report/html.py writes into its page: a report is never read as an article.
REPORT_GENERATOR = '<meta name="generator" content="quotes report">'
# UTF-8 needs at most 4 bytes a character, markup rarely outweighs text 16 to 1, and JSON's
# escapes (\u00e4) take 6 bytes a character: a file or line bigger than this many bytes per
# allowed character is too large before reading it.
BYTES_PER_CHAR = {"text": 4, "html": 16, "json": 8}
ID_HASH_DIGITS = 12
_UNICODE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class BadInput(Exception):
    """Input that cannot become a Document; the message says why, for a person."""


def content_hash(text: str) -> str:
    """sha256 hex digest of the UTF-8 text: the same article text, the same hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_doc_id(stem: str, text: str) -> str:
    return f"{stem}-{content_hash(text)[:ID_HASH_DIGITS]}"


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


def _open_regular(path: Path):
    """A binary file object on ``path`` when it is a regular file; BadInput otherwise (quotes.files:
    opened without blocking, checked on the open file). A ``.gz`` file is read decompressed."""
    try:
        f = open_regular(path)
    except FileRefused as exc:
        raise BadInput(str(exc).removeprefix(f"{path}: ")) from None
    if path.suffix.lower() == GZIP_SUFFIX:
        import gzip

        return gzip.GzipFile(fileobj=f, mode="rb")
    return f


def _shown(path: Path | str) -> str:
    """A path as text for records and messages: a file name that is not UTF-8 (Python keeps its bytes
    as surrogates, which no JSON or table can hold) gets its odd bytes written as \\x9b."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _suffix(path: Path) -> str:
    """The suffix that says what a file holds: ``article.txt.gz`` holds text."""
    name = path.name.lower()
    return Path(name.removesuffix(GZIP_SUFFIX)).suffix if name.endswith(GZIP_SUFFIX) else path.suffix.lower()


def _stem(path: Path) -> str:
    """The name without its suffixes: ``article.txt.gz`` → ``article``."""
    name = path.name.removesuffix(GZIP_SUFFIX) if path.name.lower().endswith(GZIP_SUFFIX) else path.name
    return _shown(Path(name).stem)


def _too_large(size: int, max_chars: int) -> BadInput:
    return BadInput(f"too large: {size:,} bytes, more than {max_chars:,} characters can take "
                    "(set QUOTES_MAX_CHARS to raise the limit)")


def _read_bytes(path: Path, max_chars: int, kind: str) -> bytes:
    limit = max_chars * BYTES_PER_CHAR[kind]
    with _open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise _too_large(size, max_chars)
        data = f.read(limit + 1)  # never more than the limit, even from a file that grows (or a gzip bomb)
    if len(data) > limit:
        raise _too_large(len(data), max_chars)
    return data


def _published(value: object, warnings: list[str]) -> datetime | None:
    """A date from the input's metadata: ISO 8601 exactly (zone kept), else the common written
    forms ('16.01.2024', '16. Januar 2024'); anything else is left out with a warning."""
    if isinstance(value, datetime):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    from quotes.ingest.dates import parse_date

    found = parse_date(str(value))
    if found is None:
        warnings.append(f"published date {str(value)[:60]!r} not understood; left empty")
        return None
    if found.precision in ("month", "year"):
        warnings.append(f"published date {str(value)[:60]!r} names a {found.precision} only; stored as its first day")
    return found.value


def _encoding_warning(encoding: str) -> list[str]:
    return [] if encoding == "utf-8" else [f"not UTF-8: decoded as {encoding} (detected)"]


def _text_document(path: Path, max_chars: int, lang: str | None) -> Document:
    text, encoding = decode(_read_bytes(path, max_chars, "text"))
    text = _clean_text(text, max_chars)
    return Document(doc_id=file_doc_id(_stem(path), text), path=_shown(path), text=text, language=lang,
                    encoding=encoding, id_from="file", warnings=_encoding_warning(encoding))


def _primary_language(tag: str | None) -> str | None:
    """'de-DE' → 'de': the page's lang attribute names a language plus a region."""
    return normalise_language(tag.replace("_", "-").split("-")[0]) if tag else None


def _html_document(path: Path, max_chars: int, lang: str | None) -> Document:
    """The article text of an HTML page (trafilatura), with title, date, URL and site name."""
    import trafilatura

    from quotes.ingest.dates import page_published

    html, encoding = decode(_read_bytes(path, max_chars, "html"))
    if _SVG_ROOT.match(html):
        raise BadInput("an SVG image, not an HTML page (saved with an .html suffix?): it holds no article text")
    warnings = _encoding_warning(encoding)

    def extract(page: str):
        try:  # dates come from page_published: trafilatura's own keeps only the day
            return trafilatura.bare_extraction(page, with_metadata=True, include_comments=True,
                                               date_extraction_params={"extensive_search": False,
                                                                       "original_date": True})
        except (AssertionError, ValueError, TypeError) as exc:  # what trafilatura and lxml raise on markup they choke on
            raise BadInput(f"the HTML page cannot be parsed ({type(exc).__name__}{': ' if str(exc) else ''}"
                           f"{str(exc)[:80]})") from None

    extracted = extract(html)
    if extracted is None or not (extracted.text or "").strip():
        depth = _nesting_depth(html)
        if depth <= PARSER_DEPTH:
            raise BadInput("no article text found in the HTML page")
        # libxml2 stops building the tree past ~256 levels: the text below is lost to trafilatura
        warnings.append(f"the page nests its elements {depth:,} levels deep: its text was read after unwrapping")
        extracted = extract(_unwrapped(html))
        if extracted is None or not (extracted.text or "").strip():
            extracted = _PlainPage(html)
        if not (extracted.text or "").strip():
            raise BadInput("no article text found in the HTML page")
    text = _clean_text(extracted.text, max_chars)
    language = _primary_language(extracted.language) or lang
    published = page_published(html, [language] if language else None, warnings)
    url = extracted.url or None
    return Document(
        doc_id=url or file_doc_id(_stem(path), text),
        path=_shown(path),
        text=text,
        language=language,
        title=extracted.title or None,
        published=published,
        url=url,
        outlet=extracted.sitename or None,
        encoding=encoding,
        id_from="url" if url else "file",
        warnings=warnings,
    )


_SVG_ROOT = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.I | re.S)
PARSER_DEPTH = 250  # about where libxml2 (trafilatura's parser) stops nesting elements


def _nesting_depth(html: str) -> int:
    """How deep the page's elements nest (void elements left out)."""
    from html.parser import HTMLParser

    void = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    class Depth(HTMLParser):
        depth = deepest = 0

        def handle_starttag(self, tag, attrs):
            if tag not in void:
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)

        def handle_endtag(self, tag):
            if tag not in void:
                self.depth = max(0, self.depth - 1)

    parser = Depth()
    parser.feed(html)
    return parser.deepest


def _unwrapped(html: str) -> str:
    """The page with its pure wrappers (an element whose only content is one element) unwrapped,
    parsed without libxml2's depth limit: what trafilatura can read again."""
    import lxml.html

    tree = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    for element in [e for e in tree.iter() if isinstance(e.tag, str) and e.tag not in ("html", "head", "body")
                    and len(e) == 1 and not (e.text or "").strip() and not (e[0].tail or "").strip()]:
        element.drop_tag()
    return lxml.html.tostring(tree, encoding="unicode")


class _PlainPage:
    """The text of every element of a page (scripts and styles left out), paragraph by paragraph,
    read with the standard library's parser, which has no depth limit: the last resort for a page
    nested deeper than any tree parser goes."""

    url = language = sitename = None

    def __init__(self, html: str):
        from html.parser import HTMLParser

        blocks = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "tr"}
        parts: list[str] = []
        title: list[str] = []
        skip = [0]
        in_title = [False]

        class Text(HTMLParser):
            def handle_starttag(self, tag, attrs):
                skip[0] += tag in ("script", "style", "template")
                in_title[0] = in_title[0] or tag == "title"
                if tag in blocks:
                    parts.append("\n\n")

            def handle_endtag(self, tag):
                skip[0] -= tag in ("script", "style", "template") and skip[0] > 0
                in_title[0] = in_title[0] and tag != "title"
                if tag in blocks:
                    parts.append("\n\n")

            def handle_data(self, data):
                if in_title[0]:
                    title.append(data)
                elif not skip[0]:
                    parts.append(data)

        Text().feed(html)
        paragraphs = (" ".join(p.split()) for p in "".join(parts).split("\n\n"))
        self.text = "\n\n".join(p for p in paragraphs if p)
        self.title = " ".join("".join(title).split()) or None


def _record_document(record: object, stem: str, id_from: IdSource, path: Path, max_chars: int,
                     lang: str | None) -> Document:
    """One article object from a JSONL line or a JSON file."""
    if not isinstance(record, dict):
        raise BadInput(f"expected a JSON object with a 'text' field, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise BadInput("no 'text' field: an article needs its text as a string in 'text'")

    warnings: list[str] = []

    def meta(key: str) -> str | None:
        """A metadata field as text: a string (an ``id`` may be a number too); any other type is
        not guessed at (a list's repr is no outlet): left empty, with a warning."""
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, str) or (key == "id" and isinstance(value, int) and not isinstance(value, bool)):
            return str(value).strip() or None
        warnings.append(f"field {key!r} is {_json_type(value)}, not text: left empty")
        return None

    text = _clean_text(text, max_chars)
    given, url = meta("id"), meta("url")
    return Document(
        doc_id=given or url or file_doc_id(stem, text),
        path=_shown(path),
        text=text,
        language=normalise_language(meta("lang")) or lang,
        title=meta("title"),
        published=_published(record.get("published"), warnings),
        url=url,
        outlet=meta("outlet"),
        id_from="id" if given else "url" if url else id_from,
        warnings=warnings,
    )


def _json_type(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "true or false", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def _json_value(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput("not valid UTF-8 (JSON must be UTF-8)") from None
    except json.JSONDecodeError as e:
        raise BadInput(f"invalid JSON: {e.msg.removesuffix(' at')} (column {e.colno})") from None
    except RecursionError:
        raise BadInput("invalid JSON: nested too deeply to read") from None


def _whole_json(path: Path, max_chars: int) -> object | None:
    """The parsed content of a .json file that is one JSON document; None when it is JSON lines."""
    if _suffix(path) != ".json":
        return None
    data = _read_bytes(path, max_chars, "json")
    try:
        return _json_value(data)
    except BadInput as e:
        if "nested too deeply" in str(e):
            raise
        return None  # not one JSON document: read it as JSON lines


def _lines(path: Path, limit: int) -> Iterator[tuple[int, bytes | BadInput]]:
    """(line number, raw bytes) of each non-blank line, or a BadInput for a line over ``limit``
    bytes (skipped without holding it in memory)."""
    with _open_regular(path) as f:
        n = 0
        while True:
            raw = f.readline(limit + 1)
            if not raw:
                return
            n += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                yield n, BadInput(f"line too large: over {limit:,} bytes (set QUOTES_MAX_CHARS to raise the limit)")
            elif raw.strip():
                yield n, raw


def _records(path: Path, max_chars: int) -> Iterator[tuple[str, str, IdSource, object]]:
    """(where, id stem, id rule, record) per article: raw bytes (or a BadInput) per non-blank JSONL
    line, or the objects of a .json file (one article, or a list of them)."""
    whole = _whole_json(path, max_chars)
    if isinstance(whole, list):
        yield from ((f"item {n}", _stem(path), "record", item) for n, item in enumerate(whole, 1))
    elif whole is not None:
        yield "the file", _stem(path), "file", whole
    else:
        limit = max_chars * BYTES_PER_CHAR["json"]
        yield from ((f"line {n}", _stem(path), "record", raw) for n, raw in _lines(path, limit))


def _record_failure(path: Path, where: str, error: str, raw: object = None) -> Failure:
    digest = hashlib.sha256(raw).hexdigest() if isinstance(raw, bytes) else None
    return Failure(doc_id=f"{_shown(path)}#{where}", path=_shown(path), stage="ingest", error=f"{_shown(path)}, {where}: {error}",
                   input_hash=digest)


def _jsonl_items(path: Path, max_chars: int, lang: str | None) -> Iterator[Document | Failure]:
    """One Document or Failure per article record; a bad record does not stop the others."""
    count = 0
    for where, stem, id_from, record in _records(path, max_chars):
        count += 1
        try:
            if isinstance(record, BadInput):
                raise record
            item = _json_value(record) if isinstance(record, bytes) else record
            yield _record_document(item, stem, id_from, path, max_chars, lang)
        except BadInput as e:
            yield _record_failure(path, where, str(e), record)
        except Exception as e:  # noqa: BLE001 - whatever a record holds, it is one failure, not the end of the run
            yield _record_failure(path, where, f"cannot read: {type(e).__name__}: {e}", record)
    if count == 0:
        yield Failure(path=_shown(path), stage="ingest", error=f"{_shown(path)}: empty: no articles in the file",
                      input_hash=hashlib.sha256(b"").hexdigest())


def _read_file(path: Path, max_chars: int, lang: str | None) -> Iterator[Document | Failure]:
    suffix = _suffix(path)
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl_items(path, max_chars, lang)
        elif suffix in HTML_SUFFIXES:
            yield _html_document(path, max_chars, lang)
        else:
            yield _text_document(path, max_chars, lang)
    except BadInput as e:
        yield Failure(path=_shown(path), stage="ingest", error=f"{_shown(path)}: {e}", input_hash=_hash_if_regular(path))
    except OSError as e:
        yield Failure(path=_shown(path), stage="ingest", error=f"{_shown(path)}: cannot read: {e.strerror or e}")
    except Exception as e:  # noqa: BLE001 - a reader's surprise is this file's failure, not the run's
        yield Failure(path=_shown(path), stage="ingest", error=f"{_shown(path)}: cannot read: {type(e).__name__}: {e}")


def _hash_if_regular(path: Path, limit: int = 1 << 26) -> str | None:
    """sha256 of a regular file's bytes (up to 64 MiB), so an unchanged bad file is not retried."""
    try:
        with _open_regular(path) as f:
            digest = hashlib.sha256()
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                limit -= len(chunk)
                if limit < 0:
                    return None
            return digest.hexdigest()
    except (BadInput, OSError):
        return None


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def is_report_page(path: Path) -> bool:
    """Whether ``path`` is a report page quotes wrote (its generator tag near the top)."""
    try:
        with _open_regular(path) as f:
            return REPORT_GENERATOR.encode() in f.read(4096)
    except (BadInput, OSError, EOFError):
        return False


def walk_inputs(root: Path, skipped: list[str] | None = None) -> list[Path | Failure]:
    """Input files below ``root``, sorted by path, hidden files and folders left out; a folder
    that cannot be listed is a Failure in its place. Stores and report pages the tool wrote and
    files that are no input are left out too, each named in ``skipped`` (when given)."""
    from quotes.files import is_store_folder

    found: list[Path | Failure] = []
    stores: list[str] = []
    others: list[str] = []

    def unlisted(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        found.append(Failure(path=_shown(where), stage="ingest",
                             error=f"{_shown(where)}: cannot list this folder: {error.strerror or error}; its files were not read"))

    if is_store_folder(root):
        stores.append(_shown(root))
        walked: Iterable = ()
    else:
        walked = os.walk(root, onerror=unlisted, followlinks=False)
    for folder, dirs, files in walked:
        here = Path(folder)
        stores += [_shown(here / d) for d in dirs if not d.startswith(".") and is_store_folder(here / d)]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not is_store_folder(here / d))
        for name in files:
            path = here / name
            if _hidden(path, root):
                continue
            if _suffix(path) not in INPUT_SUFFIXES:
                others.append(_shown(path.relative_to(root)))
            elif _suffix(path) in HTML_SUFFIXES and is_report_page(path):
                others.append(f"{_shown(path.relative_to(root))} (a report quotes wrote)")
            else:
                found.append(path)
    if skipped is not None:
        if stores:
            skipped.append(f"{_shown(root)}: left out {len(stores)} quotes store(s) or Delta table(s) in the folder, never "
                           f"an input: {', '.join(stores[:5])}{' …' if len(stores) > 5 else ''}")
        if others:
            shown = ", ".join(sorted(others)[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
            skipped.append(f"{_shown(root)}: skipped {len(others)} files that are not inputs ({' '.join(sorted(INPUT_SUFFIXES))}, "
                           f"or those gzipped; unpack a .zip first): {shown}")
    return sorted(found, key=lambda p: Path(p.path) if isinstance(p, Failure) else p)


def _paths(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def read_documents(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    lang: str | None = None,
    *,
    max_chars: int | None = None,
    on_skip: Callable[[str], None] | None = None,
) -> Iterator[Document | Failure]:
    """Documents (or Failures) from files and directories, in input order.

    ``lang`` is the language of documents whose metadata gives none ("auto" or None: leave
    it to detection). ``max_chars`` defaults to the QUOTES_MAX_CHARS setting. A bad setting
    raises here, at the call; bad input never raises. ``on_skip(line)`` hears of what a folder
    walk left out (stores, reports, files that are no input).
    """
    limit = max_chars if max_chars is not None else max_chars_setting()
    if limit <= 0:
        raise ValueError(f"max_chars must be positive, not {limit}")
    default_lang = None if lang in (None, "auto") else normalise_language(lang)
    return _iter_documents(_paths(paths), limit, default_lang, on_skip)


def _iter_documents(paths: list[Path], max_chars: int, lang: str | None,
                    on_skip: Callable[[str], None] | None = None) -> Iterator[Document | Failure]:
    for given in paths:
        path = Path(os.path.abspath(given))
        if not path.is_dir():
            yield from _read_file(path, max_chars, lang)
            continue
        skipped: list[str] = []
        entries = walk_inputs(path, skipped)
        for line in skipped:
            if on_skip is not None:
                on_skip(line)
        if not entries:
            kinds = " ".join(sorted(INPUT_SUFFIXES))
            yield Failure(path=_shown(path), stage="ingest", error=f"{_shown(path)}: directory holds no input files ({kinds})")
        for entry in entries:
            if isinstance(entry, Failure):
                yield entry
            else:
                yield from _read_file(entry, max_chars, lang)
