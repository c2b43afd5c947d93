#!/usr/bin/env python3
"""Independent NumPy reference for Hugging Face's Gemma2ForCausalLM (eager attention).

Written from transformers' src/transformers/models/gemma2/modeling_gemma2.py at commit 006e869
(006e86931247d7bacf94ad00ada1fb6baf11e94b), not from mono4j's Java code. It recomputes a Gemma-2 fixture's
logits and hook tensors from its model.safetensors and reports the max absolute difference against the
fixture's expected.safetensors.

Usage:  python3 tools/reference/gemma2_reference.py [FIXTURE_DIR ...]
        (default: src/test/resources/fixtures/gemma2-tiny)

Computes in float64 from the F32 weights; needs Python 3 and NumPy only (safetensors are read by the
helpers of hf_numpy_reference.py, which also supplies HF's default rotary tables and rotate_half: Gemma2's
Gemma2RotaryEmbedding and apply_rotary_pos_emb are the same formulas as Llama's).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_numpy_reference import (  # noqa: E402
    apply_rotary, default_inv_freq, load_model_dir, read_safetensors, rope_cos_sin, softmax)

TOLERANCE = 1e-4


def gemma_rms_norm(x, weight, eps):
    # Gemma2RMSNorm.forward: x * rsqrt(mean(x^2) + eps), then * (1 + weight), all in float32 in HF
    # (float64 here); the stored weight is an offset from 1.
    var = np.mean(x * x, axis=-1, keepdims=True)
    return x / np.sqrt(var + eps) * (1.0 + weight)


def gelu_tanh(x):
    # ACT2FN["gelu_pytorch_tanh"]: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def soft_cap(x, cap):
    # attn_logit_softcapping / final_logit_softcapping: cap * tanh(x / cap); None disables it.
    return x if cap is None else cap * np.tanh(x / cap)


def layer_window(config, layer):
    # Gemma2Attention.__init__: sliding_window if not bool(layer_idx % 2) else None (even layers slide);
    # a later config's layer_types, where given, names each layer's kind.
    types = config.get("layer_types")
    sliding = types[layer] == "sliding_attention" if types else layer % 2 == 0
    return config["sliding_window"] if sliding else None


def allowed_keys(T, window):
    # _prepare_4d_causal_attention_mask_with_cache_position: key j <= query i; Gemma2DecoderLayer.forward
    # then masks tril(ones, diagonal=-window), i.e. j <= i - window: a query keeps i - j < window.
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    ok = j <= i
    if window is not None:
        ok &= (i - j) < window
    return ok


def attention(x, W, p, config, cos, sin, window):
    # Gemma2Attention.forward with eager_attention_forward.
    B, T, _ = x.shape
    H = config["num_attention_heads"]
    KVH = config["num_key_value_heads"]
    hd = config["head_dim"]
    q = (x @ W[p + "q_proj.weight"].T).reshape(B, T, H, hd).transpose(0, 2, 1, 3)
    k = (x @ W[p + "k_proj.weight"].T).reshape(B, T, KVH, hd).transpose(0, 2, 1, 3)
    v = (x @ W[p + "v_proj.weight"].T).reshape(B, T, KVH, hd).transpose(0, 2, 1, 3)
    q = apply_rotary(q, cos, sin)
    k = apply_rotary(k, cos, sin)
    k = np.repeat(k, H // KVH, axis=1)  # repeat_kv: query head h reads kv head h // (H / KVH)
    v = np.repeat(v, H // KVH, axis=1)
    # scaling = query_pre_attn_scalar ** -0.5 (not head_dim ** -0.5)
    scores = (q @ k.transpose(0, 1, 3, 2)) * float(config["query_pre_attn_scalar"]) ** -0.5
    scores = soft_cap(scores, config.get("attn_logit_softcapping"))  # before the mask
    scores = np.where(allowed_keys(T, window), scores, -np.inf)
    pattern = softmax(scores, axis=-1)
    out = (pattern @ v).transpose(0, 2, 1, 3).reshape(B, T, H * hd)
    return out @ W[p + "o_proj.weight"].T, pattern


def forward(config, weights, input_ids):
    """Logits [B, T, vocab] and the hooks (TransformerLens names) the fixtures store, in float64."""
    W = {k: v.astype(np.float64) for k, v in weights.items()}
    eps = float(config["rms_norm_eps"])
    d = config["hidden_size"]
    T = input_ids.shape[1]
    cos, sin = rope_cos_sin(default_inv_freq(config), np.arange(T))
    # Gemma2Model.forward: embeddings times a normaliser sqrt(hidden_size) cast to the hidden dtype (F32).
    h = W["model.embed_tokens.weight"][input_ids] * float(np.float32(d ** 0.5))
    hooks = {}
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        # Gemma2DecoderLayer.forward: sandwich norms around attention and around the MLP.
        a, pattern = attention(gemma_rms_norm(h, W[p + "input_layernorm.weight"], eps), W, p + "self_attn.",
                               config, cos, sin, layer_window(config, layer))
        h = h + gemma_rms_norm(a, W[p + "post_attention_layernorm.weight"], eps)
        x = gemma_rms_norm(h, W[p + "pre_feedforward_layernorm.weight"], eps)
        # Gemma2MLP: down(act(gate(x)) * up(x))
        m = (gelu_tanh(x @ W[p + "mlp.gate_proj.weight"].T) * (x @ W[p + "mlp.up_proj.weight"].T))
        m = m @ W[p + "mlp.down_proj.weight"].T
        h = h + gemma_rms_norm(m, W[p + "post_feedforward_layernorm.weight"], eps)
        hooks[f"blocks.{layer}.attn.hook_pattern"] = pattern
        hooks[f"blocks.{layer}.hook_resid_post"] = h
    h = gemma_rms_norm(h, W["model.norm.weight"], eps)
    head = W["lm_head.weight"] if "lm_head.weight" in W else W["model.embed_tokens.weight"]
    logits = soft_cap(h @ head.T, config.get("final_logit_softcapping"))  # Gemma2ForCausalLM.forward
    return logits, hooks


def check(fixture):
    config, weights = load_model_dir(fixture)
    expected = read_safetensors(os.path.join(fixture, "expected.safetensors"))
    logits, hooks = forward(config, weights, expected["input_ids"])
    worst = 0.0
    for name, want in expected.items():
        if name == "input_ids":
            continue
        got = logits if name == "logits" else hooks[name]
        diff = float(np.max(np.abs(got - want.astype(np.float64))))
        worst = max(worst, diff)
        print(f"  {name:32s} {str(list(want.shape)):16s} max |diff| {diff:.3e}")
    cap = config.get("final_logit_softcapping")
    print(f"  logits within +-{cap}: {bool(np.all(np.abs(logits) < cap))}; "
          f"max |logit| {np.max(np.abs(logits)):.3f}")
    print(f"{fixture}: max |diff| {worst:.3e} ({'ok' if worst < TOLERANCE else 'FAIL'}, tolerance {TOLERANCE})")
    return worst < TOLERANCE


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources",
                        "fixtures")
    fixtures = sys.argv[1:] or [os.path.join(root, "gemma2-tiny")]
    ok = all([check(f) for f in fixtures])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
