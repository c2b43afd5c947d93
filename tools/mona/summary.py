#!/usr/bin/env python3
"""Tables of a tools/mona run: precision and recall of each method's selection per task (mean ± sample std over
the seeds, and in how many seeds MoNA's Jaccard beat the method), and, where fine-tuning ran, the held-out loss.
  python3 tools/mona/summary.py OUT   (OUT of conceptworld.sh or wordnet.sh)"""
import json
import math
import os
import re
import sys
from collections import defaultdict

METHODS = ["jaccard", "cosine", "euclidean", "jaccard-sum", "jaccard-mid", "raw", "bm25", "embedding", "random"]


def mean_std(xs):
    m = sum(xs) / len(xs)
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else float("nan")
    return m, s


def table(title, rows, key, fmt="{:.3f}", lower_better=False):
    """rows: {task: {method: {seed: value}}}"""
    print(f"\n### {title}\n")
    tasks = sorted(rows)
    print("| method | " + " | ".join(tasks) + " |")
    print("|---|" + "---|" * len(tasks))
    for method in METHODS:
        cells = []
        for task in tasks:
            by_seed = rows[task].get(method, {})
            if not by_seed:
                cells.append("–")
                continue
            m, s = mean_std(list(by_seed.values()))
            cell = f"{fmt.format(m)} ± {fmt.format(s)}"
            ref = rows[task].get("jaccard", {})
            if method != "jaccard" and ref:
                common = [k for k in by_seed if k in ref]
                wins = sum(1 for k in common if (ref[k] < by_seed[k]) == lower_better and ref[k] != by_seed[k])
                cell += f" ({wins}/{len(common)})"
            cells.append(cell)
        print(f"| {method} | " + " | ".join(cells) + " |")
    print(f"\n(n = seeds; in brackets: seeds where jaccard {'is lower' if lower_better else 'is higher'})")


def main(out):
    precision = defaultdict(lambda: defaultdict(dict))
    recall = defaultdict(lambda: defaultdict(dict))
    kelt = defaultdict(lambda: defaultdict(dict))  # ConceptWorld: the selection's share in the "kelt" dialect
    sel = os.path.join(out, "sel")
    for run in sorted(os.listdir(sel)):
        task, seed = re.match(r"(.+)-s(\d+)$", run).groups()
        for method in METHODS:
            f = os.path.join(sel, run, method, "select.json")
            if not os.path.exists(f):
                continue
            r = json.load(open(f)).get("result")
            if r is None:
                continue
            precision[task][method][seed] = r["precision"]
            lines = [json.loads(l) for l in open(os.path.join(sel, run, method, "selected.jsonl"))]
            if lines and "dialect" in lines[0]:
                kelt[task][method][seed] = sum(l["dialect"] == "kelt" for l in lines) / len(lines)
            if r["recall"] is not None:
                recall[task][method][seed] = r["recall"]
    print(f"# MoNA selection: {out}")
    table("Precision of the selection against the target label", precision, "precision")
    table("Recall (share of the pool's relevant samples selected)", recall, "recall")
    if kelt:
        table("Share of the selection in the kelt dialect (the pool: one half)", kelt, "kelt")
    ft = os.path.join(out, "ft")
    if os.path.isdir(ft):
        loss = defaultdict(lambda: defaultdict(dict))
        base = {}
        for run in sorted(os.listdir(ft)):
            task, seed = re.match(r"(.+)-s(\d+)$", run).groups()
            for method in METHODS:
                f = os.path.join(ft, run, method, "summary.json")
                if os.path.exists(f):
                    s = json.load(open(f))["summary"]
                    loss[task][method][seed] = s["finalValidLoss"]
                    base[seed] = s["initialValidLoss"]
        m, s = mean_std(list(base.values()))
        print(f"\nBase model's held-out loss before fine-tuning: {m:.4f} ± {s:.4f} nats/token")
        table("Held-out target loss after fine-tuning on the selection (nats/token)", loss, "loss", "{:.4f}",
              lower_better=True)


if __name__ == "__main__":
    main(sys.argv[1])
