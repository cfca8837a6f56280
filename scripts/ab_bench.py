#!/usr/bin/env python3
"""Interleaved A/B timing of `prune-bench bench prefill` or `bench pruners` for several binaries (e.g.
before/after a change).

    python3 scripts/ab_bench.py prefill OLD/prune-bench,.build/release/prune-bench [--threads 2 ...]
    python3 scripts/ab_bench.py pruners OLD/prune-bench,.build/release/prune-bench [--methods diffprune,gumbel ...]

An entry may set one environment variable for its runs, as `NAME=VALUE:path`: `pruners
PRUNELAB_NO_AVX512=1:B,B` times build B without its AVX-512 paths against B with them.

Runs each binary's benchmark with `--json` in turn, for 5 rounds (`--rounds N` for more), and prints per
binary the median over rounds: for `prefill`, each token count's median time, its speedup over 144 tokens
(each run's own, paired by round), and the 10th percentile of the times (the machine's fast spells); for `pruners`, each method
and budget's pruner time and its share of the paired unpruned prefill; then, for each later binary, the
median over rounds of its time divided by the first binary's in the same round. Rounds are interleaved
(every other one in reverse order) because this machine's speed drifts by ±20 % over minutes; other
arguments go to every run (the README's A/B table: `prefill OLD,NEW --rounds 40 --tokens 1,16,32,48,144
--repeats 15 --warmup 3`).
"""
import json
import os
import statistics
import subprocess
import sys

ROUNDS = 5


def tenth_percentile(values):
    """The value a tenth of the way up the sorted values."""
    return sorted(values)[len(values) // 10]


def prefill_cells(results):
    """(key, value) per token count: the median time in ms and the run's paired speedup over 144 tokens
    (None with --synthetic, which times no unpruned reference)."""
    return [(r["tokens"], (r["median_ms"], r.get("speedup"))) for r in results["results"]]


def pruner_cells(results):
    """(key, value) per method and budget: pruner ms and its share of the paired unpruned prefill."""
    return [((r["method"], r["tokens"]), (r["pruner_ms"], r["share"])) for r in results["rows"]]


def command_and_environment(entry):
    """The binary of a `[NAME=VALUE:]path` entry and the environment to run it in."""
    setting, separator, path = entry.partition(":")
    if not separator or "=" not in setting:
        return entry, None
    name, _, value = setting.partition("=")
    return path, {**os.environ, name: value}


def main():
    kind, binaries, extra = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    rounds = ROUNDS
    if "--rounds" in extra:
        at = extra.index("--rounds")
        rounds = int(extra[at + 1])
        extra = extra[:at] + extra[at + 2:]
    arguments = {"prefill": ["bench", "prefill", "--json", "--repeats", "60"], "pruners": ["bench", "pruners", "--json"]}[kind]
    cells = {"prefill": prefill_cells, "pruners": pruner_cells}[kind]
    values = {b: {} for b in binaries}
    for round_index in range(rounds):
        # Every other round in reverse order, so that a drift in speed favours neither binary.
        for b in binaries if round_index % 2 == 0 else binaries[::-1]:
            binary, environment = command_and_environment(b)
            out = subprocess.run([binary] + arguments + extra, capture_output=True, text=True, check=True,
                                 env=environment).stdout
            for key, value in cells(json.loads(out)):
                values[b].setdefault(key, []).append(value)
    for b in binaries:
        if kind == "prefill":
            text = []
            for tokens, runs in sorted(values[b].items()):
                times, speedups = [ms for ms, _ in runs], [s for _, s in runs if s is not None]
                text.append(f"{tokens}: {statistics.median(times):.3f} ms"
                            + (f" ({statistics.median(speedups):.2f}x)" if speedups else "")
                            + f", 10th pct {tenth_percentile(times):.3f} ms")
        else:
            text = [f"{method}@{tokens}: {statistics.median(v[0] for v in pairs):.4f} ms "
                    f"({100 * statistics.median(v[1] for v in pairs):.2f} %)"
                    for (method, tokens), pairs in values[b].items()]
        print(f"{b}: " + ", ".join(text))
    # The same round's values compared: the machine's drift between rounds cancels out of each ratio.
    for b in binaries[1:]:
        ratios = []
        for key, pairs in values[b].items():
            if key not in values[binaries[0]]:
                sys.exit(f"ab_bench: {binaries[0]} measured no {key}, which {b} did; run both on the same options")
            first = values[binaries[0]][key]
            per_round = [v[0] / f[0] for v, f in zip(pairs, first)]
            ratios.append(f"{key}: {statistics.median(per_round):.3f}")
        print(f"{b} / {binaries[0]}, median of the rounds' ratios: " + ", ".join(ratios))


if __name__ == "__main__":
    main()
