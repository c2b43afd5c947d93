#!/usr/bin/env python3
"""Fixed pools for the MoNA experiments (tools/mona/*.sh), seeded: one pool per dataset, shared by every target set,
so `select --vectors` computes the pool's vectors once.

  prepare.py conceptworld CORPUS.jsonl OUTDIR RARE_DOMAIN RARE_SHARE TRAIN_CORPUS.jsonl
      OUTDIR/pool.jsonl   the corpus's train-split stories (the pool)
      OUTDIR/valid.jsonl  its valid-split stories without the split field (targets and held-out stories come from here)
      OUTDIR/base-train.txt  TRAIN_CORPUS's train-split stories (another corpus) with RARE_DOMAIN's stories cut to RARE_SHARE of
                          the stories: the downstream base model sees the target domain rarely (mona.md section 6)
  prepare.py wordnet WORDNET.jsonl OUTDIR POOL_SIZE
      OUTDIR/pool.jsonl   POOL_SIZE texts drawn at random (seed 0)
      OUTDIR/rest.jsonl   the other texts (targets and the SAE's training texts come from here)
      OUTDIR/rest.txt     their texts, one per line
"""
import json
import random
import sys


def conceptworld(corpus, out, rare, share, train_corpus):
    with open(corpus) as f, open(f"{out}/pool.jsonl", "w") as pool, open(f"{out}/valid.jsonl", "w") as valid:
        for line in f:
            o = json.loads(line)
            if o["split"] == "train":
                pool.write(line)
            else:
                del o["split"]
                valid.write(json.dumps(o, separators=(",", ":")) + "\n")
    # base-train.txt: keep every story of the other domains and just enough of RARE's for it to be SHARE of the whole.
    stories = [json.loads(l) for l in open(train_corpus)]
    stories = [s for s in stories if s["split"] == "train"]
    others = [s["text"] for s in stories if s["domain"] != rare]
    rare_texts = [s["text"] for s in stories if s["domain"] == rare]
    keep = round(share * len(others) / (1 - share))
    rng = random.Random(0)
    kept = set(rng.sample(range(len(rare_texts)), keep))
    with open(f"{out}/base-train.txt", "w") as f:
        for s in stories:
            if s["domain"] != rare:
                f.write(s["text"] + "\n")
        for i in sorted(kept):
            f.write(rare_texts[i] + "\n")
    print(f"pool and valid from {corpus}; base-train.txt: {len(others)} stories + {keep} of {rare}")


def wordnet(data, out, size):
    lines = open(data).readlines()
    idx = list(range(len(lines)))
    random.Random(0).shuffle(idx)
    chosen = set(idx[:size])
    with open(f"{out}/pool.jsonl", "w") as pool, open(f"{out}/rest.jsonl", "w") as rest, \
            open(f"{out}/rest.txt", "w") as rest_txt:
        for i, line in enumerate(lines):
            if i in chosen:
                pool.write(line)
            else:
                rest.write(line)
                rest_txt.write(json.loads(line)["text"].replace("\n", " ") + "\n")
    print(f"wordnet pool: {size} of {len(lines)} texts")


if __name__ == "__main__":
    if sys.argv[1] == "conceptworld":
        conceptworld(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6])
    else:
        wordnet(sys.argv[2], sys.argv[3], int(sys.argv[4]))
