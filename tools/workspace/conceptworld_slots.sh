#!/usr/bin/env bash
# Issue 22, claim 3: monosemanticity of the workspace's slots vs a plain model's residual stream on ConceptWorld
# (labelled concepts). Trains llama and workspace-hard on the same stories, then `measure`s the slots
# (blocks.*.workspace.hook_slots, [batch, pos, slot, d] flattened per position to slot·d) and llama's
# blocks.*.hook_resid_post (texts cut to SEQ_LEN tokens, the models' context). Usage: conceptworld_slots.sh EXP_DIR STEPS SEQ_LEN [SEEDS...]
set -euo pipefail
exp="$1"; steps="$2"; seq="$3"; shift 3
seeds="${*:-0 1 2}"
export DJL_OFFLINE=true OMP_NUM_THREADS=1
m=(java -Xmx4g -Dai.djl.offline=true -jar "$exp/bin-eval/mono4j.jar")
cw="$exp/cw"
mkdir -p "$exp/cwruns"
# The demo's data recipe (DemoConfig.DEFAULT: 20,000 stories, 2 dialects) and its learning rate 1e-2.
[ -f "$cw/train.txt" ] || "${m[@]}" data conceptworld --out "$cw" --docs 20000 --dialects 2 --seed 1 > "$exp/cw.log" 2>&1
for seed in $seeds; do
  for arch in llama workspace-hard; do
    run="$exp/cwruns/$arch-s$seed"
    if [ ! -f "$run/final/config.json" ]; then
      "${m[@]}" pretrain --train "$cw/train.txt" --valid "$cw/valid.txt" --tokenizer "$cw/tokenizer.json" \
        --arch "$arch" --preset xs --seq-len "$seq" --batch-size 32 --steps "$steps" --lr 1e-2 \
        --eval-every "$steps" --checkpoint-every 0 --seed "$seed" --out "$run" --overwrite > "$run.log" 2>&1
    fi
    hooks="blocks.*.hook_resid_post"
    [ "$arch" = workspace-hard ] && hooks="blocks.*.workspace.hook_slots"
    [ -f "$run.measure/metrics.json" ] || "${m[@]}" measure "$run/final" --data conceptworld --hooks "$hooks" \
      --samples 600 --max-tokens "$seq" --seed 0 --out "$run.measure" --overwrite > "$run.measure.log" 2>&1
  done
done
