"""The comparison as Markdown tables: overall, per language, and the kept model's threshold."""

from __future__ import annotations

from collections.abc import Sequence

from bench.langid.detectors import BY_KEY, SERVED
from bench.langid.measure import Measured
from bench.langid.sample import SHORT_WORDS, Post


def pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f} % ({right}/{total})" if total else "—"


def _right(posts: Sequence[Post], answers: Sequence[str | None], pick: Sequence[bool]) -> str:
    hits = [a == p.expected for p, a, keep in zip(posts, answers, pick, strict=True) if keep]
    return pct(sum(hits), len(hits))


def summary(posts: Sequence[Post], runs: Sequence[Measured]) -> str:
    served = [p.lang in SERVED for p in posts]
    other = [not s for s in served]
    short = [p.short for p in posts]
    short_served = [p.short and s for p, s in zip(posts, served, strict=True)]
    every = [True] * len(posts)
    lines = [
        f"| detector | all posts | served-language posts | other languages → None | "
        f"other → a served language | ≤ {SHORT_WORDS} words | ≤ {SHORT_WORDS} words, served "
        "languages | the model's own label "
        "| µs per post, warm: median (p90) | cold | RSS added | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        wrongly_served = sum(a is not None for a, o in zip(run.served, other, strict=True) if o)
        unrestricted = (
            pct(sum(r == p.lang for r, p in zip(run.raw, posts, strict=True)), len(posts))
            if run.open_set
            else "—"
        )
        lines.append(
            f"| {BY_KEY[run.key].label} | {_right(posts, run.served, every)} "
            f"| {_right(posts, run.served, served)} | {_right(posts, run.served, other)} "
            f"| {wrongly_served} | {_right(posts, run.served, short)} "
            f"| {_right(posts, run.served, short_served)} | {unrestricted} "
            f"| {run.us_median:.1f} ({run.us_p90:.1f}) | {run.us_cold:.0f} | {run.rss_mib:.0f} MiB "
            f"| {run.load_s:.2f} s |"
        )
    return "\n".join(lines)


def per_language(posts: Sequence[Post], runs: Sequence[Measured]) -> str:
    langs = list(dict.fromkeys(p.lang for p in posts))
    head = "| language | posts | ≤ 5 words | " + " | ".join(r.key for r in runs) + " |"
    lines = [head, "|---" * (len(runs) + 3) + "|"]
    for lang in langs:
        mine = [p.lang == lang for p in posts]
        n_short = sum(p.short for p, m in zip(posts, mine, strict=True) if m)
        cells = []
        for run in runs:
            hits = [a == p.expected for p, a, m in zip(posts, run.served, mine, strict=True) if m]
            cells.append(f"{100 * sum(hits) / len(hits):.0f} %")
        name = lang if lang in SERVED else f"{lang} (→ None)"
        lines.append(f"| {name} | {sum(mine)} | {n_short} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def thresholds(posts: Sequence[Post], by_threshold: dict[str, list[str | None]]) -> str:
    """What ingest's confidence threshold trades: right answers for None."""
    lines = [
        "| threshold | all posts | ≤ 5 words | served-language posts answered None "
        "| served-language posts given another language | other → a served language |",
        "|---|---|---|---|---|---|",
    ]
    for limit, answers in by_threshold.items():
        on_served = [(p, a) for p, a in zip(posts, answers, strict=True) if p.lang in SERVED]
        unsure = sum(a is None for _, a in on_served)
        wrong = sum(a is not None and a != p.lang for p, a in on_served)
        leaked = sum(
            a is not None for p, a in zip(posts, answers, strict=True) if p.lang not in SERVED
        )
        lines.append(
            f"| {limit} | {_right(posts, answers, [True] * len(posts))} "
            f"| {_right(posts, answers, [p.short for p in posts])} | {unsure} | {wrong} | {leaked} |"
        )
    return "\n".join(lines)
