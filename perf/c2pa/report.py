#!/usr/bin/env python3
"""Turns perf/c2pa/run.sh's results into the markdown report:
    report.py RESULTS.jsonl STORE_FILE JSON_BODY_FILE ROUNDS CONNECTIONS SERVICE_PEAK_RSS_KB [LOAD]
LOAD says how loaded the machine was (run.sh passes the 1-minute load average before and after the runs): a table
from a machine that is not quiet is headed "Provisional".
"""
import datetime
import json
import os
import statistics
import sys

SCENARIOS = [
    ("store-raw", "store, raw `application/c2pa` body (`POST /v1/proofs?imageHash=…`)", "raw"),
    ("store-json", "store, base64 in the JSON contract (`POST /v1/proofs`)", "json"),
    ("get-raw-manifest", "serve the raw store: `GET /v1/proofs/{id}/manifest`", None),
    ("get-raw-by-manifest-id", "serve the raw store: `GET /c2pa/v1/manifests/{manifestId}`", None),
    ("get-json-manifest", "serve the JSON-stored store: `GET /v1/proofs/{id}/manifest` (base64 decoded per request)", None),
    ("get-json-record", "serve the JSON-stored record: `GET /v1/proofs/{id}` (base64 in JSON)", None),
    ("get-json-record-gzip", "the same with `Accept-Encoding: gzip` (stored gzip bytes)", None),
]


def main():
    results_path, store_path, json_path, rounds, connections, rss_kb = sys.argv[1:7]
    load = sys.argv[7] if len(sys.argv) > 7 else f"{os.getloadavg()[0]:.1f} at the end"
    rows = [json.loads(line) for line in open(results_path) if line.strip()]
    body = {"raw": os.path.getsize(store_path), "json": os.path.getsize(json_path)}
    print(f"# C2PA manifest store, raw vs base64 JSON — {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}")
    print()
    print(f"**Provisional** unless rerun on a quiet machine: `nproc` {os.cpu_count()}, 1-minute load average {load}; "
          f"service pinned to core 0, wrk (1 thread, {connections} connections) to core 1, {rounds} interleaved rounds, medians shown. "
          f"Filesystem provider, L1 on (GETs are L1 hits). Service peak RSS {int(rss_kb) // 1024} MiB (pinned to one core, so "
          "Workstation GC; not investigated further: every 1 MB body, record and decoded copy is a large-object-heap allocation). Every store is a new image (a new proof of 1 MB).")
    print()
    print("| scenario | request body bytes | response bytes / request | p50 ms | p99 ms | req/s | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    medians = {}
    for key, title, kind in SCENARIOS:
        runs = [r for r in rows if r["scenario"] == key]
        if not runs:
            continue
        p50 = statistics.median(r["p50_us"] for r in runs) / 1000
        p99 = statistics.median(r["p99_us"] for r in runs) / 1000
        rps = statistics.median(r["rps"] for r in runs)
        per_request = statistics.median(r["bytes"] / max(r["requests"], 1) for r in runs)
        errors = sum(r["errors"] for r in runs)
        medians[key] = (p50, per_request)
        request_bytes = f"{body[kind]:,}" if kind else "0"
        print(f"| {title} | {request_bytes} | {per_request:,.0f} | {p50:.1f} | {p99:.1f} | {rps:.1f} | {errors} |")
    print()
    if "store-raw" in medians and "store-json" in medians:
        print(f"- Store: the JSON body is {body['json'] / body['raw']:.2f}× the raw one; p50 raw ÷ JSON = "
              f"{medians['store-raw'][0] / medians['store-json'][0]:.2f}.")
    if "get-raw-manifest" in medians and "get-json-record" in medians:
        print(f"- Serve: the JSON record is {medians['get-json-record'][1] / medians['get-raw-manifest'][1]:.2f}× the raw store on the wire; "
              f"p50 raw manifest ÷ JSON record = {medians['get-raw-manifest'][0] / medians['get-json-record'][0]:.2f}; "
              f"p50 raw manifest ÷ JSON-stored manifest (decoded per request) = "
              f"{medians['get-raw-manifest'][0] / medians['get-json-manifest'][0]:.2f}.")
    print()
    print("Per round (p50 ms / req/s; rounds alternate the order of the two stores):")
    print()
    round_numbers = sorted({r["round"] for r in rows})
    print("| scenario | " + " | ".join(f"round {n}" for n in round_numbers) + " | median p50 ms |")
    print("|---|" + "---:|" * (len(round_numbers) + 1))
    for key, title, kind in SCENARIOS:
        runs = {r["round"]: r for r in rows if r["scenario"] == key}
        if not runs:
            continue
        cells = [f"{runs[n]['p50_us'] / 1000:.1f} / {runs[n]['rps']:.1f}" if n in runs else "—" for n in round_numbers]
        print(f"| {key} | " + " | ".join(cells) + f" | {medians[key][0]:.1f} |")
    print()
    print("Raw data: the `.jsonl` beside this file (one wrk run per line). Rerun with `bash perf/c2pa/run.sh`.")


if __name__ == "__main__":
    main()
