#!/usr/bin/env python3
"""PyTorch peer of TrainStepBench: one AdamW step of the engine's TinyViT on random 28x28 inputs, eager mode.

Run (venv with torch 2.13.0+cpu; see bench/peers/README.md):
    .venv-peers/bin/python bench/peers/train_step.py --threads 2 [--batch 64] [--json]

The same network as amalgam.engine.nn.TinyViT (72k parameters): 7x7 patches of the grey image embedded to 64,
a cls token and position embeddings, two pre-norm blocks (4 heads of 16, qkv in one projection, MLP
64 -> 128 -> 64 with GELU), a final LayerNorm on the cls token and a linear head to 10 classes; cross-entropy,
backward, AdamW (lr 1e-3). Timed as JMH times TrainStepBench (peer_timing.py): the mean and the best of
--iterations, after --warmup (ms per step).
"""
import argparse
import json

import torch
from torch import nn

from peer_timing import add_timing_options, measure

IMAGE, PATCH, DIM, HEADS, HIDDEN, DEPTH, CLASSES = 28, 7, 64, 4, 128, 2, 10
GRID = IMAGE // PATCH
TOKENS = GRID * GRID


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(DIM), nn.LayerNorm(DIM)
        self.qkv, self.proj = nn.Linear(DIM, 3 * DIM), nn.Linear(DIM, DIM)
        self.fc1, self.fc2 = nn.Linear(DIM, HIDDEN), nn.Linear(HIDDEN, DIM)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, t, 3, HEADS, DIM // HEADS).permute(2, 0, 3, 1, 4)
        attention = torch.softmax(q @ k.transpose(-1, -2) / (DIM // HEADS) ** 0.5, dim=-1) @ v
        x = x + self.proj(attention.transpose(1, 2).reshape(b, t, DIM))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x))))


class TinyViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = nn.Linear(PATCH * PATCH, DIM)
        self.cls_token = nn.Parameter(torch.randn(1, 1, DIM) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, TOKENS + 1, DIM) * 0.02)
        self.blocks = nn.ModuleList(Block() for _ in range(DEPTH))
        self.norm, self.head = nn.LayerNorm(DIM), nn.Linear(DIM, CLASSES)

    def forward(self, images):
        b = images.shape[0]
        patches = images.reshape(b, GRID, PATCH, GRID, PATCH).permute(0, 1, 3, 2, 4).reshape(b, TOKENS, PATCH * PATCH)
        x = torch.cat([self.cls_token.expand(b, 1, DIM), self.patch_embed(patches)], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x[:, 0]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    add_timing_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a line")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = TinyViT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    images = torch.rand(args.batch, IMAGE * IMAGE)
    labels = torch.randint(0, CLASSES, (args.batch,))

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()

    timing = measure(step, args)
    result = {"peer": "pytorch", "torch": torch.__version__, "threads": args.threads,
              "rows": [{"params": {"batch": str(args.batch), "threads": str(args.threads)}, **timing}]}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, TinyViT AdamW step, batch {args.batch}: "
              f"{timing['ms']:.2f} ms (best {timing['best_ms']:.2f})")


if __name__ == "__main__":
    main()
