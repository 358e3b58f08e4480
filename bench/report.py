"""The printed table of a benchmark run."""

from __future__ import annotations

from typing import Any


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
    rows += _floor_rows(r)
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


def print_table(r: dict[str, Any]) -> None:
    rows = _rows(r)
    width = max((len(k) for k, _ in rows), default=0)
    print()
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    for phase, per in r.get("profile", {}).items():
        print(f"\nprofile [{phase}] (share of busy samples)")
        for name, s in per.items():
            print(
                f"  {name}: busy {s['busy_share']:.0%} of {s['samples']} samples; raw {s['file']}"
            )
            for frame, share in s["chorus_inclusive_top"][:8]:
                print(f"    {share:5.1f}%  {frame}")
