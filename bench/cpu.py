"""CPU-only figures (no I/O): routing decisions/s, the envelope's encode and decode, normalization/s
per platform, enrichment/s."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.envelope import envelope_figures

FIXTURES = Path(__file__).resolve().parent.parent / "services" / "ingest" / "tests" / "fixtures"


def _rate(fn: Any, seconds: float = 1.0) -> float:
    n = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - started)


def cpu_figures() -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        from bench.router_domain import routing_decisions_per_second

        r = routing_decisions_per_second(20000)
        out["routing decisions/s (pure)"] = round(r["decisions_per_second"])
        out["routing decision p99 (µs)"] = round(r.get("p99_us", float("nan")), 1)
    except (ImportError, AttributeError, KeyError) as exc:
        out["routing decisions/s (pure)"] = f"n/a ({type(exc).__name__})"
    try:
        from bench.router_domain import intent_cost

        c = intent_cost()
        out["intent classifier µs/post (words new / seen before)"] = (
            f"{c['classifier_first_seen_us']} / {c['classifier_us']} ({c['model']})"
        )
        out["default rules µs/post (same posts)"] = c["rules_us"]
    except (ImportError, AttributeError, KeyError) as exc:
        out["intent classifier µs/post (words new / seen before)"] = f"n/a ({type(exc).__name__})"
    out.update(envelope_figures())
    out.update(_normalization())
    return out


def _normalization() -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        from chorus_platforms.kit.inbound import RawInput
        from chorus_platforms.registry import CONNECTORS
    except ImportError:
        return out
    for platform, connector in sorted(CONNECTORS.items()):
        folder = FIXTURES / platform
        samples = (
            [p for p in sorted(folder.glob("*")) if p.suffix in (".json", ".xml", ".eml")]
            if folder.is_dir()
            else []
        )
        raws = []
        for path in samples:
            ctype = {
                ".json": "application/json",
                ".xml": "application/xml",
                ".eml": "message/rfc822",
            }[path.suffix]
            raw = RawInput(body=path.read_bytes(), content_type=ctype, channel="bench")
            try:
                if connector.normalize(raw).posts:
                    raws.append(raw)
            except Exception:
                continue
        if not raws:
            continue
        posts_per_call = sum(len(connector.normalize(r).posts) for r in raws)

        def once(raws: list[RawInput] = raws, c: Any = connector) -> None:
            for r in raws:
                c.normalize(r)

        calls = _rate(once, 0.3)
        out[f"normalize {platform} (posts/s)"] = round(calls * posts_per_call)
    try:
        from chorus_common.contracts.events import Author, Post
        from chorus_signals import enrich, warm_up

        post = Post(
            id="generic:1",
            platform="generic",
            channel="c",
            kind="comment",
            native_id="1",
            thread_id="t",
            author=Author(id="a"),
            text="Ma commande n'est jamais arrivée, je suis furieux",
            created_at="2026-01-01T00:00:00Z",
        )
        warm_up()  # the language model loads once per process, not per post
        out["enrich, repeated text (posts/s)"] = round(_rate(lambda: enrich(post), 0.5))
        n = 0

        def distinct() -> None:
            nonlocal n
            n += 1
            enrich(post.model_copy(update={"text": f"{post.text} (commande {n})"}))

        out["enrich, distinct texts (posts/s)"] = round(_rate(distinct, 0.5))
    except ImportError:
        pass
    return out
