#!/usr/bin/env python3
"""Independent NumPy reference for Hugging Face's GPTNeoXForCausalLM (GPT-NeoX, Pythia).

Written from transformers' src/transformers/models/gpt_neox/modeling_gpt_neox.py at commit
006bd23 (eager attention, GPTNeoXAttention / GPTNeoXRotaryEmbedding / GPTNeoXMLP / GPTNeoXLayer /
GPTNeoXModel / GPTNeoXForCausalLM), not from this project's Java code. It

  1. recomputes the `neox-tiny` fixture (whose expected outputs came from a separate PyTorch
     forward pass written after the same file) from its model.safetensors and prints the max
     absolute difference of the logits and of every hook tensor it stores, and
  2. (unless --check-only) writes `neox-tiny-sequential`: a seeded tiny checkpoint with
     use_parallel_residual = false, rotary_pct 0.5, no attention biases and tied embeddings, with
     its expected logits and hooks.

Usage:  python3 tools/reference/neox_reference.py [--fixtures DIR] [--check-only]

Computes in float64 from the F32 weights; stored outputs are F32. Needs only Python 3 + NumPy;
the safetensors helpers are hf_numpy_reference.py's.
"""

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_numpy_reference import linear, load_model_dir, read_safetensors, softmax, write_safetensors  # noqa: E402


def layer_norm(x, weight, bias, eps):
    # nn.LayerNorm: (x - mean) / sqrt(var + eps) * w + b, biased variance over the last axis
    mean = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mean) ** 2, axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def activation(name):
    # ACT2FN: "gelu" is GELUActivation (erf); "gelu_new" the tanh approximation
    if name == "gelu":
        erf = np.vectorize(math.erf)
        return lambda x: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
    if name == "gelu_new":
        return lambda x: 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    raise NotImplementedError(name)


def rotary_ndims(config):
    # GPTNeoXAttention.__init__: head_size = hidden_size // heads; rotary_ndims = int(head_size * rotary_pct)
    head_size = config["hidden_size"] // config["num_attention_heads"]
    return int(head_size * config.get("rotary_pct", 0.25))


def rotary_cos_sin(config, positions):
    # GPTNeoXRotaryEmbedding(dim = rotary_ndims, base = rotary_emb_base):
    #   inv_freq = 1 / base^(arange(0, dim, 2) / dim); emb = cat(freqs, freqs); cos/sin of emb
    dim = rotary_ndims(config)
    base = float(config.get("rotary_emb_base", 10000))
    inv_freq = 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
    freqs = np.outer(positions.astype(np.float64), inv_freq)
    emb = np.concatenate([freqs, freqs], axis=-1)                     # [T, dim]
    return np.cos(emb), np.sin(emb)


def rotate_half(x):
    h = x.shape[-1] // 2
    return np.concatenate([-x[..., h:], x[..., :h]], axis=-1)


def attention(x, W, prefix, config, cos, sin, hooks, layer):
    """GPTNeoXAttention.forward with _attn_projections_and_rope and _attn (eager)."""
    B, T, D = x.shape
    H = config["num_attention_heads"]
    hs = D // H
    rot = rotary_ndims(config)
    qkv = linear(x, W[f"{prefix}.query_key_value.weight"], W.get(f"{prefix}.query_key_value.bias"))
    # view [B, T, H, 3 * hs]: each head holds its q, k, v in turn; permute to [B, H, T, hs]
    qkv = qkv.reshape(B, T, H, 3 * hs)
    q = qkv[..., :hs].transpose(0, 2, 1, 3)
    k = qkv[..., hs:2 * hs].transpose(0, 2, 1, 3)
    v = qkv[..., 2 * hs:].transpose(0, 2, 1, 3)
    # rotary on the first rotary_ndims of each head (apply_rotary_pos_emb), the rest passed through
    q = np.concatenate([q[..., :rot] * cos + rotate_half(q[..., :rot]) * sin, q[..., rot:]], axis=-1)
    k = np.concatenate([k[..., :rot] * cos + rotate_half(k[..., :rot]) * sin, k[..., rot:]], axis=-1)
    # _attn: scores = q k^T * head_size^-0.5 (norm_factor), causal mask with finfo.min, softmax
    scores = (q @ k.transpose(0, 1, 3, 2)) * hs ** -0.5
    causal = np.tril(np.ones((T, T), dtype=bool))
    probs = softmax(np.where(causal, scores, -np.inf), axis=-1)       # [B, H, T, T]
    hooks[f"blocks.{layer}.attn.hook_pattern"] = probs
    out = (probs @ v).transpose(0, 2, 1, 3).reshape(B, T, D)          # _merge_heads
    return linear(out, W[f"{prefix}.dense.weight"], W.get(f"{prefix}.dense.bias"))


def mlp(x, W, prefix, act):
    # GPTNeoXMLP: dense_4h_to_h(act(dense_h_to_4h(x)))
    h = act(linear(x, W[f"{prefix}.dense_h_to_4h.weight"], W[f"{prefix}.dense_h_to_4h.bias"]))
    return linear(h, W[f"{prefix}.dense_4h_to_h.weight"], W[f"{prefix}.dense_4h_to_h.bias"])


def forward(config, weights, input_ids):
    """GPTNeoXForCausalLM forward (no padding, positions 0..T-1). Returns (logits, hooks) in float64."""
    W = {k: v.astype(np.float64) for k, v in weights.items()}
    eps = float(config.get("layer_norm_eps", 1e-5))
    act = activation(config.get("hidden_act", "gelu"))
    cos, sin = rotary_cos_sin(config, np.arange(input_ids.shape[1]))
    hooks = {}
    h = W["gpt_neox.embed_in.weight"][input_ids]
    for l in range(config["num_hidden_layers"]):
        p = f"gpt_neox.layers.{l}"

        def ln(name, x):
            return layer_norm(x, W[f"{p}.{name}.weight"], W[f"{p}.{name}.bias"], eps)

        a = attention(ln("input_layernorm", h), W, f"{p}.attention", config, cos, sin, hooks, l)
        if config.get("use_parallel_residual", True):
            # x = x + attn(ln1(x)) + mlp(ln2(x))
            h = mlp(ln("post_attention_layernorm", h), W, f"{p}.mlp", act) + a + h
        else:
            # x = x + attn(ln1(x)); x = x + mlp(ln2(x))
            a = a + h
            hooks[f"blocks.{l}.hook_resid_mid"] = a
            h = mlp(ln("post_attention_layernorm", a), W, f"{p}.mlp", act) + a
        hooks[f"blocks.{l}.hook_resid_post"] = h
    h = layer_norm(h, W["gpt_neox.final_layer_norm.weight"], W["gpt_neox.final_layer_norm.bias"], eps)
    # embed_out is tied to embed_in when tie_word_embeddings (GPTNeoXForCausalLM._tied_weights_keys)
    head = W["gpt_neox.embed_in.weight"] if config.get("tie_word_embeddings", False) else W["embed_out.weight"]
    return linear(h, head), hooks


def check(root, name):
    """Max |ours - stored| for the logits and every stored hook of fixture `name`."""
    d = os.path.join(root, name)
    config, weights = load_model_dir(d)
    exp = read_safetensors(os.path.join(d, "expected.safetensors"))
    logits, hooks = forward(config, weights, exp["input_ids"])
    res = {"logits": float(np.max(np.abs(logits - exp["logits"])))}
    for k in exp:
        if k.startswith("blocks."):
            res[k] = float(np.max(np.abs(hooks[k] - exp[k])))
    print(f"[check] {name}: max |ours - expected| = " + ", ".join(f"{k} {v:.2e}" for k, v in res.items()))
    return max(res.values())


SEQUENTIAL_CONFIG = {
    "architectures": ["GPTNeoXForCausalLM"],
    "model_type": "gpt_neox",
    "hidden_act": "gelu",
    "attention_bias": False,
    "tie_word_embeddings": True,
    "bos_token_id": 0,
    "eos_token_id": 0,
    "torch_dtype": "float32",
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "intermediate_size": 128,
    "vocab_size": 256,
    "rotary_pct": 0.5,
    "rotary_emb_base": 10000,
    "layer_norm_eps": 1e-05,
    "use_parallel_residual": False,
    "max_position_embeddings": 64,
}
SEQUENTIAL_SEED = 20240620


def make_weights(config, rng):
    """HF-layout weights in state-dict order: matrices N(0, 0.05), norm weights 1 + N(0, 0.1), biases N(0, 0.1)."""
    D, I, V = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    mat = lambda *s: rng.normal(0.0, 0.05, size=s).astype(np.float32)
    vec = lambda n, mean=0.0: (mean + rng.normal(0.0, 0.1, size=n)).astype(np.float32)
    t = [("gpt_neox.embed_in.weight", mat(V, D))]
    for l in range(config["num_hidden_layers"]):
        p = f"gpt_neox.layers.{l}"
        for norm in ("input_layernorm", "post_attention_layernorm"):
            t += [(f"{p}.{norm}.weight", vec(D, 1.0)), (f"{p}.{norm}.bias", vec(D))]
        t.append((f"{p}.attention.query_key_value.weight", mat(3 * D, D)))
        if config["attention_bias"]:
            t.append((f"{p}.attention.query_key_value.bias", vec(3 * D)))
        t.append((f"{p}.attention.dense.weight", mat(D, D)))
        if config["attention_bias"]:
            t.append((f"{p}.attention.dense.bias", vec(D)))
        t += [(f"{p}.mlp.dense_h_to_4h.weight", mat(I, D)), (f"{p}.mlp.dense_h_to_4h.bias", vec(I)),
              (f"{p}.mlp.dense_4h_to_h.weight", mat(D, I)), (f"{p}.mlp.dense_4h_to_h.bias", vec(D))]
    t += [("gpt_neox.final_layer_norm.weight", vec(D, 1.0)), ("gpt_neox.final_layer_norm.bias", vec(D))]
    if not config["tie_word_embeddings"]:
        t.append(("embed_out.weight", mat(V, D)))
    return t


def write_sequential(root):
    name = "neox-tiny-sequential"
    config = SEQUENTIAL_CONFIG
    rng = np.random.default_rng(SEQUENTIAL_SEED)
    wlist = make_weights(config, rng)
    ids = rng.integers(0, config["vocab_size"], size=(2, 16), dtype=np.int64)
    weights = dict(wlist)
    logits, hooks = forward(config, weights, ids)
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"), wlist)
    f32 = lambda a: a.astype(np.float32)
    write_safetensors(os.path.join(d, "expected.safetensors"), [("input_ids", ids), ("logits", f32(logits))]
                      + [(k, f32(v)) for k, v in hooks.items()])
    # The variant matters: the same weights as a parallel block give other logits.
    parallel, _ = forward(dict(config, use_parallel_residual=True), weights, ids)
    full, _ = forward(dict(config, rotary_pct=1.0), weights, ids)
    print(f"== wrote {name} (seed {SEQUENTIAL_SEED}): logits |max| {np.max(np.abs(logits)):.3f}; "
          f"as a parallel block they would differ by {np.max(np.abs(parallel - logits)):.3e}, "
          f"with full rotary by {np.max(np.abs(full - logits)):.3e}")
    return check(root, name)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_root = os.path.normpath(os.path.join(here, "..", "..", "src", "test", "resources", "fixtures"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", default=default_root, help="fixtures folder")
    ap.add_argument("--check-only", action="store_true", help="only recompute neox-tiny")
    args = ap.parse_args()
    worst = check(args.fixtures, "neox-tiny")
    if not args.check_only:
        worst = max(worst, write_sequential(args.fixtures))
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
