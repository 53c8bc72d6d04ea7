#!/usr/bin/env python3
"""PyTorch peer of DecoderCoefficientStepBench: one step of learning merge coefficients on a SmolLM2-135M shape.

Run (venv with torch 2.13.0+cpu and transformers 5.17.0):
    .venv-peers/bin/python bench/peers/coefficient_step.py --threads 2 [--merge ties] [--json]

The step DecoderCoefficientStepBench times, with the same shapes: 4 adapters' updates on q/k/v/o_proj of all 30
layers, made linear in the weights as TIES is when its masks, elected signs and divisors are fixed from the
unweighted updates (D_i = [sign(p_i) = elected] * p_i / #agreeing, p_i the top-50% of |dW_i|); the weights
alpha = sigmoid(c) * b with b = 1 + (b_max - 1) * sigmoid(beta); W = W0 + sum_i alpha_i D_i put in place with
torch.func.functional_call (the base frozen); next-token cross-entropy over 16 x 64 tokens; backward to c and
beta; Adam. Timed as JMH times the benchmark (peer_timing.py): the mean and the best of --iterations, after
--warmup (ms per step; a step outlasts --time-ms, so each iteration is one step).
"""
import argparse
import json

import torch
from torch.func import functional_call
from transformers import LlamaConfig, LlamaForCausalLM

from decoder import SMOLLM2_135M
from peer_timing import add_timing_options, measure


def masked_terms(deltas, merge, density):
    """D [adapters, out, in]: the per-adapter terms whose alpha-weighted sum is the merge."""
    stacked = torch.stack(deltas)
    if merge == "task_arithmetic":
        return stacked
    kept = []
    for d in deltas:
        k = int(density * d.numel())
        threshold = d.abs().flatten().kthvalue(d.numel() - k + 1).values if k > 0 else float("inf")
        kept.append(torch.where(d.abs() >= threshold, d, torch.zeros_like(d)))
    p = torch.stack(kept)
    elected = torch.where(p.sum(0) >= 0, 1.0, -1.0)
    member = torch.sign(p) == elected
    agreeing = member.sum(0).clamp(min=1)
    return torch.where(member, p, torch.zeros_like(p)) / agreeing


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--merge", choices=["task_arithmetic", "ties"], default="ties")
    ap.add_argument("--adapters", type=int, default=4)
    ap.add_argument("--sequences", type=int, default=16)
    ap.add_argument("--tokens", type=int, default=64)
    add_timing_options(ap, warmup=2, iterations=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a line")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**SMOLLM2_135M)).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    names = [n for n, _ in model.named_parameters()
             if any(f"self_attn.{x}_proj.weight" in n for x in "qkvo")]
    base = dict(model.named_parameters())
    terms = {n: masked_terms([torch.randn_like(base[n]) * 0.002 for _ in range(args.adapters)], args.merge, 0.5)
             for n in names}
    c = torch.zeros(args.adapters, 1, requires_grad=True)
    beta = torch.zeros(1, requires_grad=True)
    b_max = 3.0
    adam = torch.optim.Adam([c, beta], lr=0.05)
    ids = torch.randint(0, SMOLLM2_135M["vocab_size"], (args.sequences, args.tokens))

    def step():
        adam.zero_grad()
        alpha = torch.sigmoid(c) * (1 + (b_max - 1) * torch.sigmoid(beta))
        weights = {n: base[n] + torch.einsum("a,aoi->oi", alpha[:, 0], terms[n]) for n in names}
        logits = functional_call(model, weights, (ids,)).logits
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        loss.backward()
        adam.step()
        return loss.item()

    timing = measure(step, args)
    ms = timing["ms"]
    result = {"peer": "pytorch", "torch": torch.__version__, "threads": args.threads, "merge": args.merge,
              "adapters": args.adapters, "sequences": args.sequences, "tokens": args.tokens, "step_ms": ms,
              "rows": [{"params": {"merge": args.merge, "adapters": str(args.adapters),
                                   "sequences": str(args.sequences), "tokens": str(args.tokens),
                                   "threads": str(args.threads)}, **timing}]}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, SmolLM2-135M shape, {args.merge}, "
              f"{args.adapters} adapters on q/k/v/o, {args.sequences}x{args.tokens} tokens: {ms:.0f} ms per step")


if __name__ == "__main__":
    main()
