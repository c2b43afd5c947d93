#!/usr/bin/env python3
"""Issue 21's claims from tools/lcm/run.sh's eval folders: mean ± sd over training seeds per model × encoder and
metric (sd: sample standard deviation, n − 1; the baselines are deterministic, one run), then a verdict per claim.
Usage: tools/lcm/summary.py OUT  (writes OUT/summary.md and prints it)."""
import json
import pathlib
import statistics
import sys

ENCODERS = ["minilm", "bge-small"]
MODELS = ["base-lcm", "two-tower"]
BASELINES = ["copy-last", "mean", "nearest-context"]
# The fact sheet's reading of "regresses to the mean" and "close to the data's" (lcm.md §7).
BASE_SPREAD_BELOW = 0.7
TWO_TOWER_SPREAD = (0.8, 1.2)
METRICS = ["l2", "contrastive", "recall1", "recall5", "l2Retrieved", "paraphrase", "spread", "domain", "sentiment"]


def scores(path):
    """The models of one eval.json, by name, with the label agreements flattened into the metrics."""
    out = {}
    for m in json.loads(path.read_text())["models"]:
        row = {k: m[k] for k in METRICS if k in m}
        row.update(m.get("agreement", {}))
        out[m["model"]] = row
    return out


def collect(root):
    """{encoder: {model: [per-seed metric dicts]}}; encoders or models without runs are left out."""
    table = {}
    for enc in ENCODERS:
        base = root / f"eval-{enc}-baselines" / "eval.json"
        if not base.exists():
            continue
        rows = {name: [s] for name, s in scores(base).items()}
        for model in MODELS:
            runs = sorted(root.glob(f"eval-{enc}-{model}-s*/eval.json"))
            if runs:
                rows[model] = [scores(p)[model] for p in runs]
        table[enc] = rows
    return table


def mean_sd(values):
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else float("nan"))


def fmt(values):
    mu, sd = mean_sd(values)
    return f"{mu:.3f}" if len(values) == 1 else f"{mu:.3f} ± {sd:.3f}"


def verdicts(rows):
    """One line per claim (a) and (b) for one encoder; None where a model has no runs."""
    if not all(m in rows for m in MODELS):
        return ["(a), (b): not measured (a model has no runs)"]
    mean = {name: {k: statistics.mean(r[k] for r in runs) for k in runs[0]} for name, runs in rows.items()}
    lines = []
    best_ca = max(mean[b]["contrastive"] for b in BASELINES)
    best_r5 = max(mean[b]["recall5"] for b in BASELINES)
    for model in MODELS:
        beats_ca = all(r["contrastive"] > best_ca for r in rows[model])
        beats_r5 = all(r["recall5"] > best_r5 for r in rows[model])
        lines.append(f"(a) {model} beats the best baseline on CA ({best_ca:.3f}) in every seed: {beats_ca}; "
                     f"on R@5 ({best_r5:.3f}): {beats_r5}")
    l2_lowest = min(mean, key=lambda n: mean[n]["l2"])
    lines.append(f"(b) lowest mean l2: {l2_lowest} (Base-LCM claimed)")
    # thresholds of /work/shared/papers/lcm.md §7 "Outcomes that would mirror the paper"
    base_spread, tt_spread = mean["base-lcm"]["spread"], mean["two-tower"]["spread"]
    lines.append(f"(b) spread base-lcm {base_spread:.3f} < {BASE_SPREAD_BELOW}: {base_spread < BASE_SPREAD_BELOW}; "
                 f"two-tower {tt_spread:.3f} in {TWO_TOWER_SPREAD}: "
                 f"{TWO_TOWER_SPREAD[0] <= tt_spread <= TWO_TOWER_SPREAD[1]} (data = 1)")
    for label in ("domain", "sentiment"):
        if label in mean["base-lcm"]:
            lines.append(f"(b) {label} agreement two-tower {mean['two-tower'][label]:.3f} vs base-lcm "
                         f"{mean['base-lcm'][label]:.3f}: two-tower higher in mean: "
                         f"{mean['two-tower'][label] > mean['base-lcm'][label]}")
    return lines


def ranking(rows, metric, higher_better):
    mean = {name: statistics.mean(r[metric] for r in runs) for name, runs in rows.items()}
    return sorted(mean, key=lambda n: -mean[n] if higher_better else mean[n])


def main():
    root = pathlib.Path(sys.argv[1])
    table = collect(root)
    out = []
    for enc, rows in table.items():
        out.append(f"### {enc}\n")
        out.append("| model | seeds | " + " | ".join(METRICS) + " |")
        out.append("|---|---|" + "---|" * len(METRICS))
        for name, runs in rows.items():
            out.append(f"| {name} | {len(runs)} | " + " | ".join(
                fmt([r[k] for r in runs]) if k in runs[0] else "–" for k in METRICS) + " |")
        out.append("")
        out.extend("- " + v for v in verdicts(rows))
        out.append("")
    if len(table) == 2:
        out.append("### (c) rankings by encoder\n")
        for metric, higher in (("contrastive", True), ("recall5", True), ("l2", False), ("domain", True)):
            ranks = {enc: ranking(rows, metric, higher) for enc, rows in table.items()}
            same = len(set(tuple(r) for r in ranks.values())) == 1
            out.append(f"- {metric}: " + "; ".join(f"{enc}: {' > '.join(r)}" for enc, r in ranks.items())
                       + f" — same ranking: {same}")
    text = "\n".join(out) + "\n"
    (root / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
