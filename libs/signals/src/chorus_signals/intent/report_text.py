"""The Markdown of docs/intent-classifier.md: what the classifier is, then its measured figures."""

from __future__ import annotations

from collections import Counter
from typing import Any

from chorus_signals.intent.evaluation import Cost, Evaluation
from chorus_signals.intent.model import IntentModel
from chorus_signals.intent.types import INTENTS

INTRO = """\
# Intent classifier

`chorus_signals.intent` gives every post an intent — `legal`, `pr`, `brand`, `support` or
`spam` — with a calibrated confidence and the words or phrases that weighed most. It is
learned from a labelled corpus the project owns and ships
(`libs/signals/src/chorus_signals/intent/data/`: `train.jsonl`, `heldout.jsonl`, their
[provenance](../libs/signals/src/chorus_signals/intent/data/PROVENANCE.md) and the writers'
guide), and it runs offline: the model is a file in the package, nothing is downloaded.

```python
from chorus_signals.intent import shipped_model

result = shipped_model().classify("ici France Inter, on prépare un sujet sur vos prix", "fr")
result.intent  # 'pr'; result.confidence: its probability; result.evidence: the words
```

**How it works.** The text is lower-cased and split into words (letters and digits; each
emoji is a word of its own); accents are folded (`été` → `ete`) so that posts typed without
accents read the same. The features are each distinct word, each pair of neighbouring words,
and each word's first 4 and 5 and last 3 and 4 letters (affixes: plurals, conjugations,
typos). scikit-learn fits a multinomial logistic regression on them (C = 2; legal and PR
examples weigh 2 in the fit, because sending one to support is the costliest mistake); its
probabilities are calibrated by temperature scaling, the temperature fitted on out-of-fold
scores of the train split (five folds stratified by intent and language). The held-out split
is never seen by training or by the choice of settings (made by cross-validation on the train
split, below). The fitted weights are then divided by the temperature, centred per term,
pruned (terms whose every weight is below 0.02 go: no loss in cross-validation, and a
third of the memory) and shipped as gzip'd JSON of term → five
weights: classifying a post is a few dict lookups and additions in plain Python, no NumPy or
scikit-learn. A word's weights plus its affixes' are summed once, on first sight, and
remembered (50,000 words at most). Training is deterministic: the same examples, seed and
`trained_at` give the same bytes.

**Evidence.** A term's weight for an intent is its pull toward that intent in calibrated
log-odds, relative to the average intent. `evidence` lists the post's words and word pairs
(lower-cased, accents as written) with the strongest pull toward the chosen intent, at most
five, strongest first; only terms that pull toward it are listed.

**Other languages.** The classifier is trained on English and French. A post whose language
is given and is neither gets a classification anyway (names, emoji, English loan words still
carry signal) with `supported_language=False` and probabilities shrunk halfway toward
uniform (`0.5 p + 0.1`): the ranking is kept but the confidence stays at or below 0.6, so a
rule that requires an intent with a confidence of 0.7 does not fire on guesswork. A post of
unknown language (`lang=None`, e.g. too short to detect) is classified as supported. Empty or
letter-less text gets the model's prior (the intercepts alone): a low-confidence answer,
never an exception.

**Retraining with corrections.** `train(examples, version=…)` builds a model from any
examples (the shipped corpus plus a team's corrections); it is CPU-bound (about ten seconds of
CPU for the shipped corpus) and meant to run in a thread.
"""

REGENERATE = """\
## Regenerate

```bash
# 1. import the writers' files (validated, de-duplicated, split 80/20 by a hash of the text)
uv run python -m chorus_signals.intent.build import /path/to/corpus
# 2. retrain the shipped model from data/train.jsonl (or steps 1 and 2 at once: `build all`)
uv run python -m chorus_signals.intent.build train
# 3. evaluate on the held-out split, rewrite this page, exit 1 if a target is missed
make intent-report        # = uv run python -m chorus_signals.intent.report
```

`make intent-model CORPUS=/path/to/corpus` runs the three steps, and between 2 and 3
`uv run python -m chorus_signals.intent.tuning`, which re-measures the choices below (5-fold
cross-validation on the train split, a few minutes) into `data/tuning.json`. Everything below this line
is written by step 3; the cost per post is measured on the machine that runs it.
"""


LIMITS = """
### What limits it

The targets are far off, and no setting moves them by much: the feature sets above span about
four points and the regularisation and legal/PR weight about one, both well short of the
gap to the targets. What moves accuracy is the amount of data: with half the examples
fitted the cross-validated accuracy is about eight points lower, with a quarter fifteen, and
the curve has not levelled off at the whole split. The corpus is hard by design (about a
quarter of its posts carry no telltale keyword; sarcasm, mixed intents, journalists named
only by their outlet): a bag of words and affixes learns the wording of the examples it has
seen, not what a post means, and the unseen phrasings above show the gap. More examples per
intent and language are the cheapest next step (the curve suggests roughly two to four times
the corpus for 90 %); beyond that, a model that knows language beforehand (multilingual
sentence embeddings) would be needed, at a cost per post far above the routing path's budget.
"""


def pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def render(
    *,
    model: IntentModel,
    model_size: int,
    held: Evaluation,
    fresh: Evaluation | None,
    rows: list[tuple[str, float, float]],
    cost: Cost | None,
    composition: dict[str, Counter[tuple[str, str]]],
    traits: Counter[str],
    tuning: dict[str, Any] | None = None,
) -> str:
    """The whole page; only the cost lines (in µs) change between two runs on the same data."""
    out = [INTRO, REGENERATE, *_summary(model, model_size, held, rows), *_breakdowns(held)]
    out += _calibration(held)
    if fresh is not None:
        out.append(_unseen(fresh))
    if cost is not None:
        out.append(_cost(cost))
    out.append(_composition(composition, traits))
    if tuning:
        out.append(_tuning(tuning))
    return "\n".join(out) + "\n"


def _summary(
    model: IntentModel, model_size: int, held: Evaluation, rows: list[tuple[str, float, float]]
) -> list[str]:
    meta = model.metadata
    out = [f"## Held-out results (model `{model.version}`)\n"]
    out.append(
        f"{held.total} held-out posts, never seen by training or tuning. Model: "
        f"{meta.get('terms')} terms (of {meta.get('terms_before_pruning')} before pruning), "
        f"temperature {meta.get('temperature')}, {model_size / 1024:.0f} KiB, trained on "
        f"{sum(meta.get('examples', {}).values())} examples "
        f"(corpus digest `{meta.get('corpus_digest')}`).\n"
    )
    out.append("| target (issue 22) | measured | at least | |\n|---|---|---|---|")
    out += [
        f"| {what} | {pct(value)} | {pct(least)} | {'met' if value >= least else '**missed**'} |"
        for what, value, least in rows
    ]
    out.append(
        f"\n**Legal or PR posts sent to support** (the costliest mistake): "
        f"{held.costly_misses} of {held.by_intent['legal'][1] + held.by_intent['pr'][1]} "
        f"(legal → support {held.confusion.get(('legal', 'support'), 0)}, "
        f"PR → support {held.confusion.get(('pr', 'support'), 0)}).\n"
    )
    return out


def _breakdowns(held: Evaluation) -> list[str]:
    """Accuracy per intent, per language and per both, and the confusion matrix."""
    out = [
        "### Per intent\n\n| intent | accuracy (recall) | precision | posts |\n|---|---|---|---|"
    ]
    out += [
        f"| {i} | {pct(held.rate(i))} | {pct(held.precision(i))} | {held.by_intent[i][1]} |"
        for i in INTENTS
    ]
    langs = list(held.by_language)
    out.append("\n### Per language\n\n| language | accuracy | posts |\n|---|---|---|")
    out += [f"| {lg} | {pct(held.rate(lg))} | {held.by_language[lg][1]} |" for lg in langs]
    out.append("\n### Per intent and language\n")
    out.append("| intent | " + " | ".join(langs) + " |\n|---|" + "---|" * len(langs))
    for i in INTENTS:
        cells = [held.by_cell[(i, lg)] for lg in langs]
        out.append(
            f"| {i} | " + " | ".join(f"{pct(r / n if n else 0)} ({n})" for r, n in cells) + " |"
        )
    out.append("\n### Confusion matrix (rows: label, columns: predicted)\n")
    out.append(
        "| label \\ predicted | " + " | ".join(INTENTS) + " |\n|---|" + "---|" * len(INTENTS)
    )
    for truth in INTENTS:
        counts = [str(held.confusion.get((truth, p), 0)) for p in INTENTS]
        out.append(f"| **{truth}** | " + " | ".join(counts) + " |")
    return out


def _calibration(held: Evaluation) -> list[str]:
    out = [
        f"\n### Calibration\n\nExpected calibration error (ECE, {len(held.bins)} non-empty bins of "
        f"width 0.1): **{held.ece:.3f}**.\n\n| confidence | posts | mean confidence | accuracy |\n|---|---|---|---|"
    ]
    out += [
        f"| {b.low:.1f} to {b.high:.1f} | {b.count} | {pct(b.confidence)} | {pct(b.accuracy)} |"
        for b in held.bins
    ]
    return out


def _unseen(fresh: Evaluation) -> str:
    return (
        f"\n### Unseen phrasings\n\n{fresh.total} posts written apart from the corpus in other "
        f"forms (haiku, voice-message transcripts, timelines…; "
        f"`libs/signals/tests/data/intent_fresh.jsonl`, test data only): "
        f"**{pct(fresh.accuracy)}** right; "
        + ", ".join(f"{i} {pct(fresh.rate(i))}" for i in INTENTS)
        + "; "
        + ", ".join(f"{lg} {pct(fresh.rate(lg))}" for lg in fresh.by_language)
        + ".\n"
    )


def _cost(cost: Cost) -> str:
    return (
        "\n### Cost per post\n\n"
        f"CPU time of `classify` per post, median over the held-out posts (each at its best "
        f"of a few runs of 10 calls): "
        f"**{cost.warm_us:.1f} µs** with its words already seen (p90 {cost.p90_warm_us:.1f} µs); "
        f"{cost.first_sight_us:.1f} µs on a freshly loaded model, where each new word's "
        f"vector is computed on first sight.\n"
    )


def _tuning(tuning: dict[str, Any]) -> str:
    lines = [
        f"\n### Choices (cross-validation on the train split, {tuning['folds']} folds)\n",
        f"Measured on the train split of corpus `{tuning.get('corpus_digest')}`.",
        "Each row changes one setting of the shipped model (words + pairs + affixes, C = 2, "
        "legal/PR weight 2, terms below 0.02 pruned, the whole train split).\n",
        "| what | setting | accuracy | legal recall | PR recall | legal/PR → support | "
        "examples fitted |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['group']} | {r['name']} | {pct(r['accuracy'])} | {pct(r['recall']['legal'])} | "
        f"{pct(r['recall']['pr'])} | {r['legal_pr_to_support']} | {r['train_examples']} |"
        for r in tuning["rows"]
    ]
    lines.append(LIMITS)
    return "\n".join(lines)


def _composition(composition: dict[str, Counter[tuple[str, str]]], traits: Counter[str]) -> str:
    langs = sorted({lg for c in composition.values() for _, lg in c})
    lines = [
        "\n### Corpus\n",
        "| intent | " + " | ".join(f"train {lg} | held-out {lg}" for lg in langs) + " |",
    ]
    lines.append("|---|" + "---|---|" * len(langs))
    for i in INTENTS:
        cells = [str(composition[s][(i, lg)]) for lg in langs for s in ("train", "heldout")]
        lines.append(f"| {i} | " + " | ".join(cells) + " |")
    total = {s: sum(c.values()) for s, c in composition.items()}
    lines.append(
        f"\n{total['train'] + total['heldout']} examples ({total['train']} train, "
        f"{total['heldout']} held-out). Traits the writers marked: "
        + ", ".join(f"{t} {n}" for t, n in sorted(traits.items(), key=lambda kv: (-kv[1], kv[0])))
        + "."
    )
    return "\n".join(lines)
