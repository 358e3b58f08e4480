"""The printed table of a benchmark run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.floor.common import STEPS

# Issue 8's targets. The table gives each beside what Chorus measured and what the floor's rung
# of required steps (every one of ``FLOOR_STEPS`` added back, nothing else) measured.
TARGET_POSTS_PER_S = 5_000
TARGET_P99_MS = 100.0
TARGET_P99_LOAD = 1_000
TARGET_RATIO = 0.25


def _spread(t: dict[str, Any], key: str) -> str:
    """`` (median of N: lo-hi)`` when the phase was repeated."""
    runs = t.get(key + "_runs")
    if not runs or len(runs) < 2:
        return ""
    return f" (median of {len(runs)}: {min(runs):,} to {max(runs):,})"


def _pairs(values: dict[str, Any], sep: str = ", ") -> str:
    """``{"ingest": 0.5, "router": 0.6}`` as ``ingest 0.5, router 0.6``."""
    return sep.join(f"{k} {v}" for k, v in values.items())


def _rows(r: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if b := r.get("baseline"):
        rows.append(("raw aiokafka produce→consume (msg/s)",
                     f"{b['produce_consume_per_s']:,} ({b['bytes']} B)"))  # fmt: skip
    for key, label in (("throughput", "batches"), ("webhooks", "webhooks")):
        t = r.get(key)
        if not t or "e2e_to_routed_posts_per_s" not in t:
            continue
        rows.append(
            (f"[{label}] ingest HTTP accept (posts/s)", f"{t['ingest_http_posts_per_s']:,}")
        )
        rows.append((f"[{label}] end-to-end to case routed (posts/s)",
                     f"{t['e2e_to_routed_posts_per_s']:,}{_spread(t, 'e2e_to_routed_posts_per_s')}"
                     f" complete={t['complete']}"))  # fmt: skip
        if "e2e_to_analytics_posts_per_s" in t:
            rows.append((f"[{label}] end-to-end to analytics count (posts/s)",
                         f"{t['e2e_to_analytics_posts_per_s']:,}"
                         f"{_spread(t, 'e2e_to_analytics_posts_per_s')} "
                         f"complete={t['analytics_complete']}"))  # fmt: skip
        if "steal_cores" in t:
            rows.append((f"[{label}] cores taken by the hypervisor (steal)", f"{t['steal_cores']}"))
    rows += _intent_rows(r)
    rows += _floor_rows(r)
    rows += _target_rows(r)
    if "ratio_e2e_to_transport" in r:
        rows.append(("ratio end-to-end / raw transport", f"{r['ratio_e2e_to_transport']}"))
    for lat in r.get("latency", []):
        rows.append((f"latency @ {lat['offered_per_s']}/s p50/p95/p99 (ms)",
                     f"{lat['p50_ms']} / {lat['p95_ms']} / {lat['p99_ms']}"
                     f" (complete={lat['complete']})"))  # fmt: skip
        for seg, v in lat.get("breakdown", {}).items():
            rows.append((f"  {seg} p50/p99 (ms)", f"{v['p50_ms']} / {v['p99_ms']}"))
        if "cores" in lat:
            cells = _pairs(lat["cores"])
            rows.append(("  cores used (offered load + drain)", cells))
    if k := r.get("knee"):
        bound = f", {k['first_failing_per_s']}/s did not" if k.get("first_failing_per_s") else ""
        rows.append((f"knee: highest load with p99 < {k['target_p99_ms']:g} ms (posts/s)",
                     f"{k['knee_posts_per_s']:,}{bound} (probed {k['low']} to {k['high']})"))  # fmt: skip
        for p in k.get("probes", []):
            rows.append((f"  knee probe {p['offered_per_s']}/s p50/p95/p99 (ms)",
                         f"{p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']}"
                         f" {'pass' if p['passed'] else 'fail'}"))  # fmt: skip
    for phase, per in r.get("cpu_us_per_post", {}).items():
        cells = _pairs(per)
        rows.append((f"[{phase}] CPU µs per post{' (medians)' if _repeated(r) else ''}", cells))
    for k, v in r.get("cpu", {}).items():
        rows.append((k, f"{v}"))
    for name, mb in r.get("peak_rss_mb", {}).items():
        rows.append((f"peak RSS {name} (MiB)", f"{mb}"))
    return rows


def _intent_rows(r: dict[str, Any]) -> list[tuple[str, str]]:
    """The same no-keyword traffic with the router's intent classifier on and off."""
    i = r.get("intent")
    if not i:
        return []
    rows: list[tuple[str, str]] = []
    pairs = len(i["runs"]) // 2
    for mode in ("on", "off"):
        m = i[mode]
        rows.append((f"[intent {mode}] end-to-end to case routed (posts/s, median of {pairs})",
                     f"{m['e2e_to_routed_posts_per_s']:,.0f}; router CPU "
                     f"{m['router_cpu_us_per_post']:,.0f} µs/post, all processes "
                     f"{m['all_cpu_us_per_post']:,.0f}; classified {m['classified_share']}; "
                     f"router peak RSS {m.get('router_peak_rss_mb')} MiB"))  # fmt: skip
    if "throughput_loss_pct" in i:
        rows.append(("[intent] throughput lost with the classifier (limit 5 %)",
                     f"{i['throughput_loss_pct']} %; router CPU "
                     f"{i['router_cpu_added_us_per_post']:+,} µs/post"))  # fmt: skip
    if a := i.get("router_alone"):
        rows.append(("[intent] router alone, CPU µs per post on / off (medians)",
                     f"{a['on']['cpu_us_per_post']:,} / {a['off']['cpu_us_per_post']:,} "
                     f"({a['added_pct']:+} %)"))  # fmt: skip
    return rows


def _floor_rows(r: dict[str, Any]) -> list[tuple[str, str]]:
    """The floor's figures, and Chorus's as multiples of them where both were measured."""
    f = r.get("floor")
    if not f:
        return []
    rows: list[tuple[str, str]] = []
    if t := f.get("throughput"):
        rate = t["e2e_to_routed_posts_per_s"]
        rows.append(("[floor] end-to-end to case routed (posts/s)",
                     f"{rate:,} complete={t['complete']}"))  # fmt: skip
        per = t["cpu_us_per_post"]
        cells = _pairs(per)
        rows.append(("[floor] CPU µs per post", f"{cells}; total {sum(per.values()):,}"))
        if chorus := r.get("throughput", {}).get("e2e_to_routed_posts_per_s"):
            rows.append(("[floor] Chorus end-to-end / floor", f"{chorus / rate:.3f}"))
        if own := r.get("cpu_us_per_post", {}).get("batches"):
            # The same processes on both sides: the floor has no responder or analytics.
            total = sum(v for k, v in own.items() if k in per)
            rows.append((f"[floor] Chorus CPU per post / floor ({'+'.join(per)})",
                         f"{total / max(1, sum(per.values())):.1f}x ({total:,} µs)"))  # fmt: skip
    for lat in f.get("latency", []):
        cores = _pairs(lat.get("cores", {}))
        rows.append((f"[floor] latency @ {lat['offered_per_s']}/s p50/p95/p99 (ms)",
                     f"{lat['p50_ms']} / {lat['p95_ms']} / {lat['p99_ms']}"
                     f" (complete={lat['complete']}; cores {cores})"))  # fmt: skip
    for rung in r.get("floor_ladder", []):
        rows.append((f"[floor +{rung['steps'] or 'nothing'}]", _rung(rung)))
    return rows


def _required_rung(r: dict[str, Any]) -> dict[str, Any]:
    """The ladder's rung with every step added back ({} when the run has none)."""
    for rung in r.get("floor_ladder", []):
        if {x for x in rung["steps"].split(",") if x} == set(STEPS):
            return dict(rung)
    return {}


def _p99_at(loads: list[dict[str, Any]], rate: int) -> float | None:
    return next((x["p99_ms"] for x in loads if x["offered_per_s"] == rate), None)


def _against(chorus: float | None, rung: float | None, show: Callable[[float], str],
             met: Callable[[float], bool]) -> str:  # fmt: skip
    """``Chorus X (met|not met); required steps alone Y (…)`` for what was measured."""
    cells = [
        f"{who} {show(v)} ({'met' if met(v) else 'not met'})"
        for who, v in (("Chorus", chorus), ("required steps alone", rung))
        if v is not None
    ]
    return "; ".join(cells)


def _target_rows(r: dict[str, Any]) -> list[tuple[str, str]]:
    """Each of issue 8's targets against Chorus and against the rung of required steps: the
    least that any implementation of Chorus's features on this stack spends on a post."""
    rows: list[tuple[str, str]] = []
    rung = _required_rung(r)
    rate = r.get("throughput", {}).get("e2e_to_routed_posts_per_s")
    rung_rate = rung.get("throughput", {}).get("e2e_to_routed_posts_per_s")
    if rate is not None or rung_rate is not None:
        cell = _against(rate, rung_rate, lambda v: f"{v:,.0f} posts/s",
                        lambda v: v >= TARGET_POSTS_PER_S)  # fmt: skip
        rows.append((f"target: ≥ {TARGET_POSTS_PER_S:,} posts/s end to end", cell))
    p99 = _p99_at(r.get("latency", []), TARGET_P99_LOAD)
    rung_p99 = _p99_at(rung.get("latency", []), TARGET_P99_LOAD)
    if p99 is not None or rung_p99 is not None:
        cell = _against(p99, rung_p99, lambda v: f"{v:g} ms", lambda v: v < TARGET_P99_MS)
        rows.append((f"target: p99 < {TARGET_P99_MS:g} ms at {TARGET_P99_LOAD:,} posts/s", cell))
    raw = r.get("baseline", {}).get("produce_consume_per_s")
    ratio = r.get("ratio_e2e_to_transport")
    rung_ratio = round(rung_rate / raw, 3) if raw and rung_rate is not None else None
    if ratio is not None or rung_ratio is not None:
        cell = _against(ratio, rung_ratio, lambda v: f"{v:.3f}", lambda v: v >= TARGET_RATIO)
        rows.append((f"target: ≥ {TARGET_RATIO:g} of the raw transport rate", cell))
    cpus = r.get("machine", {}).get("cpus")
    own = r.get("cpu_us_per_post", {}).get("batches")
    rung_cpu = rung.get("throughput", {}).get("cpu_us_per_post")
    if cpus and (own or rung_cpu):
        cells = [f"{cpus * 1_000_000 / TARGET_POSTS_PER_S:,.0f} µs for every process together"]
        if own:
            cells.append(f"Chorus {sum(own.values()):,} µs ({'+'.join(own)})")
        if rung_cpu:
            cells.append(
                f"required steps alone {sum(rung_cpu.values()):,} µs ({'+'.join(rung_cpu)})"
            )
        rows.append(
            (f"CPU per post that {TARGET_POSTS_PER_S:,} posts/s leaves on {cpus} CPUs",
             "; ".join(cells))
        )  # fmt: skip
    return rows


def _rung(rung: dict[str, Any]) -> str:
    """One rung of the floor ladder on a line: batches, CPU per post, p99 at each load."""
    cells: list[str] = []
    if t := rung.get("throughput"):
        cpu = _pairs(t["cpu_us_per_post"], " / ")
        cells.append(f"{t['e2e_to_routed_posts_per_s']:,} posts/s, CPU µs {cpu}")
    for lat in rung.get("latency", []):
        cores = _pairs(lat.get("cores", {}))
        cells.append(f"p99 @ {lat['offered_per_s']}/s {lat['p99_ms']} ms (cores {cores})")
    return "; ".join(cells)


def _repeated(r: dict[str, Any]) -> bool:
    return int(r.get("args", {}).get("repeat", 1)) > 1


def engine_rows(r: dict[str, Any]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The engines' names and, per row of the table, each engine's figure side by side ("—"
    where an engine has none), in the order the rows first appear."""
    names = list(r.get("engines", {}))
    cells: dict[str, dict[str, str]] = {}
    for name in names:
        for label, value in _rows(r["engines"][name]):
            cells.setdefault(label, {})[name] = value
    return names, [(label, [by.get(n, "—") for n in names]) for label, by in cells.items()]


def print_table(r: dict[str, Any]) -> None:
    rows = _rows(r)
    width = max((len(k) for k, _ in rows), default=0)
    print()
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    names, side = engine_rows(r)
    if len(names) > 1:
        width = max(len(k) for k, _ in side)
        print(f"\nengines side by side: {' | '.join(names)}")
        for k, values in side:
            print(f"{k:<{width}}  {' | '.join(values)}")
    for phase, per in r.get("profile", {}).items():
        print(f"\nprofile [{phase}] (share of busy samples)")
        for name, s in per.items():
            print(
                f"  {name}: busy {s['busy_share']:.0%} of {s['samples']} samples; raw {s['file']}"
            )
            for frame, share in s["chorus_inclusive_top"][:8]:
                print(f"    {share:5.1f}%  {frame}")
