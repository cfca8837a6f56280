#!/usr/bin/env python3
"""PyTorch CPU reference for `prune-bench bench prefill|train-step`: the same pre-norm blocks, shapes,
thread count and statistics (median over repeats after warm-up), printed as the same JSON.

    python3 scripts/torch_bench.py prefill --tokens 16,64,160 --threads 2
    python3 scripts/torch_bench.py train-step --threads 2

The block mirrors Autograd's TransformerBlock: LayerNorm -> Q/K/V/O projections (with bias) ->
causal scaled-dot-product attention -> residual; LayerNorm -> Linear -> exact GELU -> Linear -> residual.
The training step is forward + mean-squared-error loss + backward + AdamW (lr 1e-4, weight decay 0.01).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, d_ff):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, d_ff), nn.Linear(d_ff, d)

    def forward(self, x):
        *lead, n, d = x.shape
        h = self.norm1(x)
        split = lambda t: t.view(*lead, n, self.heads, d // self.heads).transpose(-3, -2)
        a = F.scaled_dot_product_attention(split(self.wq(h)), split(self.wk(h)), split(self.wv(h)), is_causal=True)
        x = x + self.wo(a.transpose(-3, -2).reshape(*lead, n, d))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


def median_ms(body, repeats, warmup):
    for _ in range(warmup):
        body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def block_flops(n, d, f, causal_pairs_only=True):
    """As PruneLab counts them (`TransformerBlock.forwardFLOPs`): the prefill's attention counts the
    n(n + 1)/2 pairs a causal mask leaves, the training step all n² (what PruneLab computes in each)."""
    pairs = n * (n + 1) / 2 if causal_pairs_only else n * n
    return n * (8 * d * d + 4 * d * f) + 4 * d * pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prefill", "train-step"])
    parser.add_argument("--tokens", default=None, help="prefill: comma-separated counts; train-step: one count")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--d-ff", type=int, default=512)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    d, heads, f = args.d_model, args.heads, args.d_ff
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "repeats": args.repeats, "warmup": args.warmup}

    if args.command == "prefill":
        stack = nn.Sequential(*(Block(d, heads, f) for _ in range(args.layers))).eval()
        results = []
        for n in [int(t) for t in (args.tokens or "16,32,64,128,160").split(",")]:
            x = torch.randn(n, d)
            with torch.inference_mode():
                ms = median_ms(lambda: stack(x), args.repeats, args.warmup)
            gflops = args.layers * block_flops(n, d, f) / ms / 1e6
            results.append({"tokens": n, "median_ms": ms, "gflops": gflops})
            print(f"  tokens {n:5d}  {ms:9.3f} ms  {gflops:7.1f} GFLOP/s", file=sys.stderr)
        report = {"config": {"d_model": d, "layers": args.layers, "heads": heads, "d_ff": f}, "results": results, **info}
    else:
        n = int(args.tokens or 160)
        block = Block(d, heads, f)
        optimizer = torch.optim.AdamW(block.parameters(), lr=1e-4, weight_decay=0.01)
        x, target = torch.randn(args.batch, n, d), torch.randn(args.batch, n, d)

        def step():
            optimizer.zero_grad(set_to_none=True)
            loss = F.mse_loss(block(x), target)
            loss.backward()
            optimizer.step()

        ms = median_ms(step, args.repeats, args.warmup)
        gflops = 3 * args.batch * block_flops(n, d, f, causal_pairs_only=False) / ms / 1e6
        print(f"train step {args.batch}x{n}: {ms:.3f} ms ({gflops:.1f} GFLOP/s)", file=sys.stderr)
        report = {"config": {"d_model": d, "heads": heads, "d_ff": f, "tokens": n, "batch": args.batch},
                  "median_ms": ms, "gflops": gflops, **info}
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
