#!/bin/bash
# Instruction and simulated cache-miss counts of one learned pruner's `select`, called right after
# prefills as in the report's timing pass: reproducible where wall-clock timings drift with the machine.
#
#     scripts/pruner_callgrind.sh BINARY diffprune|gumbel [OUT]
#
# BINARY is a release `prune-bench`; valgrind 3.19 cannot read Swift's DWARF 5, so a `strip -g` copy is
# profiled (it finds the built-in model through the build directory compiled into BINARY, which must
# still exist). One thread (valgrind runs threads one at a time anyway), 3 items × (1 warm-up + 4 timed)
# = 15 calls collected. Prints the events and totals lines (Ir, Dr, Dw, I1mr, D1mr, D1mw, ILmr, DLmr,
# DLmw) and keeps the profile in OUT (default /tmp/callgrind-METHOD.out) for `callgrind_annotate
# --sort=I1mr OUT`, and valgrind's own output in OUT.log.
set -euo pipefail
if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: scripts/pruner_callgrind.sh BINARY diffprune|gumbel [OUT]" >&2
    exit 2
fi
binary=$1 method=$2 out=${3:-/tmp/callgrind-$2.out}
case $method in
    diffprune) class=15DiffPrunePrunerC ;;
    gumbel) class=12GumbelPrunerC ;;
    *) echo "pruner_callgrind.sh: method must be diffprune or gumbel, got '$method'" >&2; exit 2 ;;
esac
stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip -g -o "$stripped" "$binary"
# The specialised body of `select` (the entry the protocol witness calls).
pattern="\$s12TokenPruning${class}6select_6budget7contextAA9SelectionVAA12VisualTokensV_SiAA0B7ContextVtKFTf4nndn_n"
valgrind --tool=callgrind --cache-sim=yes --collect-atstart=no "--toggle-collect=$pattern" \
    --callgrind-out-file="$out" "$stripped" bench pruners --methods "$method" --keep-ratios 0.111 \
    --items 3 --repeats 4 --warmup 1 --threads 1 > /dev/null 2> "$out.log" || {
    echo "pruner_callgrind.sh: the profiled run failed; the end of $out.log:" >&2
    tail -n 20 "$out.log" >&2
    exit 1
}
if grep -qE '^totals: 0$' "$out"; then
    echo "pruner_callgrind.sh: nothing collected: no function named $pattern (see nm $binary | grep ${class}6select)" >&2
    exit 1
fi
grep -E '^events' "$out"
grep -E '^totals' "$out"
