"""Train the attribution model: fit on one split of an annotated file, choose thresholds on another.

``quotes train GOLD.jsonl`` fits on articles [0:600] and selects on [600:700]; a dev file is only
ever scored (``quotes eval``), never read here. Labels come from the same matching as the scorer
(``quotes/gold/evaluate.py``): a candidate is a quote when it is matched one to one to a gold quote at a
Jaccard of at least 0.5; a mention is the speaker when it overlaps the gold speaker span.
"""

from __future__ import annotations

import datetime as dt
import itertools
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from quotes.extract.candidate import Candidate
from quotes.extract.cues import cue_lexicon
from quotes.extract.extractor import extract_candidates
from quotes.gold.articles import Article, load_articles
from quotes.gold.evaluate import _WORD, GoldDocument, Score, match_spans, score_document
from quotes.learn.features import DocView, candidate_features, option_features, sentence_features, speaker_options
from quotes.learn.model import AttributionModel, Scored, Thresholds, free_spans, write_card
from quotes.resolve.speakers import resolve_candidates, to_quotes

LICENCE = "CC BY-NC-SA 4.0"


@dataclass
class Rows:
    keep: tuple[list, list] = field(default_factory=lambda: ([], []))
    add: tuple[list, list] = field(default_factory=lambda: ([], []))
    speaker: tuple[list, list] = field(default_factory=lambda: ([], []))


def speaks(m, g) -> bool:
    """The scorer's test (``evaluate.speaker_right``) on a mention before resolution: it overlaps
    the gold speaker span, or a word of its name occurs in the gold speaker's words."""
    if any(m.start < e and s < m.end for s, e in g.speaker_spans):
        return True
    gold_words = {w.lower() for w in _WORD.findall(g.speaker_text)}
    return any(w.lower() in gold_words for w in _WORD.findall(m.name or m.text))


def collect(articles: list[Article]) -> Rows:
    rows = Rows()
    for a in articles:
        doc = a.item.parsed
        view = DocView(doc, cue_lexicon(doc.language))
        cands = extract_candidates(doc, a.regions)
        matched = match_spans(a.gold, [(c.start, c.end) for c in cands])
        for i, c in enumerate(cands):
            rows.keep[0].append(candidate_features(view, c, cands))
            rows.keep[1].append(int(i in matched))
        covered, spans = free_spans(view, cands, a.regions)
        taken = set(matched.values())
        open_gold = GoldDocument(a.gold.doc_id, a.gold.text, [g for gi, g in enumerate(a.gold.quotes) if gi not in taken])
        extra_match = match_spans(open_gold, [span for _, (_, span) in spans])
        extras = []
        for i, (s, span) in enumerate(spans):
            rows.add[0].append(sentence_features(view, s, covered, span))
            rows.add[1].append(int(i in extra_match))
            if i in extra_match:
                start, end = span[1]
                extras.append((Candidate(start, end, "indirect", s.index, None, None, 0.5, "learned-sentence"),
                               open_gold.quotes[extra_match[i]]))
        golds = [(c, a.gold.quotes[matched[i]]) for i, c in enumerate(cands) if i in matched] + extras
        previous = None
        for c, g in sorted(golds, key=lambda x: x[0].start):
            if g.speaker_spans:
                opts = speaker_options(view, c, previous)
                for rank, (m, head, where) in enumerate(opts):
                    rows.speaker[0].append(option_features(view, c, m, head, where, len(opts), rank))
                    rows.speaker[1].append(int(speaks(m, g)))
            if c.speaker is not None:
                previous = c.speaker
    return rows


def fit(rows: Rows, seed: int = 0) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer

    parts = {}
    for name in ("keep", "add", "speaker"):
        X, y = getattr(rows, name)
        vec = DictVectorizer(sparse=True)
        matrix = vec.fit_transform(X).toarray()
        clf = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.08, max_leaf_nodes=15,
                                             min_samples_leaf=10, l2_regularization=1.0, random_state=seed)
        clf.fit(matrix, y)
        parts[name] = (vec, clf)
    return parts


def predict_quotes(a: Article, candidates: list[Candidate]):
    doc = a.item.parsed
    resolve_candidates(doc, candidates)
    return to_quotes(a.item.document.doc_id, doc.text, candidates, a.item.spans(["comments"]))


def score_articles(articles: list[Article], model: AttributionModel | None = None,
                   scored: list[Scored] | None = None, th: Thresholds | None = None) -> Score:
    score = Score()
    for i, a in enumerate(articles):
        if model is None:
            cands = extract_candidates(a.item.parsed, a.regions)
        else:
            s = scored[i] if scored is not None else model.score(
                a.item.parsed, extract_candidates(a.item.parsed, a.regions), a.regions)
            cands = model.decide(s, th)
        quotes = predict_quotes(a, cands)
        score_document(a.gold, quotes, score, a.item.parsed.language)
    return score


def select(model: AttributionModel, articles: list[Article]) -> tuple[Thresholds, Score]:
    """Thresholds chosen on the selection split: keep/add for quote F1 plus attributed F1, then the
    speaker margin and fill for attributed F1."""
    scored = [model.score(a.item.parsed, extract_candidates(a.item.parsed, a.regions), a.regions) for a in articles]
    off = 1.01

    def run(th: Thresholds) -> Score:
        return score_articles(articles, model, scored, th)

    best, best_key = None, None
    for keep, add in itertools.product((0.0, 0.1, 0.2, 0.3, 0.4, 0.5), (0.4, 0.5, 0.6, 0.7, 0.8, off)):
        th = Thresholds(keep, add, off, off)
        s = run(th)
        key = s.f1 + s.attributed_f1
        if best_key is None or key > best_key + 1e-9:
            best, best_key = th, key
    best_s, best_key = None, None
    for margin, fill in itertools.product((0.0, 0.1, 0.2, 0.3, 0.5, off), (0.0, 0.2, 0.4, off)):
        th = Thresholds(best.keep, best.add, margin, fill)
        s = run(th)
        if best_key is None or s.attributed_f1 > best_key + 1e-9:
            best_s, best_key, chosen = s, s.attributed_f1, th
    return chosen, best_s


def _versions(language: str) -> dict:
    import sklearn
    import stanza

    from quotes.parse.cache import model_version
    from quotes.parse.parser import resources_dir

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "stanza": stanza.__version__,
            "stanza_models": model_version(language), "stanza_resources": resources_dir()}


def train(gold: str | Path, out: Path, language: str = "de", train_range: tuple[int, int] = (0, 600),
          select_range: tuple[int, int] = (600, 700), log=print) -> dict:
    started = time.perf_counter()
    fit_articles = load_articles(gold, language, *train_range)
    sel_articles = load_articles(gold, language, *select_range)
    t_parse = time.perf_counter() - started
    log(f"parsed (or read from the cache) {len(fit_articles)} + {len(sel_articles)} articles in {t_parse:.1f} s")
    rows = collect(fit_articles)
    parts = fit(rows)
    model = AttributionModel(parts, Thresholds(), {})
    thresholds, sel_score = select(model, sel_articles)
    rules_score = score_articles(sel_articles)
    model.thresholds = thresholds
    t_total = time.perf_counter() - started
    gold = Path(gold)
    model.meta = {
        "name": "quotes attribution layer (keep / add / speaker)",
        "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "training_data": {"file": gold.name, "folder": str(gold.parent.resolve()), "language": language,
                          "fit_articles": list(train_range), "selection_articles": list(select_range),
                          "licence": LICENCE,
                          "licence_note": "The model is a derivative of the training data: non-commercial use "
                                          "only, share alike, attribute the dataset (Petersen-Frey and Biemann, "
                                          "LREC-COLING 2024). It is trained locally and never committed."},
        "rows": {k: len(getattr(rows, k)[1]) for k in ("keep", "add", "speaker")},
        "thresholds": thresholds.__dict__,
        "selection_scores": {"rules": _summary(rules_score), "rules+model": _summary(sel_score)},
        "key": _training_key(gold, language, train_range, select_range),
        "versions": _versions(language),
        "seconds": {"parse": round(t_parse, 1), "total": round(t_total, 1)},
    }
    path = model.save(out)
    card = dict(model.meta, model_file=path.name, sha256_16=model.digest)
    write_card(out, card)
    log(f"model written to {path} (hash {model.digest}) in {t_total:.1f} s")
    return card


def _summary(s: Score) -> dict:
    d = {k: v for k, v in s.as_dict().items() if k not in ("by_type", "speaker_names")}
    d["non_name_share"] = round(s.names.share, 4)
    return d


def _training_key(gold: str | Path, language: str, fit_range, select_range) -> dict:
    """What a model depends on: the gold file's content, the splits, the code and data, the stanza models."""
    import hashlib

    from quotes.parse.cache import model_version
    from quotes.run.pipeline import extractor_fingerprint

    training = hashlib.sha256(b"".join(f.read_bytes() for f in sorted(Path(__file__).parent.glob("*.py"))))
    return {"gold_sha256": hashlib.sha256(Path(gold).read_bytes()).hexdigest()[:16], "language": language,
            "fit": list(fit_range), "select": list(select_range),
            "code": extractor_fingerprint(include_model=False), "training_code": training.hexdigest()[:16],
            "stanza_models": model_version(language)}


def is_current(folder: Path, gold: str | Path, language: str, fit_range, select_range) -> bool:
    import json

    from quotes.learn.model import CARD_FILE, MODEL_FILE

    card = folder / CARD_FILE
    if not (card.is_file() and (folder / MODEL_FILE).is_file()):
        return False
    try:
        return json.loads(card.read_text(encoding="utf-8")).get("key") == _training_key(
            gold, language, fit_range, select_range)
    except (ValueError, OSError):
        return False
