"""Which language an article is in, and whether the pipeline supports it.

Detection uses py3langid, which ships its model inside the package
(``py3langid/data/model.npz.xz``, opened from ``Path(__file__).parent``) and fetches nothing
from the network: it was run with networking cut off (``unshare -rn``) and classified the
seeds the same. The identifier's own codes for a language ('no', 'nn' for Norwegian) are
mapped to ours ('nb') by ``quotes/data/languages.json``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from quotes.errors import QuotesError
from quotes.lexicon import load_data, normalise_language, supported_languages
from quotes.records import Document

UNDETERMINED = "und"


@cache
def _to_ours() -> dict[str, str]:
    """Identifier code → project code ('no' → 'nb')."""
    codes = load_data("languages")["detector_codes"]
    return {theirs: ours for ours, many in codes.items() for theirs in many}


def _detector_codes(lang: str) -> list[str]:
    return [theirs for theirs, ours in _to_ours().items() if ours == lang] or [lang]


@cache
def _identifier(candidates: tuple[str, ...] | None):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if candidates is not None:
        known = set(identifier.labels)
        codes = {c for lang in candidates for c in _detector_codes(lang) if c in known}
        if not codes:
            raise ValueError(f"none of the candidate languages {list(candidates)} is known to the identifier")
        identifier.set_languages(sorted(codes))
    return identifier


def identify_language(text: str, candidates: Iterable[str] | None = None) -> tuple[str, float]:
    """(language code, probability) of ``text``, chosen among ``candidates`` (default: all).

    Probabilities of identifier codes that map to one of ours ('no' and 'nn' → 'nb') are
    added up. Text without letters gives ('und', 0.0).
    """
    if not any(ch.isalpha() for ch in text):
        return UNDETERMINED, 0.0
    key = None if candidates is None else tuple(sorted({normalise_language(c) for c in candidates}))
    scores: dict[str, float] = defaultdict(float)
    for code, prob in _identifier(key).rank(text):
        scores[normalise_language(_to_ours().get(code, code))] += prob
    best = max(scores, key=scores.__getitem__)
    return best, min(1.0, float(scores[best]))  # float32 sums can overshoot 1 by a hair


class UnsupportedLanguage(QuotesError, ValueError):
    """A language asked for that the pipeline has no data and models for."""


def check_language(requested: str | None, *, allow_auto: bool = True) -> str | None:
    """The normalised code of a language a person asked for ('auto' passes when allowed);
    UnsupportedLanguage for any other."""
    lang = normalise_language(requested)
    if lang is None or (allow_auto and lang == "auto"):
        return lang
    supported = supported_languages()
    if lang not in supported:
        raise UnsupportedLanguage(f"language '{requested}' is not supported; supported: "
                                  f"{', '.join((['auto'] if allow_auto else []) + supported)}")
    return lang


def known_language(code: str) -> str:
    """``code`` normalised, when the language identifier knows it (any language a statement can be
    traced in, not only those the pipeline extracts); UnsupportedLanguage otherwise."""
    lang = normalise_language(code) or ""
    if lang in supported_languages() or lang in {_to_ours().get(c, c) for c in _identifier(None).labels}:
        return lang
    raise UnsupportedLanguage(f"'{code}' is not a language code the identifier knows (ISO 639-1, e.g. de, nb, en)")


def resolve_language(doc: Document, requested: str) -> str:
    """The language to process ``doc`` in.

    ``requested`` is 'auto' or a code. An explicit code wins; with 'auto', the document's
    metadata language wins over detection. An unsupported language raises ValueError.
    """
    requested = normalise_language(requested) or "auto"
    if requested != "auto":
        lang, how = requested, "requested"
    elif doc.language:
        lang, how = normalise_language(doc.language), "from the document metadata"
    else:
        lang, prob = identify_language(doc.text)
        how = f"detected with probability {prob:.2f}"
    supported = supported_languages()
    if lang == UNDETERMINED:
        raise ValueError(f"document {doc.doc_id}: could not detect its language (no letters in the text)")
    if lang not in supported:
        raise ValueError(
            f"document {doc.doc_id}: language '{lang}' ({how}) is not supported; "
            f"supported languages: {', '.join(supported)}"
        )
    return lang


# --- documents in more than one language --------------------------------------------------------


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def language_parts(text: str, main: str) -> list[tuple[int, int, str]]:
    """(start, end, language) of each line of ``text`` that is, with confidence, in a supported
    language other than ``main`` (the thresholds are data: ``mixed`` in quotes/data/languages.json);
    [] when the document is in one language. Lines are the text's paragraphs."""
    rule = load_data("languages")["mixed"]
    supported = supported_languages()
    if len(supported) < 2 or main not in supported:
        return []
    parts: list[tuple[int, int, str]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if _letters(line) >= rule["min_letters_per_line"]:
            lang, prob = identify_language(line, supported)
            if lang != main and prob >= rule["min_probability"]:
                parts.append((start, end, lang))
        start = end + 1
    letters: dict[str, int] = defaultdict(int)
    for s, e, lang in parts:
        letters[lang] += _letters(text[s:e])
    keep = {lang for lang, n in letters.items() if n >= rule["min_letters_per_language"]}
    return [p for p in parts if p[2] in keep]


def split_by_language(doc: Document, requested: str) -> list[Document]:
    """``doc`` as one document per language it is written in, when it mixes supported languages and
    its language is left to detection (``requested`` 'auto'): each copy holds its language's lines
    and blanks elsewhere (spaces, line breaks kept, so every offset is the document's), carries its
    language, and is processed by that language's rules and models; the pipeline merges the results
    back into one document (quotes/run/languages.py). Otherwise ``[doc]``."""
    if (normalise_language(requested) or "auto") != "auto":
        return [doc]
    try:
        main = resolve_language(doc, "auto")
    except ValueError:
        return [doc]  # the language processor says why, for the whole document
    parts = language_parts(doc.text, main)
    if not parts:
        return [doc]
    owner = {}
    for s, e, lang in parts:
        owner[(s, e)] = lang

    def view(lang: str) -> str:
        out, start = [], 0
        for line in doc.text.split("\n"):
            end = start + len(line)
            mine = owner.get((start, end), main) == lang
            out.append(line if mine else " " * len(line))
            start = end + 1
        return "\n".join(out)

    languages = [main] + sorted({lang for _, _, lang in parts} - {main})
    return [doc.model_copy(update={"text": view(lang), "language": lang}) for lang in languages]
