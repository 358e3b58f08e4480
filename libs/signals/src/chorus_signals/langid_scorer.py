"""py3langid's model restricted to the served languages, scored a post at a time: which of
them a post is in, once fastText has said it is in one of them (chorus_signals.lang)."""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from functools import cache
from typing import Any

import numpy as np

# A word and the space after it, or a space on its own: the chunks cover every byte, in order.
_CHUNK = re.compile(rb"[^ ]+ ?| ")
WALKS_KEPT = 16_384  # (state, word) outcomes kept (a few MB); all forgotten at once when full
WALK_CHUNK_MAX = 40  # bytes; a longer chunk is walked, not kept


def load_identifier(languages: tuple[str, ...]) -> Any:
    """py3langid's identifier, restricted to ``languages``. Not kept: the :class:`Scorer` built
    from it keeps only what it reads, and the identifier holds the whole model."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(languages))
    return ident


class Scorer:
    """py3langid's classifier over the same model, laid out for a post at a time.

    Same results (the language and its confidence, to float rounding), at a smaller cost
    when the CPU caches are cold, as they are between other processes' work: each state's row offset
    and feature sit side by side in one array of machine ints (py3langid keeps two lists of
    Python ints, each a pointer to follow), and the seven scores are normalised in plain
    Python instead of five more NumPy calls."""

    def __init__(self, ident: Any) -> None:
        if ident._alias_pairs or not ident._norm_probs:
            raise ValueError("expects a normalising identifier without aliased labels")
        self.classes: list[str] = list(ident.nb_classes)
        self.nextmove = ident.tk_nextmove
        meta = array("l", bytes(array("l").itemsize * 2 * len(ident._rowbase)))
        meta[0::2] = array("l", ident._rowbase)
        meta[1::2] = array("l", ident.tk_output)
        self.meta = meta
        self.weights = ident.nb_ptc
        self.prior = ident.nb_pc
        self.encode = ident._encode
        self._walks: dict[tuple[int, bytes], tuple[int, tuple[int, ...]]] = {}

    def classify(self, text: str) -> tuple[str, float]:
        """(language, probability) of ``text``, as py3langid's ``classify``."""
        data: bytes = self.encode(text)
        # Counted in order of first occurrence, as a byte-by-byte walk counts them: the
        # scores then sum in the same order, to the last bit.
        counts = Counter(self.features(data))
        if not counts:  # no feature: every language equally likely
            return self.classes[0], 1.0 / len(self.classes)
        index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        weight = np.log1p(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
        raw: list[float] = (weight @ self.weights[index] + self.prior).tolist()
        scale = 1.0 / math.sqrt(len(data) or 1)  # py3langid's temperature: sqrt(bytes)
        top = max(raw)
        exps = [math.exp((r - top) * scale) for r in raw]
        best = max(range(len(exps)), key=exps.__getitem__)
        return self.classes[best], exps[best] / sum(exps)

    def features(self, data: bytes) -> list[int]:
        """The features the automaton emits over ``data``, in order.

        The walk goes a word at a time (a word and the space after it), and the outcome of
        each (state, word) pair is kept: the automaton is deterministic, so a pair seen before
        ends in the same state with the same features, and the common words of a stream are
        looked up instead of walked byte by byte through a 39 MB table (a cache miss per byte
        when other processes have run in between)."""
        walks = self._walks
        out: list[int] = []
        state = 0
        for chunk in _CHUNK.findall(data):
            if len(chunk) > WALK_CHUNK_MAX:  # too long to come again: not kept
                state, found = self.walk(state, chunk)
            else:
                key = (state, chunk)
                hit = walks.get(key)
                if hit is None:
                    if len(walks) >= WALKS_KEPT:
                        walks.clear()
                    hit = walks[key] = self.walk(state, chunk)
                state, found = hit
            out.extend(found)
        return out

    def walk(self, state: int, data: bytes) -> tuple[int, tuple[int, ...]]:
        """The automaton from ``state`` over ``data``: the state it ends in, the features."""
        nextmove, meta = self.nextmove, self.meta
        found: list[int] = []
        for byte in data:
            state = nextmove[meta[2 * state] + byte]
            feature = meta[2 * state + 1]
            if feature >= 0:
                found.append(feature)
        return state, tuple(found)


@cache
def scorer(languages: tuple[str, ...]) -> Scorer:
    """The scorer of ``languages``, built once per process; later calls are free."""
    return Scorer(load_identifier(languages))
