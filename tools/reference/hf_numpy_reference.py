#!/usr/bin/env python3
"""Independent NumPy reference for Hugging Face decoder-only forward passes.

Implements the eager-attention forward pass of transformers' LlamaForCausalLM,
Qwen2ForCausalLM and MistralForCausalLM (as the HF modeling code defines it) in
float64, and uses it to

  1. cross-check itself against the existing `llama-tiny` and
     `llama-tiny-bf16-sharded` fixtures (whose expected outputs came from
     karpathy/llama2.c, an independent implementation), and
  2. write three new fixtures under src/test/resources/fixtures/:
       qwen2-tiny           q/k/v biases, tied embeddings, rope_theta 1e6
       mistral-tiny-window  sliding_window = 5 over 16 tokens
       llama3-rope-tiny     llama3 rope_scaling, explicit head_dim != hidden/heads

Only Python 3 + NumPy are needed; safetensors files are read and written by
hand. Everything is seeded, so re-running reproduces the files byte for byte.

Usage:  python3 tools/reference/hf_numpy_reference.py [--fixtures DIR] [--check-only]

Precision: weights are stored as F32; the forward pass upcasts them to float64,
computes everything in float64, and the stored outputs are rounded to F32.
"""

import argparse
import json
import math
import os
import struct
import sys

import numpy as np

# --------------------------------------------------------------------------
# safetensors I/O (format: u64 LE header length, JSON header, raw LE data)
# --------------------------------------------------------------------------

_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8"),
           "I32": np.dtype("<i4"), "F16": np.dtype("<f2")}


def read_safetensors(path):
    """Returns an ordered dict name -> numpy array (BF16 is widened to float32)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = buf[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[start:end]
        shape = tuple(info["shape"])
        if info["dtype"] == "BF16":
            # bfloat16 is the top 16 bits of an IEEE float32
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32)
            arr = (u16 << 16).view(np.float32).reshape(shape)
        else:
            arr = np.frombuffer(raw, dtype=_DTYPES[info["dtype"]]).reshape(shape)
        out[name] = arr.copy()
    return out


def write_safetensors(path, tensors):
    """tensors: list of (name, array). F32 and I64 only; header padded with spaces to 8."""
    header = {}
    blobs = []
    offset = 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr)
        if arr.dtype == np.float32:
            dt, b = "F32", arr.astype("<f4").tobytes()
        elif arr.dtype == np.int64:
            dt, b = "I64", arr.astype("<i8").tobytes()
        else:
            raise ValueError(f"{name}: unsupported dtype {arr.dtype}")
        header[name] = {"dtype": dt, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt"}
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def load_model_dir(d):
    """config.json + model.safetensors or sharded model-*.safetensors (index.json)."""
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    weights = {}
    index = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    for fn in files:
        weights.update(read_safetensors(os.path.join(d, fn)))
    return config, weights


# --------------------------------------------------------------------------
# Model components (HF semantics)
# --------------------------------------------------------------------------

def head_dim_of(config):
    # HF: head_dim = getattr(config, "head_dim", None) or hidden_size // num_attention_heads
    return config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]


def rms_norm(x, weight, eps):
    # LlamaRMSNorm / Qwen2RMSNorm / MistralRMSNorm:
    #   variance = x.pow(2).mean(-1, keepdim=True); x = x * rsqrt(variance + eps); weight * x
    var = np.mean(x * x, axis=-1, keepdims=True)
    return weight * (x / np.sqrt(var + eps))


def linear(x, weight, bias=None):
    # nn.Linear: weight is [out, in]; y = x @ W^T + b
    y = x @ weight.T
    if bias is not None:
        y = y + bias
    return y


def silu(x):
    return x / (1.0 + np.exp(-x))


def default_inv_freq(config):
    # _compute_default_rope_parameters: 1 / base^(arange(0, dim, 2) / dim)
    # (partial_rotary_factor is 1.0 for these models, so dim = head_dim)
    dim = head_dim_of(config)
    base = float(config.get("rope_theta", 10000.0))
    return 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.float64) / dim))


def llama3_inv_freq(config, verbose=False):
    """_compute_llama3_parameters (attention_factor stays 1.0 for llama3)."""
    rs = config["rope_scaling"]
    inv_freq = default_inv_freq(config)
    factor = float(rs["factor"])
    low_freq_factor = float(rs["low_freq_factor"])
    high_freq_factor = float(rs["high_freq_factor"])
    old_context_len = float(rs["original_max_position_embeddings"])

    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    # wavelen < high_freq_wavelen: keep; wavelen > low_freq_wavelen: divide by factor
    inv_freq_llama = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    # otherwise interpolate with a smooth factor
    smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
    is_medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    inv_freq_llama = np.where(is_medium, smoothed, inv_freq_llama)

    bands = np.where(wavelen < high_freq_wavelen, "high(kept)",
                     np.where(wavelen > low_freq_wavelen, "low(/factor)", "medium(smoothed)"))
    if verbose:
        print(f"  llama3 rope: high_freq_wavelen={high_freq_wavelen} low_freq_wavelen={low_freq_wavelen}")
        for i in range(len(inv_freq)):
            extra = f" smooth={smooth[i]:.4f}" if is_medium[i] else ""
            print(f"    i={i} wavelen={wavelen[i]:10.3f} band={bands[i]:17s} "
                  f"inv_freq {inv_freq[i]:.6e} -> {inv_freq_llama[i]:.6e}{extra}")
    return inv_freq_llama, bands


def rope_inv_freq(config, verbose=False):
    rs = config.get("rope_scaling")
    rope_type = None
    if rs:
        rope_type = rs.get("rope_type", rs.get("type"))
    if rope_type in (None, "default"):
        return default_inv_freq(config)
    if rope_type == "llama3":
        return llama3_inv_freq(config, verbose)[0]
    raise NotImplementedError(f"rope_type {rope_type}")


def rope_cos_sin(inv_freq, positions):
    # LlamaRotaryEmbedding.forward: freqs = pos x inv_freq; emb = cat(freqs, freqs)
    freqs = np.outer(positions.astype(np.float64), inv_freq)        # [T, hd/2]
    emb = np.concatenate([freqs, freqs], axis=-1)                    # [T, hd]
    return np.cos(emb), np.sin(emb)                                   # attention_scaling = 1.0


def rotate_half(x):
    # rotate_half(x) = cat(-x2, x1) with x1, x2 the first and second halves of the last dim
    h = x.shape[-1] // 2
    return np.concatenate([-x[..., h:], x[..., :h]], axis=-1)


def apply_rotary(x, cos, sin):
    # apply_rotary_pos_emb: x * cos + rotate_half(x) * sin; x is [B, heads, T, hd]
    return x * cos + rotate_half(x) * sin


def layer_sliding_window(config, layer_idx):
    """The window a layer's attention uses, or None for full causal attention."""
    mt = config.get("model_type")
    if mt == "qwen2":
        # Qwen2Config: sliding_window = sliding_window if use_sliding_window else None;
        # when set, layers with index >= max_window_layers are "sliding_attention".
        if not config.get("use_sliding_window", False):
            return None
        if config.get("sliding_window") is None:
            return None
        return config["sliding_window"] if layer_idx >= config.get("max_window_layers", 0) else None
    if mt == "mistral":
        return config.get("sliding_window")    # every layer, when not null
    return None                               # llama: full causal attention


def attention_mask(T, sliding_window):
    """Boolean [T, T], True where query i may attend key j.

    masking_utils: causal_mask_function = kv_idx <= q_idx;
    sliding_window_overlay(W) = kv_idx > q_idx - W (so W keys including the current one).
    """
    q = np.arange(T)[:, None]
    k = np.arange(T)[None, :]
    allowed = k <= q
    if sliding_window is not None:
        allowed &= k > q - sliding_window
    return allowed


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def self_attention(x, W, prefix, config, cos, sin, sliding_window):
    """LlamaAttention / Qwen2Attention / MistralAttention with eager_attention_forward."""
    B, T, _ = x.shape
    H = config["num_attention_heads"]
    KVH = config.get("num_key_value_heads") or H
    hd = head_dim_of(config)

    def proj(name):
        return linear(x, W[f"{prefix}.{name}.weight"], W.get(f"{prefix}.{name}.bias"))

    # view(B, T, -1, hd).transpose(1, 2) -> [B, heads, T, hd]
    q = proj("q_proj").reshape(B, T, H, hd).transpose(0, 2, 1, 3)
    k = proj("k_proj").reshape(B, T, KVH, hd).transpose(0, 2, 1, 3)
    v = proj("v_proj").reshape(B, T, KVH, hd).transpose(0, 2, 1, 3)
    q = apply_rotary(q, cos, sin)
    k = apply_rotary(k, cos, sin)

    # repeat_kv: kv head for query head h is h // (H // KVH)
    n_rep = H // KVH
    k = np.repeat(k, n_rep, axis=1)
    v = np.repeat(v, n_rep, axis=1)

    scores = (q @ k.transpose(0, 1, 3, 2)) * (hd ** -0.5)          # [B, H, T, T]
    allowed = attention_mask(T, sliding_window)
    scores = np.where(allowed, scores, -np.inf)                     # HF adds finfo.min; same result
    probs = softmax(scores, axis=-1)
    out = probs @ v                                                  # [B, H, T, hd]
    out = out.transpose(0, 2, 1, 3).reshape(B, T, H * hd)
    return linear(out, W[f"{prefix}.o_proj.weight"], W.get(f"{prefix}.o_proj.bias"))


def mlp(x, W, prefix, hooks=None, hook_prefix=None):
    # LlamaMLP: down_proj(act_fn(gate_proj(x)) * up_proj(x)), act_fn = silu
    gate = linear(x, W[f"{prefix}.gate_proj.weight"], W.get(f"{prefix}.gate_proj.bias"))
    up = linear(x, W[f"{prefix}.up_proj.weight"], W.get(f"{prefix}.up_proj.bias"))
    post = silu(gate) * up
    if hooks is not None:
        hooks[f"{hook_prefix}.hook_pre_linear"] = up     # TransformerLens: W_in (up) output
        hooks[f"{hook_prefix}.hook_post"] = post         # what enters down_proj
    return linear(post, W[f"{prefix}.down_proj.weight"], W.get(f"{prefix}.down_proj.bias"))


def forward(config, weights, input_ids, dtype=np.float64, window_override="config"):
    """Full causal-LM forward pass. Returns (logits, hooks) as `dtype` arrays.

    input_ids: int [B, T]; positions are 0..T-1 (no padding).
    window_override: "config" to take the window from config, else the window to use (None = full).
    """
    if config.get("hidden_act", "silu") != "silu":
        raise NotImplementedError(config["hidden_act"])
    T = input_ids.shape[1]

    cos, sin = rope_cos_sin(rope_inv_freq(config), np.arange(T))
    return _forward_with_rope(config, weights, input_ids, cos, sin, dtype, window_override)


def _forward_with_rope(config, weights, input_ids, cos, sin, dtype=np.float64, window_override="config"):
    W = {k: v.astype(dtype) for k, v in weights.items()}
    eps = float(config["rms_norm_eps"])
    L = config["num_hidden_layers"]
    cos, sin = cos.astype(dtype), sin.astype(dtype)

    h = W["model.embed_tokens.weight"][input_ids]                   # [B, T, D]
    hooks = {}
    for l in range(L):
        p = f"model.layers.{l}"
        window = layer_sliding_window(config, l) if window_override == "config" else window_override
        # decoder layer: pre-norm attention + residual, pre-norm MLP + residual
        a = self_attention(rms_norm(h, W[f"{p}.input_layernorm.weight"], eps),
                           W, f"{p}.self_attn", config, cos, sin, window)
        h = h + a
        m = mlp(rms_norm(h, W[f"{p}.post_attention_layernorm.weight"], eps), W, f"{p}.mlp",
                hooks if l == L - 1 else None, f"blocks.{l}.mlp")
        h = h + m
        if l == 0:
            hooks["blocks.0.hook_resid_post"] = h
    h = rms_norm(h, W["model.norm.weight"], eps)
    # tie_word_embeddings: lm_head.weight is embed_tokens.weight (and is absent from the file).
    # A config without the key is treated as untied here; every fixture states it explicitly.
    if config.get("tie_word_embeddings", False):
        lm_head = W["model.embed_tokens.weight"]                    # logits = h @ E^T
    else:
        lm_head = W["lm_head.weight"]
    logits = linear(h, lm_head)
    return logits, hooks


# --------------------------------------------------------------------------
# Fixture generation
# --------------------------------------------------------------------------

def make_weights(config, rng, qkv_bias=False):
    """Random HF-layout weights: matrices N(0, 0.05), norm weights 1 + N(0, 0.1), biases N(0, 0.1)."""
    D = config["hidden_size"]
    I = config["intermediate_size"]
    V = config["vocab_size"]
    H = config["num_attention_heads"]
    KVH = config["num_key_value_heads"]
    hd = head_dim_of(config)

    def mat(*shape):
        return rng.normal(0.0, 0.05, size=shape).astype(np.float32)

    def norm_w(n):
        return (1.0 + rng.normal(0.0, 0.1, size=n)).astype(np.float32)

    def bias(n):
        return rng.normal(0.0, 0.1, size=n).astype(np.float32)

    t = [("model.embed_tokens.weight", mat(V, D)), ("model.norm.weight", norm_w(D))]
    if not config["tie_word_embeddings"]:
        t.append(("lm_head.weight", mat(V, D)))
    for l in range(config["num_hidden_layers"]):
        p = f"model.layers.{l}"
        t.append((f"{p}.self_attn.q_proj.weight", mat(H * hd, D)))
        if qkv_bias:
            t.append((f"{p}.self_attn.q_proj.bias", bias(H * hd)))
        t.append((f"{p}.self_attn.k_proj.weight", mat(KVH * hd, D)))
        if qkv_bias:
            t.append((f"{p}.self_attn.k_proj.bias", bias(KVH * hd)))
        t.append((f"{p}.self_attn.v_proj.weight", mat(KVH * hd, D)))
        if qkv_bias:
            t.append((f"{p}.self_attn.v_proj.bias", bias(KVH * hd)))
        t.append((f"{p}.self_attn.o_proj.weight", mat(D, H * hd)))
        t.append((f"{p}.mlp.gate_proj.weight", mat(I, D)))
        t.append((f"{p}.mlp.down_proj.weight", mat(D, I)))
        t.append((f"{p}.mlp.up_proj.weight", mat(I, D)))
        t.append((f"{p}.input_layernorm.weight", norm_w(D)))
        t.append((f"{p}.post_attention_layernorm.weight", norm_w(D)))
    return t


QWEN2_CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 64,
    "intermediate_size": 160,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "rms_norm_eps": 1e-06,
    "rope_theta": 1000000.0,
    "rope_scaling": None,
    "max_position_embeddings": 128,
    "use_sliding_window": False,
    "sliding_window": 128,      # inert: use_sliding_window is false (and 128 > seq length anyway)
    "max_window_layers": 2,
    "tie_word_embeddings": True,
    "hidden_act": "silu",
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

MISTRAL_CONFIG = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "rms_norm_eps": 1e-05,
    "rope_theta": 10000.0,
    "max_position_embeddings": 128,
    "sliding_window": 5,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
    "attention_dropout": 0.0,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

LLAMA3_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 48,
    "intermediate_size": 96,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "vocab_size": 256,
    "rms_norm_eps": 1e-05,
    "rope_theta": 10000.0,
    # original_max_position_embeddings is 32, not 16: with head_dim 16 and theta 1e4 the
    # shortest wavelength is 2*pi = 6.28, so 16/high_freq_factor = 4 would leave the
    # high-frequency band empty. With 32: high < 8 <= medium <= 32 < low, one band each at least.
    "rope_scaling": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 32,
    },
    "max_position_embeddings": 256,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

FIXTURES = [
    # name, config, seed, batch, seq, qkv_bias
    ("qwen2-tiny", QWEN2_CONFIG, 20240601, 2, 16, True),
    ("mistral-tiny-window", MISTRAL_CONFIG, 20240602, 2, 16, False),
    ("llama3-rope-tiny", LLAMA3_CONFIG, 20240603, 2, 24, False),
]


def expected_tensors(config, weights, input_ids):
    logits, hooks = forward(config, weights, input_ids)
    last = config["num_hidden_layers"] - 1
    f32 = lambda a: a.astype(np.float32)
    return [
        ("input_ids", input_ids.astype(np.int64)),
        ("logits", f32(logits)),
        ("blocks.0.hook_resid_post", f32(hooks["blocks.0.hook_resid_post"])),
        (f"blocks.{last}.mlp.hook_pre_linear", f32(hooks[f"blocks.{last}.mlp.hook_pre_linear"])),
        (f"blocks.{last}.mlp.hook_post", f32(hooks[f"blocks.{last}.mlp.hook_post"])),
    ]


def write_fixture(root, name, config, seed, batch, seq, qkv_bias):
    rng = np.random.default_rng(seed)
    wlist = make_weights(config, rng, qkv_bias)
    input_ids = rng.integers(0, config["vocab_size"], size=(batch, seq), dtype=np.int64)
    weights = dict(wlist)
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"), wlist)
    write_safetensors(os.path.join(d, "expected.safetensors"),
                      expected_tensors(config, weights, input_ids))
    return weights, input_ids


# --------------------------------------------------------------------------
# Self-checks
# --------------------------------------------------------------------------

def check_existing(root, name):
    """Recompute an existing fixture's outputs and compare with its expected.safetensors."""
    d = os.path.join(root, name)
    config, weights = load_model_dir(d)
    exp = read_safetensors(os.path.join(d, "expected.safetensors"))
    logits, hooks = forward(config, weights, exp["input_ids"])
    res = {"logits": float(np.max(np.abs(logits - exp["logits"])))}
    for k, v in hooks.items():
        if k in exp:
            res[k] = float(np.max(np.abs(v - exp[k])))
    print(f"[check] {name}: max |ours - expected| = " +
          ", ".join(f"{k} {v:.2e}" for k, v in res.items()))
    return res


def check_reread(root, name, config, weights, input_ids):
    """Files written can be read back, and recomputing from them reproduces the stored outputs."""
    d = os.path.join(root, name)
    cfg2, w2 = load_model_dir(d)
    assert cfg2 == config
    assert set(w2) == set(weights) and all(np.array_equal(w2[k], weights[k]) for k in w2)
    exp = read_safetensors(os.path.join(d, "expected.safetensors"))
    assert np.array_equal(exp["input_ids"], input_ids)
    logits64, _ = forward(cfg2, w2, exp["input_ids"], dtype=np.float64)
    logits32, _ = forward(cfg2, w2, exp["input_ids"], dtype=np.float32)
    print(f"[check] {name}: files re-read OK; logits |max|={np.max(np.abs(exp['logits'])):.3f} "
          f"std={np.std(exp['logits']):.3f}; stored vs f64 recompute "
          f"{np.max(np.abs(logits64 - exp['logits'])):.1e}; pure-F32 forward differs by "
          f"{np.max(np.abs(logits32 - exp['logits'])):.1e}")


def check_qwen2(config, weights, input_ids):
    base, _ = forward(config, weights, input_ids)
    nob = {k: v for k, v in weights.items() if not k.endswith(".bias")}
    nobias, _ = forward(config, nob, input_ids)
    print(f"[check] qwen2-tiny: dropping q/k/v biases changes logits by up to "
          f"{np.max(np.abs(base - nobias)):.3e} (biases matter)")
    win, _ = forward(config, weights, input_ids, window_override=4)
    print(f"[check] qwen2-tiny: a (wrongly applied) window of 4 would change logits by up to "
          f"{np.max(np.abs(base - win)):.3e}; use_sliding_window=false -> full causal attention")


def check_mistral(config, weights, input_ids):
    W = config["sliding_window"]
    L = config["num_hidden_layers"]
    ids2 = input_ids.copy()
    ids2[:, 0] = (ids2[:, 0] + 1) % config["vocab_size"]
    a, _ = forward(config, weights, input_ids)
    b, _ = forward(config, weights, ids2)
    diff = np.max(np.abs(a - b), axis=(0, 2))          # per position
    reach = L * (W - 1)                                  # last position token 0 can influence
    print(f"[check] mistral-tiny-window: changing token 0 -> per-position max |dlogits|:")
    print("    " + " ".join(f"{p}:{d:.1e}" for p, d in enumerate(diff)))
    print(f"    position 3 changes: {diff[3] > 0}; positions >= {reach + 1} unchanged: "
          f"{bool(np.all(diff[reach + 1:] == 0))}; position {reach} changes: {diff[reach] > 0}")
    assert diff[3] > 0 and np.all(diff[reach + 1:] == 0) and diff[reach] > 0
    full_a, _ = forward(config, weights, input_ids, window_override=None)
    full_b, _ = forward(config, weights, ids2, window_override=None)
    print(f"    without the window, position {L * (W - 1) + 1}.. would change by up to "
          f"{np.max(np.abs(full_a - full_b)[:, reach + 1:]):.1e}; window vs full attention "
          f"logits differ by up to {np.max(np.abs(a - full_a)):.2e}")
    for w_off in (W - 1, W + 1):   # an off-by-one window (e.g. j >= i - W) must be detectable
        o, _ = forward(config, weights, input_ids, window_override=w_off)
        print(f"    an off-by-one window of {w_off} would change logits by up to {np.max(np.abs(a - o)):.2e}")


def check_llama3(config, weights, input_ids):
    _, bands = llama3_inv_freq(config, verbose=True)
    for band in ("high(kept)", "medium(smoothed)", "low(/factor)"):
        assert np.any(bands == band), f"no frequency in band {band}"
    base, _ = forward(config, weights, input_ids)
    plain = dict(config, rope_scaling=None)
    noscale, _ = forward(plain, weights, input_ids)
    print(f"[check] llama3-rope-tiny: without rope_scaling logits would differ by up to "
          f"{np.max(np.abs(base - noscale)):.3e}")
    # Treating the medium band as high (kept) or low (/factor) must also be detectable.
    scaled, _ = llama3_inv_freq(config)
    plain_inv = default_inv_freq(config)
    medium = bands == "medium(smoothed)"
    for label, alt in (("kept", plain_inv), ("/factor", plain_inv / config["rope_scaling"]["factor"])):
        inv = np.where(medium, alt, scaled)
        cos, sin = rope_cos_sin(inv, np.arange(input_ids.shape[1]))
        logits, _ = _forward_with_rope(config, weights, input_ids, cos, sin)
        print(f"    medium band {label} instead of smoothed would change logits by up to "
              f"{np.max(np.abs(base - logits)):.3e}")
    print(f"[check] llama3-rope-tiny: q_proj {weights['model.layers.0.self_attn.q_proj.weight'].shape}, "
          f"o_proj {weights['model.layers.0.self_attn.o_proj.weight'].shape} (head_dim 16, hidden 48)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_root = os.path.normpath(os.path.join(here, "..", "..", "src", "test", "resources", "fixtures"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", default=default_root, help="fixtures folder")
    ap.add_argument("--check-only", action="store_true", help="only cross-check existing fixtures")
    args = ap.parse_args()

    ok = True
    for name in ("llama-tiny", "llama-tiny-bf16-sharded"):
        if os.path.isdir(os.path.join(args.fixtures, name)):
            res = check_existing(args.fixtures, name)
            ok &= res["logits"] < 1e-4
    if args.check_only:
        return 0 if ok else 1

    for name, config, seed, batch, seq, qkv_bias in FIXTURES:
        print(f"== writing {name} (seed {seed}, batch {batch}, seq {seq})")
        weights, ids = write_fixture(args.fixtures, name, config, seed, batch, seq, qkv_bias)
        check_reread(args.fixtures, name, config, weights, ids)
        if name == "qwen2-tiny":
            check_qwen2(config, weights, ids)
        elif name == "mistral-tiny-window":
            check_mistral(config, weights, ids)
        elif name == "llama3-rope-tiny":
            check_llama3(config, weights, ids)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
