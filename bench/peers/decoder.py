#!/usr/bin/env python3
"""PyTorch peer of DecoderBench: prefill and greedy decode of a SmolLM2-135M-shaped Llama, random weights.

Run (venv with torch 2.13.0+cpu, transformers 5.17.0, peft 0.21.0; see bench/peers/README.md):
    .venv-peers/bin/python bench/peers/decoder.py --threads 2 [--prompt 128] [--decode 32] [--json]

Measures what DecoderBench measures, with the same shapes: the forward of a 128-token prompt into an empty
KV cache (prefill, ms), and single-token steps with the cache (decode, tokens/s), at batch 1, fp32, without
and with a rank-16 LoRA on q/k/v/o applied unmerged through PEFT. Timed as JMH times DecoderBench
(peer_timing.py): the mean and the best of --iterations, after --warmup.
"""
import argparse
import json
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from peer_timing import add_timing_options, measure

# The shape DecoderBench uses: SmolLM2-135M's config.json.
SMOLLM2_135M = dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                    num_attention_heads=9, num_key_value_heads=3, head_dim=64, max_position_embeddings=8192,
                    rms_norm_eps=1e-5, rope_theta=100000.0, tie_word_embeddings=True, hidden_act="silu")


def build(adapter):
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**SMOLLM2_135M)).eval()
    if adapter:
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                                                 init_lora_weights=False)).eval()
    return model



def measure_model(adapter, prompt_tokens, decode_tokens, timing):
    model = build(adapter)
    ids = torch.randint(0, SMOLLM2_135M["vocab_size"], (1, prompt_tokens), generator=torch.Generator().manual_seed(1))

    @torch.inference_mode()
    def prefill():
        return model(input_ids=ids, use_cache=True)

    @torch.inference_mode()
    def decode():
        out = model(input_ids=ids, use_cache=True)
        cache, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        start = time.perf_counter()
        for _ in range(decode_tokens):
            out = model(input_ids=token, past_key_values=cache, use_cache=True)
            cache, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        return time.perf_counter() - start

    # decode returns the seconds of its tokens alone: the prefill before them is setup, as in DecoderBench.
    return {"adapter": adapter, "prefill": measure(prefill, timing),
            "decode": measure(decode, timing, per_call=decode_tokens, times_itself=True)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--prompt", type=int, default=128, help="prompt tokens for prefill (default 128)")
    p.add_argument("--decode", type=int, default=32, help="tokens decoded per timed run (default 32)")
    add_timing_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    rows = [measure_model(a, args.prompt, args.decode, args) for a in (False, True)]
    # "rows" as amalgam bench --peers reads them: DecoderBench's parameters and milliseconds per operation.
    table = []
    for r in rows:
        adapter = "lora" if r["adapter"] else "none"
        common = {"adapter": adapter, "threads": str(args.threads)}
        table.append({"params": {**common, "phase": "prefill"}, **r["prefill"]})
        table.append({"params": {**common, "phase": "decode"}, **r["decode"]})
    result = {"peer": "pytorch", "torch": torch.__version__, "threads": args.threads, "prompt": args.prompt,
              "decode": args.decode, "measured": rows, "rows": table}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PyTorch {torch.__version__}, {args.threads} threads, SmolLM2-135M shape, fp32, batch 1")
        for r in rows:
            print(f"  {'LoRA r16 qkvo' if r['adapter'] else 'base':14s} prefill {args.prompt}: "
                  f"{r['prefill']['ms']:8.1f} ms (best {r['prefill']['best_ms']:.1f})"
                  f"   decode: {1e3 / r['decode']['ms']:7.1f} tokens/s (best {1e3 / r['decode']['best_ms']:.1f})")


if __name__ == "__main__":
    main()
