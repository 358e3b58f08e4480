"""One detector measured in a process of its own: its answers, cost per post and memory."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import asdict, dataclass

import psutil

from bench.langid import sample
from bench.langid.detectors import BY_KEY

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
SWEEP_MIB = 48  # more than the last-level cache: what other processes' work leaves behind
COLD_EVERY = 4  # one post in four is timed cold (each needs a sweep)


@dataclass
class Measured:
    key: str
    served: list[str | None]  # per post, in sample order
    raw: list[str | None]
    confidence: list[float | None]
    open_set: bool
    us_median: float
    us_p90: float
    us_cold: float  # median of posts each timed right after a sweep of SWEEP_MIB of memory
    rss_mib: float  # added by importing, loading and running the detector
    load_s: float
    # The kept detector's answers at each MIN_CONFIDENCE of THRESHOLDS ("0.3": [...]).
    by_threshold: dict[str, list[str | None]] | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def rss_mib() -> float:
    gc.collect()
    return float(psutil.Process().memory_info().rss) / 2**20


def measure(key: str, repeat: int) -> Measured:
    posts = sample.load()
    texts = [post.text for post in posts]
    before = rss_mib()
    started = time.perf_counter()
    detector = BY_KEY[key].build()
    load_s = time.perf_counter() - started
    served = [detector.served(text) for text in texts]  # also the warm-up pass
    raws = [detector.raw(text) for text in texts]
    added = rss_mib() - before
    took: list[int] = []
    call = detector.served
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter_ns()
            call(text)
            took.append(time.perf_counter_ns() - start)
    took.sort()
    sweep = bytearray(SWEEP_MIB * 2**20)
    cold: list[int] = []
    for text in texts[::COLD_EVERY]:
        sweep[::64] = sweep[1::64][: len(sweep[::64])]  # touches every cache line of the sweep
        start = time.perf_counter_ns()
        call(text)
        cold.append(time.perf_counter_ns() - start)
    return Measured(
        key=key,
        served=served,
        raw=[lang for lang, _ in raws],
        confidence=[conf for _, conf in raws],
        open_set=detector.open_set,
        us_median=statistics.median(took) / 1000,
        us_p90=took[int(len(took) * 0.9)] / 1000,
        us_cold=statistics.median(cold) / 1000,
        rss_mib=added,
        load_s=load_s,
        by_threshold=_by_threshold(texts) if key == "chorus" else None,
    )


def _by_threshold(texts: list[str]) -> dict[str, list[str | None]]:
    """Ingest's answers with each threshold of THRESHOLDS in place of MIN_CONFIDENCE."""
    from chorus_signals import lang

    kept = lang.MIN_CONFIDENCE
    try:
        out = {}
        for limit in THRESHOLDS:
            lang.MIN_CONFIDENCE = limit
            out[f"{limit:.1f}"] = [lang._detect_uncached(text) for text in texts]
        return out
    finally:
        lang.MIN_CONFIDENCE = kept
