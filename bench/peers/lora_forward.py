#!/usr/bin/env python3
"""PyTorch peer of LoraForwardBench: one LoRA linear forward, d_in = d_out = 4096, r = 16, inference.

Run (venv with torch 2.13.0+cpu; see bench/peers/README.md):
    .venv-peers/bin/python bench/peers/lora_forward.py --threads 2 [--json]

The same work as LoraForwardBench for each token count 1, 32, 512: `unmerged` computes x W0^T + b + s (x A^T) B^T
as PEFT's LoRA layer does, `merged` x (W0 + s B A)^T + b with the merge done beforehand, `multi` four adapters
in one batch, the tokens split evenly between them. Timed as JMH times LoraForwardBench (peer_timing.py):
the mean and the best of --iterations, after --warmup (ms).
"""
import argparse
import json

import torch

from peer_timing import add_timing_options, measure

DIM, RANK, ADAPTERS, SCALE = 4096, 16, 4, 2.0



def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    add_timing_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    w0 = torch.randn(DIM, DIM, generator=g)
    bias = torch.zeros(DIM)
    a = [torch.randn(RANK, DIM, generator=g) for _ in range(ADAPTERS)]
    b = [torch.randn(DIM, RANK, generator=g) for _ in range(ADAPTERS)]
    merged = w0 + SCALE * b[0] @ a[0]
    rows = []
    with torch.inference_mode():
        for tokens in (1, 32, 512):
            x = torch.randn(tokens, DIM, generator=g)
            per = max(1, tokens // ADAPTERS)

            def unmerged():
                return torch.nn.functional.linear(x, w0, bias) + SCALE * (x @ a[0].T) @ b[0].T

            def merged_forward():
                return torch.nn.functional.linear(x, merged, bias)

            def multi():
                y = torch.nn.functional.linear(x, w0, bias)
                for i in range(ADAPTERS):
                    rows_i = slice(i * per, min(tokens, (i + 1) * per))
                    y[rows_i] += SCALE * (x[rows_i] @ a[i].T) @ b[i].T
                return y

            for mode, fn in (("unmerged", unmerged), ("merged", merged_forward), ("multi", multi)):
                rows.append({"params": {"tokens": str(tokens), "mode": mode, "threads": str(args.threads)},
                             **measure(fn, args)})
    result = {"peer": "pytorch", "torch": torch.__version__, "threads": args.threads, "rows": rows}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, LoRA linear 4096x4096 r16")
        for r in rows:
            print(f"  tokens {r['params']['tokens']:>4s} {r['params']['mode']:9s} {r['ms']:9.3f} ms"
                  f" (best {r['best_ms']:.3f})")


if __name__ == "__main__":
    main()
