#!/usr/bin/env python3
"""PyTorch peer of `amalgam merge --method ties_svd`: PEFT's path for the same merge, end to end.

Run (venv with torch 2.13.0+cpu and peft 0.21.0; see bench/peers/README.md):
    ./amalgam synthetic-adapters --out /tmp/mp-in --count 8 --rank 16 --dtype bf16
    /usr/bin/time .venv-peers/bin/python bench/peers/ties_svd.py --threads 2 --density 0.2 --rank 16 /tmp/mp-in/adapter*

What PEFT's add_weighted_adapter(combination_type="ties_svd") does per module, on the adapters' files: each
delta s·B·A made dense in fp32, PEFT's own `ties` (magnitude trim to the density, total sign election, disjoint
mean, weights 1), then a full SVD of the merged delta truncated to the rank; the factors are written to
--out (safetensors) so the work cannot be skipped. Prints the seconds spent merging.
"""
import argparse
import json
import os
import time

import torch
from peft.utils.merge_utils import ties
from safetensors.torch import load_file, save_file


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--density", type=float, default=0.2)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--out", default="/tmp/ties_svd_peer.safetensors")
    p.add_argument("adapters", nargs="+")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    loaded = []
    for directory in args.adapters:
        with open(os.path.join(directory, "adapter_config.json")) as f:
            config = json.load(f)
        scale = config["lora_alpha"] / config["r"]
        loaded.append((load_file(os.path.join(directory, "adapter_model.safetensors")), scale))
    modules = sorted(k[: -len(".lora_A.weight")] for k in loaded[0][0] if k.endswith(".lora_A.weight"))
    out = {}
    weights = torch.ones(len(loaded))
    for m in modules:
        deltas = torch.stack([s * t[m + ".lora_B.weight"].float() @ t[m + ".lora_A.weight"].float() for t, s in loaded])
        merged = ties(deltas, weights, args.density, "total")
        u, sv, vh = torch.linalg.svd(merged, full_matrices=False)
        out[m + ".lora_B.weight"] = (u[:, : args.rank] * sv[: args.rank]).contiguous()
        out[m + ".lora_A.weight"] = vh[: args.rank].contiguous()
    save_file(out, args.out)
    print(f"merged {len(modules)} modules of {len(loaded)} adapters in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
