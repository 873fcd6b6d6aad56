#!/usr/bin/python3
"""Draws the perf report's charts (PNG) from the harness's raw results; matplotlib (Debian's python3-matplotlib,
which installs for the system /usr/bin/python3).

    /usr/bin/python3 perf/charts.py --results perf/results/2026-11-28.jsonl [--meta perf/results/2026-11-28.meta.json] \
        --out-prefix perf/results/2026-11-28

Writes <prefix>-throughput.png (req/s of the service against each baseline, per round), <prefix>-latency.png
(p50/p90/p99 per scenario) and, when the meta file carries the RSS samples of the L1 fill, <prefix>-l1-rss.png
(RSS against the L1 budget over the fill). Prints the path of each chart written, one per line.
"""
import argparse
import json
import os
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "svc-get-cached": "service: cached GET",
    "svc-get-tracked": "service: cached GET, access tracking on",
    "kestrel-get": "bare Kestrel",
    "kestrel-dup": "bare Kestrel: duplicate store",
    "nginx-get": "nginx proxy_cache",
    "svc-get-cold": "service: cold GET",
    "s3-get": "direct S3 GET",
    "svc-store-new": "service: store new",
    "s3-put": "direct S3 PUT",
    "svc-store-dup": "service: store duplicate",
    "svc-mix-90-10": "service: 90/10 mix",
    "svc-batch-100": "service: batch of 100",
    "svc-delete": "service: delete",
    "s3-delete": "direct S3 DELETE",
}

# Each panel: the service scenario, then what it is compared with (the report's targets).
COMPARISONS = [
    ("Cached GET (L1 hit)", ["svc-get-cached", "kestrel-get", "nginx-get"]),
    ("Cold GET (provider read)", ["svc-get-cold", "s3-get"]),
    ("Store a new image", ["svc-store-new", "s3-put"]),
    ("Store a duplicate", ["svc-store-dup", "svc-get-cached", "kestrel-dup"]),
    ("Access tracking on vs off", ["svc-get-tracked", "svc-get-cached"]),
    ("Delete a stored proof", ["svc-delete", "s3-delete"]),
]

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rounds_of(runs):
    """The numbered rounds (the comparison runs at the low connection count), in order."""
    return sorted({r["round"] for r in runs if str(r["round"]).isdigit()}, key=int)


def low_connections(runs, meta):
    if meta and "c_low" in meta:
        return meta["c_low"]
    numbered = [r["connections"] for r in runs if str(r["round"]).isdigit()]
    return min(numbered) if numbered else None


def throughput(runs, meta, out):
    c_low = low_connections(runs, meta)
    rounds = rounds_of(runs)
    panels = [(t, [n for n in names if any(r["name"] == n for r in runs)]) for t, names in COMPARISONS]
    panels = [(t, names) for t, names in panels if len(names) >= 2]
    if not panels or not rounds:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.2), squeeze=False)
    for ax, (title, names) in zip(axes[0], panels):
        by = {(r["name"], r["round"]): r["rps"] for r in runs if r["connections"] == c_low}
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            xs = [k + (i - (len(names) - 1) / 2) * width for k in range(len(rounds))]
            ys = [by.get((name, rd), 0) for rd in rounds]
            ax.bar(xs, ys, width, label=LABELS.get(name, name), color=COLORS[i % len(COLORS)])
        service = names[0]
        ratios = []
        for other in names[1:]:
            per_round = [by[(service, rd)] / by[(other, rd)] for rd in rounds if by.get((other, rd)) and (service, rd) in by]
            if per_round:
                ratios.append(f"÷ {LABELS.get(other, other)}: {statistics.median(per_round):.2f}")
        ax.set_title(title + ("\n" + "; ".join(ratios) if ratios else ""), fontsize=9)
        ax.set_xticks(range(len(rounds)))
        ax.set_xticklabels([f"round {rd}" for rd in rounds])
        ax.set_ylabel("requests/s")
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(names))
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Throughput per round at {c_low} connections (median ratio of the service to each baseline)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def latency(runs, meta, out):
    c_low = low_connections(runs, meta)
    groups = [(f"{c_low} connections (median of the rounds)", [r for r in runs if str(r["round"]).isdigit()])]
    high = [r for r in runs if r["round"] == "high"]
    if high:
        groups.append((f"{high[0]['connections']} connections (one run)", high))
    names = [n for n in LABELS if any(r["name"] == n for r in runs)]
    names += sorted({r["name"] for r in runs} - set(names))
    if not names:
        return False
    fig, axes = plt.subplots(1, len(groups), figsize=(7 * len(groups), 0.45 * len(names) + 1.6), squeeze=False)
    for ax, (title, group) in zip(axes[0], groups):
        percentiles = [("p50", "p50_us"), ("p90", "p90_us"), ("p99", "p99_us")]
        height = 0.8 / len(percentiles)
        for i, (label, field) in enumerate(percentiles):
            ys = [k + (i - 1) * height for k in range(len(names))]
            xs = []
            for name in names:
                values = [r[field] / 1000 for r in group if r["name"] == name and field in r]
                xs.append(statistics.median(values) if values else 0)
            ax.barh(ys, xs, height, label=label, color=COLORS[i])
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([LABELS.get(n, n) for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("latency, ms (log scale)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(axis="x", alpha=0.3, which="both")
    fig.suptitle("Latency percentiles per scenario (wrk, closed loop: p99 is mostly queueing)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def l1_rss(meta, out):
    rss = (meta or {}).get("l1_rss") or {}
    samples = rss.get("samples") or []
    if len(samples) < 2:
        return False
    budget_mib = meta["l1_budget"] / 2**20
    seconds = [s[0] / 1000 for s in samples]
    mib = [s[1] / 1024 for s in samples]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(seconds, mib, color=COLORS[0], label="RSS of the service")
    before = meta.get("l1_before_kb")
    if before:
        base = before / 1024
        ax.axhline(base, color="grey", linestyle=":", label=f"RSS before the fill ({base:.0f} MiB)")
        ax.axhline(base + budget_mib, color=COLORS[2], linestyle="--", label=f"+ L1 budget ({budget_mib:.0f} MiB)")
        ax.axhline(base + 1.2 * budget_mib, color=COLORS[3], linestyle="--", label="+ 1.2 × budget (the goal's bound)")
    code_warm = ("code warm-up (3 × (2 × budget stored, all deleted, 2 s pause))" if "l1_stats_before" in meta
                 else "code warm-up (1 × budget stored, each deleted)")
    for key, label, color in (("code_warm", code_warm, "#eeeeff"),
                              ("warm", "warm-up fill (1/8 budget)", "#dddddd"), ("fill", "fill of 4 × budget", "#ffe0b3")):
        span = rss.get(key)
        if span and len(span) == 2:
            ax.axvspan(span[0] / 1000, span[1] / 1000, color=color, alpha=0.6, label=label)
    ax.set_xlabel("seconds since the instance started being sampled")
    ax.set_ylabel("RSS, MiB")
    ax.set_ylim(bottom=0)
    ax.set_title(f"RSS against the L1 budget over the fill ({meta.get('provider', '?')} provider; GC: {meta.get('gc') or 'not recorded'})", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--meta", default="")
    p.add_argument("--out-prefix", required=True)
    a = p.parse_args()
    runs = load(a.results)
    meta = None
    if a.meta and os.path.exists(a.meta):
        with open(a.meta) as f:
            meta = json.load(f)
    os.makedirs(os.path.dirname(os.path.abspath(a.out_prefix)), exist_ok=True)
    for suffix, draw in (("throughput", lambda o: throughput(runs, meta, o)),
                         ("latency", lambda o: latency(runs, meta, o)),
                         ("l1-rss", lambda o: l1_rss(meta, o))):
        out = f"{a.out_prefix}-{suffix}.png"
        if draw(out):
            print(out)


if __name__ == "__main__":
    main()
