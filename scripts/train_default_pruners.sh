#!/bin/bash
# Regenerates the shipped weights of the default comparison's learnable pruners: DiffPrune and Gumbel at
# keep ratios 1/3, 2/9 and 1/9 (as 0.333, 0.222, 0.111) with seeds 0-2, trained against the built-in model.
# Deterministic: the same files bit for bit, whatever JOBS is. Run from the repository root after
# `swift build -c release`; about 2 minutes per pruner on 2 cores. JOBS=2 runs two single-threaded queues
# side by side (faster on 2 cores). Extra arguments go to every `train pruner` (e.g. --retrain).
set -euo pipefail
out=Sources/TokenPruning/Resources/pruners
jobs=${JOBS:-1}
queue() {
  local index=0
  for seed in 0 1 2; do
    for ratio in 0.333 0.222 0.111; do
      for method in diffprune gumbel; do
        if (( index++ % jobs == $1 )); then
          .build/release/prune-bench train pruner "$method" --keep-ratio "$ratio" --seed "$seed" --out "$out" \
            $( ((jobs > 1)) && echo --threads 1 ) "${@:2}"
        fi
      done
    done
  done
}
pids=()
for ((q = 0; q < jobs; q++)); do queue "$q" "$@" & pids+=($!); done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
