#!/usr/bin/env python3
"""Tables of docs/reproduction.md's Monet claims (issue 18) from the runs of tools/monet/claims.sh and resect.sh.

    python3 tools/monet/summary.py OUT

Per preset and variant: final validation NLL (mean ± sample sd over seeds), parameters, and the routing metrics
averaged over the last 100 logged steps (training batches). Paired over seeds: Monet-VD vs dense (relative %),
VD vs HD, ambiguity at λ = 1e-3 vs 0, with a two-sided paired t-test. Resection: per label and seed the selectivity
Δtarget/|Δothers| of experts, random experts and dense neurons, and their means over seeds.
"""
import glob
import json
import os
import statistics
import sys

from scipy import stats

out = sys.argv[1]


def runs():
    table = {}
    for d in sorted(glob.glob(os.path.join(out, "pretrain", "*"))):
        if not os.path.isfile(os.path.join(d, "summary.json")):
            continue
        name = os.path.basename(d)  # ARCH-PRESET-auxL-seedS
        arch, rest = name.rsplit("-aux", 1)[0], name.rsplit("-aux", 1)[1]
        arch, preset = arch.rsplit("-", 1)
        aux, seed = rest.split("-seed")
        summary = json.load(open(os.path.join(d, "summary.json")))["summary"]
        log = [json.loads(line) for line in open(os.path.join(d, "log.jsonl"))]
        tail = log[-100:]
        row = {"valid": summary["finalValidLoss"], "params": summary["parameters"], "tokens_per_s": summary["tokensPerS"]}
        for k in ("l_amb", "l_unif", "active_routes", "active_experts"):
            if k in tail[-1]:
                row[k] = statistics.mean(x[k] for x in tail)
        variant = arch if arch == "llama" else f"{arch} λ={aux}"
        table.setdefault(preset, {}).setdefault(variant, {})[int(seed)] = row
    return table


def ms(values):
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values):.4f}" if len(values) > 1 else f"{values[0]:.4f}"


def paired(a, b, what, relative=False):
    seeds = sorted(set(a) & set(b))
    if len(seeds) < 2:
        return f"{what}: fewer than 2 paired seeds"
    x = [a[s] for s in seeds]
    y = [b[s] for s in seeds]
    d = [(p - q) / q * 100 if relative else p - q for p, q in zip(x, y)]
    t = stats.ttest_rel(x, y)
    unit = "%" if relative else ""
    return (f"{what}: per seed {', '.join(f'{v:+.3f}{unit}' for v in d)}; mean {statistics.mean(d):+.3f}{unit}"
            f" (n={len(seeds)}, paired t p={t.pvalue:.3f})")


table = runs()
for preset, variants in table.items():
    print(f"\n## preset {preset}\n")
    print("| variant | seeds | parameters | valid NLL | l_amb | l_unif | active routes (k=4) | active experts/head |")
    print("|---|---|---|---|---|---|---|---|")
    for v, seeds in variants.items():
        rows = list(seeds.values())
        cols = [ms([r[k] for r in rows]) if k in rows[0] else "—" for k in ("valid", "l_amb", "l_unif", "active_routes",
                                                                               "active_experts")]
        print(f"| {v} | {','.join(map(str, sorted(seeds)))} | {rows[0]['params']:,} | " + " | ".join(cols) + " |")
    get = lambda v, k: {s: r[k] for s, r in variants.get(v, {}).items() if k in r}
    print()
    print("- " + paired(get("monet-vd λ=0.001", "valid"), get("llama", "valid"), "VD vs dense, valid NLL", True))
    if "monet-hd λ=0.001" in variants:
        print("- " + paired(get("monet-vd λ=0.001", "valid"), get("monet-hd λ=0.001", "valid"), "VD − HD, valid NLL"))
    if "monet-vd λ=0" in variants:
        print("- " + paired(get("monet-vd λ=0.001", "l_amb"), get("monet-vd λ=0", "l_amb"), "ambiguity λ=1e-3 − λ=0"))
        print("- " + paired(get("monet-vd λ=0.001", "l_unif"), get("monet-vd λ=0", "l_unif"), "L_unif λ=1e-3 − λ=0"))

presets = sorted({os.path.basename(os.path.dirname(f)).split("-")[1]
                  for f in glob.glob(os.path.join(out, "resect", "vd-*", "resect.json"))})
for preset, by in ((p, b) for p in presets for b in ("domain", "dialect")):
    files = sorted(glob.glob(os.path.join(out, "resect", f"vd-{preset}-seed*-{by}", "resect.json")))
    if not files:
        continue
    print(f"\n## preset {preset}: resection by {by} ({len(files)} seeds)\n")
    per = {}
    for f in files:
        for l in json.load(open(f))["labels"]:
            r = per.setdefault(l["label"], {"experts": [], "unit": [], "m": [], "r": [], "d": [], "mt": [], "mo": [],
                                             "rt": [], "dt": [], "do": []})
            r["experts"].append(l["experts"])
            r["unit"].append(l["unitShare"] * 100)
            r["mt"].append(l["monet"]["target"])
            r["mo"].append(l["monet"]["others"])
            r["rt"].append(l["random"]["target"])
            r.setdefault("ro", []).append(l["random"]["others"])
            r["dt"].append(l["dense"]["target"] if l.get("dense") else float("nan"))
            r["do"].append(l["dense"]["others"] if l.get("dense") else float("nan"))
    print("| label | experts | unit share % | Monet Δtarget / Δothers | random Δtarget | dense Δtarget / Δothers |")
    print("|---|---|---|---|---|---|")
    for label, r in per.items():
        m = lambda k: statistics.mean(r[k])
        print(f"| {label} | {m('experts'):.0f} | {m('unit'):.2f} | {m('mt'):+.4f} / {m('mo'):+.4f} | {m('rt'):+.4f} |"
              f" {m('dt'):+.4f} / {m('do'):+.4f} |")
    # Selectivity per label and seed, summarised by its median over labels (a ratio over a near-zero Δothers is
    # unstable), then per seed, compared over seeds with a paired t-test on the log of the medians.
    seeds = len(files)
    medians = {}
    for name, t, o in (("experts", "mt", "mo"), ("random", "rt", "ro"), ("dense", "dt", "do")):
        medians[name] = [statistics.median(r[t][k] / abs(r[o][k]) for r in per.values() if r[o][k] != 0)
                         for k in range(seeds)]
        print(f"- {name}: median over labels of Δtarget/|Δothers|, per seed: "
              + ", ".join(f"{m:.1f}" for m in medians[name]))
    import math
    for other in ("random", "dense"):
        if seeds > 1 and all(m > 0 for m in medians["experts"] + medians[other]):
            t = stats.ttest_rel([math.log(m) for m in medians["experts"]], [math.log(m) for m in medians[other]])
            ratio = math.exp(statistics.mean(math.log(a / b) for a, b in zip(medians["experts"], medians[other])))
            print(f"  experts / {other}: geometric mean ratio {ratio:.1f}x (paired t on logs p={t.pvalue:.3f})")
    tgt = [a - b for r in per.values() for a, b in zip(r["mt"], r["mo"])]
    dns = [a - b for r in per.values() for a, b in zip(r["dt"], r["do"])]
    print(f"- Δtarget − Δothers: experts {statistics.mean(tgt):+.4f}, dense {statistics.mean(dns):+.4f}")

for f in sorted(glob.glob(os.path.join(out, "resect", "vd-*-domain", "resect.json"))):
    tox = json.load(open(f)).get("toxicity") or []
    if tox:
        print(f"\n{os.path.basename(os.path.dirname(f))} toxicity:")
        for t in tox:
            print(f"  threshold {t['threshold']}: masked {t['masked']} ({100 * t['fraction']:.2f}%), non-toxic"
                  f" {t['nonToxicRate']:.3f}, insult rate {t['insultRate']:.3f}, polite NLL {t['politeNll']:.4f}")
