#!/usr/bin/env bash
# Issue 22, claims 1-2: train the four archs on one factor-graph data set, seed by seed (so a cut-short
# queue leaves whole seeds). Usage: train_factorgraph.sh EXP_DIR STEPS [SEEDS...]
# EXP_DIR holds bin/mono4j.jar (+ bin/lib) and fg/ (./mono4j data factorgraph --seed 3 --out EXP_DIR/fg).
set -euo pipefail
exp="$1"; steps="$2"; shift 2
seeds="${*:-0 1 2}"
export DJL_OFFLINE=true OMP_NUM_THREADS=1
m=(java -Xmx4g -Dai.djl.offline=true -jar "$exp/bin/mono4j.jar")
mkdir -p "$exp/runs"
for seed in $seeds; do
  for arch in llama str workspace-soft workspace-hard; do
    out="$exp/runs/$arch-s$seed"
    [ -f "$out/final/config.json" ] && continue
    # seq-len 16 holds one line (BOS + 13 tokens + EOS = 15); eval every 200 steps for the learning curve.
    "${m[@]}" pretrain --train "$exp/fg/train.txt" --valid "$exp/fg/valid.txt" --tokenizer "$exp/fg/tokenizer.json" \
      --arch "$arch" --preset xs --seq-len 16 --batch-size 32 --steps "$steps" --eval-every 200 \
      --checkpoint-every 0 --seed "$seed" --out "$out" --overwrite > "$out.log" 2>&1 || echo "FAILED $out" >&2
  done
done
