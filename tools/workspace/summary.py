#!/usr/bin/env python3
"""Issue 22's report: tables (mean ± sd over seeds) and report.html with SVG charts.

Reads what train_factorgraph.sh, eval_factorgraph.sh and conceptworld_slots.sh wrote under EXP_DIR:
  runs/ARCH-sSEED/log.jsonl       learning curves (pretrain's valid loss, all tokens of a line)
  eval/ARCH-sSEED.{valid,ood}.json factorgraph eval --blanket (FactorGraphEval.Result)
  fg/stats.json                   the exact Bayes NLL per split
  cwruns/ARCH-sSEED.measure/metrics.json  measure on ConceptWorld (claim 3)
Usage: summary.py EXP_DIR  → EXP_DIR/report.html, and the Markdown tables on stdout.

Verdict thresholds are the fact sheet's (/work/shared/papers/workspace.md §5): HSW's OOD excess ≤ 0.8 × TR's,
its in-distribution excess within 10% of TR's, its write F1 above TR's and STR's attention F1. A criterion is
judged on the means over seeds; the per-seed count says how many seeds meet it on their own (our choice).
"""
import glob
import html
import json
import math
import os
import re
import statistics
import sys

ARCHS = ["llama", "str", "workspace-soft", "workspace-hard"]
LABELS = {"llama": "TR (llama)", "str": "STR", "workspace-soft": "SSW", "workspace-hard": "HSW"}
COLORS = {"llama": "#1f77b4", "str": "#ff7f0e", "workspace-soft": "#2ca02c", "workspace-hard": "#d62728"}


def mean_sd(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, None, 0
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0), len(xs)


def fmt(xs, digits=3):
    m, s, n = mean_sd(xs)
    if m is None:
        return "–"
    return f"{m:.{digits}f} ± {s:.{digits}f}" if n > 1 else f"{m:.{digits}f} (1 seed)"


def seeds_of(exp, arch, folder="runs"):
    out = []
    for d in glob.glob(os.path.join(exp, folder, f"{arch}-s*")):
        m = re.fullmatch(rf"{re.escape(arch)}-s(\d+)", os.path.basename(d))
        if m:
            out.append(int(m.group(1)))
    return sorted(out)


def load_evals(exp):
    ev = {}
    for arch in ARCHS:
        for seed in seeds_of(exp, arch):
            for split in ("valid", "ood"):
                p = os.path.join(exp, "eval", f"{arch}-s{seed}.{split}.json")
                if os.path.exists(p):
                    ev[(arch, seed, split)] = json.load(open(p))
    return ev


def curve(exp, arch, seed):
    pts = []
    for line in open(os.path.join(exp, "runs", f"{arch}-s{seed}", "log.jsonl")):
        r = json.loads(line)
        if r.get("valid_loss") is not None:
            pts.append((r["step"], r["valid_loss"]))
    return pts


# ---------- SVG ----------
W, H, L, R, T, B = 560, 300, 60, 150, 20, 40


def svg_lines(series, ref=None, ylabel=""):
    """series: list of (label, color, [(x, y)...]); ref: (label, y) drawn dashed."""
    xs = [x for _, _, p in series for x, _ in p]
    ys = [y for _, _, p in series for _, y in p] + ([ref[1]] if ref else [])
    if not xs:
        return "<p>(no data)</p>"
    x0, x1 = 0, max(xs)
    y0, y1 = min(ys) * 0.95, max(ys) * 1.02
    sx = lambda x: L + (x - x0) / (x1 - x0 or 1) * (W - L - R)
    sy = lambda y: T + (y1 - y) / (y1 - y0 or 1) * (H - T - B)
    out = [f'<svg width="{W}" height="{H}" xmlns="http://www.w3.org/2000/svg" font-size="11">']
    out.append(f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/><line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>')
    for i in range(5):
        y = y0 + (y1 - y0) * i / 4
        out.append(f'<text x="{L-4}" y="{sy(y)+4:.1f}" text-anchor="end">{y:.2f}</text>')
    for i in range(5):
        x = x0 + (x1 - x0) * i / 4
        out.append(f'<text x="{sx(x):.1f}" y="{H-B+14}" text-anchor="middle">{x:.0f}</text>')
    out.append(f'<text x="{(L+W-R)/2}" y="{H-5}" text-anchor="middle">step</text>')
    out.append(f'<text x="12" y="{T+(H-T-B)/2}" transform="rotate(-90 12 {T+(H-T-B)/2})" text-anchor="middle">{html.escape(ylabel)}</text>')
    for i, (label, color, pts) in enumerate(series):
        d = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{d}"/>')
        out.append(f'<text x="{W-R+6}" y="{T+14*i+10}" fill="{color}">{html.escape(label)}</text>')
    if ref:
        out.append(f'<line x1="{L}" y1="{sy(ref[1]):.1f}" x2="{W-R}" y2="{sy(ref[1]):.1f}" stroke="gray" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{W-R+6}" y="{sy(ref[1])+4:.1f}" fill="gray">{html.escape(ref[0])}</text>')
    out.append("</svg>")
    return "\n".join(out)


def svg_bars(groups, ylabel="", ref=None):
    """groups: list of (group label, [(bar label, color, [values per seed])]); bars show mean, whiskers ± sd."""
    vals = [v for _, bars in groups for _, _, vs in bars for v in vs if v is not None]
    if not vals:
        return "<p>(no data)</p>"
    top = max(max(vals), ref[1] if ref else 0) * 1.15
    bottom = min(0, min(vals) * 1.15)
    nb = sum(len(b) for _, b in groups) + len(groups)
    bw = (W - L - R) / nb
    sy = lambda y: T + (top - y) / (top - bottom) * (H - T - B)
    out = [f'<svg width="{W}" height="{H}" xmlns="http://www.w3.org/2000/svg" font-size="11">']
    out.append(f'<line x1="{L}" y1="{sy(0):.1f}" x2="{W-R}" y2="{sy(0):.1f}" stroke="black"/><line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>')
    for i in range(5):
        y = bottom + (top - bottom) * i / 4
        out.append(f'<text x="{L-4}" y="{sy(y)+4:.1f}" text-anchor="end">{y:.2f}</text>')
    out.append(f'<text x="12" y="{T+(H-T-B)/2}" transform="rotate(-90 12 {T+(H-T-B)/2})" text-anchor="middle">{html.escape(ylabel)}</text>')
    x = L + bw / 2
    legend = {}
    for glabel, bars in groups:
        gx = x
        for label, color, vs in bars:
            m, s, n = mean_sd(vs)
            legend[label] = color
            if m is not None:
                out.append(f'<rect x="{x:.1f}" y="{min(sy(m), sy(0)):.1f}" width="{bw*0.9:.1f}" height="{abs(sy(0)-sy(m)):.1f}" fill="{color}"/>')
                cx = x + bw * 0.45
                out.append(f'<line x1="{cx:.1f}" y1="{sy(m-s):.1f}" x2="{cx:.1f}" y2="{sy(m+s):.1f}" stroke="black"/>')
                for v in vs:
                    out.append(f'<circle cx="{cx:.1f}" cy="{sy(v):.1f}" r="1.8" fill="black"/>')
            x += bw
        out.append(f'<text x="{(gx+x)/2:.1f}" y="{H-B+14}" text-anchor="middle">{html.escape(glabel)}</text>')
        x += bw
    for i, (label, color) in enumerate(legend.items()):
        out.append(f'<text x="{W-R+6}" y="{T+14*i+10}" fill="{color}">{html.escape(label)}</text>')
    if ref:
        out.append(f'<line x1="{L}" y1="{sy(ref[1]):.1f}" x2="{W-R}" y2="{sy(ref[1]):.1f}" stroke="gray" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{W-R+6}" y="{sy(ref[1])+4:.1f}" fill="gray">{html.escape(ref[0])}</text>')
    out.append("</svg>")
    return "\n".join(out)


# ---------- tables ----------
def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def md_to_html(md):
    rows = [l for l in md.splitlines() if l.startswith("|") and not l.startswith("|---")]
    cells = [[c.strip() for c in r.strip("|").split("|")] for r in rows]
    h = "<table border=1 cellpadding=3 style='border-collapse:collapse'><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells[0]) + "</tr>"
    for r in cells[1:]:
        h += "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
    return h + "</table>"


def main(exp):
    ev = load_evals(exp)
    stats = json.load(open(os.path.join(exp, "fg", "stats.json")))
    seeds = {a: [s for s in seeds_of(exp, a) if (a, s, "ood") in ev] for a in ARCHS}

    def vals(arch, split, group, key):
        return [(ev[(arch, s, split)][group] or {}).get(key) for s in seeds[arch]]

    sections = []
    # Claim 1: excess per split and group.
    rows = []
    for a in ARCHS:
        rows.append([LABELS[a], str(len(seeds[a]))] + [fmt(vals(a, sp, g, "klFromBayes" if k == "KL" else "excess"))
                    for sp, g, k in [("valid", "all", "x"), ("valid", "nonRoots", "x"), ("valid", "roots", "x"),
                                     ("ood", "all", "x"), ("ood", "nonRoots", "x"), ("ood", "roots", "x"),
                                     ("valid", "nonRoots", "KL"), ("ood", "nonRoots", "KL")]])
    t1 = md_table(["arch", "seeds", "valid excess all", "valid non-roots", "valid roots", "ood excess all", "ood non-roots",
                   "ood roots", "valid KL non-roots", "ood KL non-roots"], rows)
    sections.append(("Excess NLL over the exact Bayes conditional (nats, mean ± sd over seeds)", t1))

    def ratio_verdict(num_arch, den_arch, split, group, bound, key="excess"):
        num, den = vals(num_arch, split, group, key), vals(den_arch, split, group, key)
        if not num or not den or None in num or None in den:
            return "not measured"
        r = statistics.mean(num) / statistics.mean(den)
        paired = [n / d for s, n, d in zip(seeds[num_arch], num, den) if s in seeds[den_arch]]
        per_seed = sum(1 for p in paired if p <= bound)
        return f"ratio of means {r:.3f} (bound ≤ {bound}); seeds meeting it alone: {per_seed}/{len(paired)} → " + \
            ("supported" if r <= bound else "not supported")

    verdicts = [
        "Claim 1a (OOD, non-roots): HSW excess ≤ 0.8 × TR's: " + ratio_verdict("workspace-hard", "llama", "ood", "nonRoots", 0.8),
        "Claim 1b (in distribution, all lines): HSW excess ≤ 1.1 × TR's: " + ratio_verdict("workspace-hard", "llama", "valid", "all", 1.1),
    ]
    # Claim 2: blanket F1 (valid split), best layer and mean over layers.
    rows = []
    for a in ARCHS:
        bl = [ev[(a, s, "valid")]["blanket"] for s in seeds[a]]
        rows.append([LABELS[a], bl[0]["selection"] if bl else "–", fmt([b["meanF1"] for b in bl]), fmt([b["bestF1"] for b in bl]),
                     ", ".join(str(b["bestLayer"]) for b in bl), fmt([b["chanceF1"] for b in bl])])
    t2 = md_table(["arch", "selection", "F1 mean over layers", "F1 best layer", "best layer per seed", "chance F1"], rows)
    sections.append(("Markov-blanket F1 at the query, valid split (top-|MB| observations; mean ± sd over seeds)", t2))

    def blanket(a, key):
        return [ev[(a, s, "valid")]["blanket"][key] for s in seeds[a]]

    if seeds["workspace-hard"] and seeds["llama"] and seeds["str"]:
        for key in ("meanF1", "bestF1"):
            h, tr, st = (statistics.mean(blanket(a, key)) for a in ("workspace-hard", "llama", "str"))
            verdicts.append(f"Claim 2 ({key}): HSW {h:.3f} vs TR {tr:.3f}, STR {st:.3f} → "
                            + ("supported" if h > tr and h > st else "not supported"))

    # Claim 3: measure on ConceptWorld.
    rows3 = []
    c3 = {}
    for a, hook in (("llama", "hook_resid_post"), ("workspace-hard", "workspace.hook_slots")):
        per_seed = []
        for s in seeds_of(exp, a, "cwruns"):
            p = os.path.join(exp, "cwruns", f"{a}-s{s}.measure", "metrics.json")
            if not os.path.exists(p):
                continue
            hooks = json.load(open(p))["models"][0]["hooks"]
            per_seed.append({
                "FD": statistics.mean(h["featureDecorrelation"] for h in hooks),
                "mean abs corr": statistics.mean(h["neuronCorrelation"]["meanAbsCorrelation"] for h in hooks),
                "Hoyer": statistics.mean(h["hoyer"] for h in hooks),
                "eff. rank": statistics.mean(h["effectiveRank"] for h in hooks),
                "monosemantic fraction": statistics.mean(h["tokenSelectivity"]["monosemanticFraction"] for h in hooks),
                "polysemantic fraction": statistics.mean(h["tokenSelectivity"]["polysemanticFraction"] for h in hooks),
            })
        c3[a] = per_seed
        keys = ["FD", "mean abs corr", "Hoyer", "eff. rank", "monosemantic fraction", "polysemantic fraction"]
        rows3.append([LABELS[a] + " " + hook, str(len(per_seed))] + [fmt([r[k] for r in per_seed]) for k in keys])
    t3 = md_table(["model, hook (mean over layers)", "seeds", "FD", "mean abs corr", "Hoyer", "eff. rank",
                   "monosemantic fraction (AUROC ≥ 0.9)", "polysemantic fraction"], rows3)
    sections.append(("ConceptWorld: slots vs residual stream (measure, mean over layers; mean ± sd over seeds)", t3))

    # Charts.
    floor = stats["valid"]["bayesNll"]
    series = []
    for a in ARCHS:
        cs = [curve(exp, a, s) for s in seeds_of(exp, a) if os.path.exists(os.path.join(exp, "runs", f"{a}-s{s}", "log.jsonl"))]
        if cs:
            steps = sorted(set.intersection(*[set(x for x, _ in c) for c in cs]))
            series.append((LABELS[a] + f" ({len(cs)} seeds)", COLORS[a],
                           [(x, statistics.mean(dict(c)[x] for c in cs)) for x in steps]))
    charts = [("Learning curves: pretrain's valid loss (mean over seeds; all tokens of a line, not only the answer)",
               svg_lines(series, ("Bayes NLL, answer token only", floor) if floor else None, "valid loss (nats/token)"))]
    charts.append(("Excess NLL over Bayes at the answer (bars: mean, whiskers: ± sd, dots: seeds)", svg_bars(
        [(f"{sp} {g}", [(LABELS[a], COLORS[a], vals(a, sp, g, "excess")) for a in ARCHS])
         for sp, g in [("valid", "nonRoots"), ("ood", "nonRoots"), ("valid", "all")]], "excess (nats)")))
    gaps = [(LABELS[a], COLORS[a], [o - v for o, v in zip(vals(a, "ood", "nonRoots", "excess"), vals(a, "valid", "nonRoots", "excess"))])
            for a in ARCHS]
    charts.append(("OOD gap on non-roots: ood excess − valid excess", svg_bars([("non-roots", gaps)], "gap (nats)")))
    chance = [b for a in ARCHS for b in blanket(a, "chanceF1")]
    charts.append(("Markov-blanket F1 at the query (valid)", svg_bars(
        [(k, [(LABELS[a], COLORS[a], blanket(a, key)) for a in ARCHS]) for k, key in [("mean over layers", "meanF1"), ("best layer", "bestF1")]],
        "F1", ("chance", statistics.mean(chance)) if chance else None)))
    charts.append(("ConceptWorld selectivity: slots (HSW) vs residual stream (TR)", svg_bars(
        [(k, [(LABELS[a], COLORS[a], [r[k] for r in c3.get(a, [])]) for a in ("llama", "workspace-hard")])
         for k in ("monosemantic fraction", "polysemantic fraction", "FD")], "")))

    md = "\n\n".join(f"### {t}\n\n{tab}" for t, tab in sections) + "\n\n" + "\n".join(f"- {v}" for v in verdicts)
    print(md)
    body = "".join(f"<h2>{html.escape(t)}</h2>{md_to_html(tab)}" for t, tab in sections)
    body += "<h2>Verdicts</h2><ul>" + "".join(f"<li>{html.escape(v)}</li>" for v in verdicts) + "</ul>"
    body += "".join(f"<h2>{html.escape(t)}</h2>{svg}" for t, svg in charts)
    with open(os.path.join(exp, "report.html"), "w") as f:
        f.write("<!doctype html><meta charset=utf-8><title>Issue 22: shared workspace</title><body style='font-family:sans-serif'>"
                "<h1>Issue 22: shared workspace on factor-graph data</h1>" + body + "</body>")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: summary.py EXP_DIR")
    main(sys.argv[1])
