#!/usr/bin/env python3
"""The engine against PyTorch, interleaved: 5 rounds of `scripts/torch_bench.py` and `prune-bench bench
--synthetic` (prefill of a 4-block stack at 22, 150 and 160 tokens; one block's training step at 160
tokens), 2 threads, printing the median over rounds of each median and the ratio (PyTorch time / engine
time, > 1 means the engine is faster).

    python3 scripts/torch_ab.py [path/to/prune-bench]
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command):
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else ".build/release/prune-bench"
    torch_bench = [sys.executable, os.path.join(HERE, "torch_bench.py")]
    prefill = {"torch": {}, "engine": {}}
    step = {"torch": [], "engine": []}
    for _ in range(5):
        for name, command in [("torch", torch_bench + ["prefill", "--tokens", "22,150,160", "--threads", "2", "--repeats", "60"]),
                              ("engine", [engine, "bench", "prefill", "--synthetic", "--tokens", "22,150,160",
                                          "--threads", "2", "--repeats", "60", "--json"])]:
            for r in run(command)["results"]:
                prefill[name].setdefault(r["tokens"], []).append(r["median_ms"])
        for name, command in [("torch", torch_bench + ["train-step", "--threads", "2", "--repeats", "30"]),
                              ("engine", [engine, "bench", "train-step", "--synthetic", "--threads", "2", "--repeats", "30", "--json"])]:
            step[name].append(run(command)["median_ms"])
    for tokens in sorted(prefill["torch"]):
        a, b = statistics.median(prefill["torch"][tokens]), statistics.median(prefill["engine"][tokens])
        print(f"prefill {tokens} tokens: PyTorch {a:.3f} ms, engine {b:.3f} ms, ratio {a / b:.2f}")
    a, b = statistics.median(step["torch"]), statistics.median(step["engine"])
    print(f"train step: PyTorch {a:.3f} ms, engine {b:.3f} ms, ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
