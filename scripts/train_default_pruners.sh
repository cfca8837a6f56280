#!/bin/bash
# Regenerates the shipped weights of the default comparison's learnable pruners: DiffPrune and Gumbel at
# keep ratios 1/3, 2/9 and 1/9 (as 0.333, 0.222, 0.111) with seeds 0-2, trained against the built-in model.
# Deterministic: the same files bit for bit. Run from the repository root after `swift build -c release`;
# about 2 minutes per pruner on 2 cores. Pass --retrain to ignore cached weights.
set -euo pipefail
out=Sources/TokenPruning/Resources/pruners
for seed in 0 1 2; do
  for ratio in 0.333 0.222 0.111; do
    for method in diffprune gumbel; do
      .build/release/prune-bench train pruner "$method" --keep-ratio "$ratio" --seed "$seed" --out "$out" "$@"
    done
  done
done
