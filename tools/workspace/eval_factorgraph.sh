#!/usr/bin/env bash
# Issue 22, claims 1-2: factorgraph eval (valid and ood, with --blanket) of every run train_factorgraph.sh wrote.
# Usage: eval_factorgraph.sh EXP_DIR   (writes EXP_DIR/eval/RUN.SPLIT.json; skips what exists)
set -euo pipefail
exp="$1"
export DJL_OFFLINE=true OMP_NUM_THREADS=1
m=(java -Xmx4g -Dai.djl.offline=true -jar "$exp/bin-eval/mono4j.jar")
mkdir -p "$exp/eval"
for run in "$exp"/runs/*/; do
  name="$(basename "$run")"
  [ -f "$run/final/config.json" ] || continue
  for split in valid ood; do
    out="$exp/eval/$name.$split.json"
    [ -f "$out" ] && continue
    "${m[@]}" factorgraph eval "$run/final" --data "$exp/fg" --split "$split" --blanket --out "$out" \
      > "$exp/eval/$name.$split.txt" 2>&1 || echo "FAILED $out" >&2
  done
done
