"""The attribution tagger: which pieces of a document are quoted, of what type, which are cues and
which speakers, read from the frozen e5 states of its sentences and the facts of quotes/learn/tokens.py.

A token tagger over the whole document, as the systems that do well on this task are (GermEval
2023's speaker attribution, the seq2seq models released for this German news data): the encoder
reads each sentence; a two-layer bidirectional LSTM over the document's pieces carries what one
sentence cannot see (a quote runs on into the next sentence, its speaker stands in the one
before). Four heads: begin/inside/outside of a quote, its type, cue, speaker.

The encoder stays frozen: fine-tuning it on two cores did not converge in the time a set-up may
take (the attribution issue's prototype), while its states under a small trained network do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quotes.learn.tokens import FACTS, LAYERS

TYPES = ("Direct", "Indirect", "FreeIndirect", "IndirectFreeIndirect", "Reported")  # the gold data's types
TYPE_KIND = {"Direct": "direct", "Indirect": "indirect", "FreeIndirect": "indirect",
             "IndirectFreeIndirect": "indirect", "Reported": "reported"}
OUTSIDE, BEGIN, INSIDE = 0, 1, 2


def network(hidden: int = 192, projection: int = 256, fact_dim: int = 16):
    """The tagger network (a torch module; built here so that importing this module loads no torch)."""
    import torch
    from torch import nn

    class TaggerNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.project = nn.Sequential(nn.Dropout(0.2), nn.Linear(384 * len(LAYERS), projection), nn.GELU())
            self.facts = nn.ModuleList([nn.Embedding(size, fact_dim) for _, size in FACTS])
            self.lstm = nn.LSTM(projection + fact_dim * len(FACTS), hidden, num_layers=2, bidirectional=True,
                                batch_first=True, dropout=0.3)
            self.drop = nn.Dropout(0.3)
            self.quote = nn.Linear(2 * hidden, 3)
            self.kind = nn.Linear(2 * hidden, len(TYPES))
            self.cue = nn.Linear(2 * hidden, 2)
            self.speaker = nn.Linear(2 * hidden, 2)

        def forward(self, states, facts):
            x = torch.cat([self.project(states)] + [emb(facts[..., i]) for i, emb in enumerate(self.facts)], -1)
            out, _ = self.lstm(x)
            out = self.drop(out)
            return self.quote(out), self.kind(out), self.cue(out), self.speaker(out)

    return TaggerNet()


@dataclass
class Tags:
    """The tagger's output for one document's pieces: probabilities per head."""

    quote: np.ndarray  # (n, 3): outside, begin, inside
    type: np.ndarray  # (n, len(TYPES))
    cue: np.ndarray  # (n,) probability of a cue piece
    speaker: np.ndarray  # (n,)


def tag(net, states: np.ndarray, facts: np.ndarray) -> Tags:
    import torch

    with torch.inference_mode():
        q, t, c, s = net(torch.from_numpy(states.astype(np.float32))[None], torch.from_numpy(facts)[None])
    soft = lambda x: torch.softmax(x[0], -1).numpy()  # noqa: E731
    return Tags(soft(q), soft(t), soft(c)[:, 1], soft(s)[:, 1])


@dataclass(frozen=True)
class Decoding:
    """How the tags become quote spans (chosen on the selection split)."""

    inside: float = 0.6  # a piece is quoted at this probability (begin + inside)
    gap: int = 3  # runs of quoted pieces this few pieces apart, with no new begin between, are one quote
    min_pieces: int = 3  # shorter quotes are dropped ...
    min_mean: float = 0.7  # ... and so are those whose mean probability is lower


def quote_runs(tags: Tags, d: Decoding) -> list[tuple[int, int]]:
    """[first, last] pieces of each quote: runs of quoted pieces, split where a new quote begins,
    joined across short gaps (a comma, a closing mark the tagger was unsure of)."""
    p_in = tags.quote[:, BEGIN] + tags.quote[:, INSIDE]
    begins = (tags.quote[:, BEGIN] > 0.5) & (tags.quote[:, BEGIN] > tags.quote[:, INSIDE])
    runs: list[list[int]] = []
    current: list[int] | None = None
    for k, p in enumerate(p_in):
        if p <= d.inside:
            current = None
            continue
        if current is None or (begins[k] and k > current[0]):
            current = [k, k]
            runs.append(current)
        else:
            current[1] = k
    joined: list[list[int]] = []
    for run in runs:
        if joined and run[0] - joined[-1][1] - 1 <= d.gap and not begins[run[0]]:
            joined[-1][1] = run[1]
        else:
            joined.append(list(run))
    return [(a, b) for a, b in joined if b - a + 1 >= d.min_pieces and p_in[a:b + 1].mean() >= d.min_mean]


def speaker_runs(tags: Tags, threshold: float = 0.5) -> list[tuple[int, int]]:
    """[first, last] pieces of each run the tagger takes for a speaker."""
    out: list[tuple[int, int]] = []
    start = None
    for k, p in enumerate(list(tags.speaker) + [0.0]):
        if p > threshold and start is None:
            start = k
        elif p <= threshold and start is not None:
            out.append((start, k - 1))
            start = None
    return out


def nearest_speaker(run: tuple[int, int], speakers: list[tuple[int, int]], sentence: np.ndarray
                    ) -> tuple[int, int] | None:
    """The speaker run of the quote's sentences (else of a neighbouring sentence) nearest to it."""
    a, b = run
    best = None
    for x, y in speakers:
        if a <= x <= b:
            continue
        apart = min(abs(int(sentence[x]) - int(sentence[a])), abs(int(sentence[x]) - int(sentence[b])))
        if apart > 1:
            continue
        key = (apart, min(abs(x - a), abs(x - b)))
        if best is None or key < best[0]:
            best = (key, (x, y))
    return best[1] if best else None


def quote_type(tags: Tags, run: tuple[int, int]) -> str:
    a, b = run
    return TYPES[int(tags.type[a:b + 1].sum(0).argmax())]
