#!/usr/bin/env python3
"""Interleaved A/B timing of `prune-bench bench prefill` for several binaries (e.g. before/after a change).

    python3 scripts/ab_prefill.py OLD/prune-bench,.build/release/prune-bench [--threads 2 ...]

Runs each binary's `bench prefill --json --repeats 60` in turn, for 5 rounds, and prints per binary the
median over rounds of each token count's median time and its speedup over 144 tokens. Rounds are
interleaved because this machine's speed drifts by ±20 % over minutes; extra arguments go to every run.
"""
import json
import statistics
import subprocess
import sys


def main():
    binaries = sys.argv[1].split(",")
    extra = sys.argv[2:]
    times = {b: {} for b in binaries}
    for _ in range(5):
        for b in binaries:
            out = subprocess.run([b, "bench", "prefill", "--json", "--repeats", "60"] + extra,
                                 capture_output=True, text=True, check=True).stdout
            for r in json.loads(out)["results"]:
                times[b].setdefault(r["tokens"], []).append(r["median_ms"])
    for b in binaries:
        full = statistics.median(times[b][144]) if 144 in times[b] else None
        cells = []
        for tokens, values in sorted(times[b].items()):
            ms = statistics.median(values)
            cells.append(f"{tokens}: {ms:.3f} ms" + (f" ({full / ms:.2f}x)" if full else ""))
        print(f"{b}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
