#!/usr/bin/env bash
# Issue 21's claims (docs/reproduction.md, "Large Concept Model"): ConceptWorld, two encoders, Base-LCM and
# Two-Tower × 3 training seeds, evaluated on the test split next to the three baselines.
# Usage: tools/lcm/run.sh OUT [STEPS]   (MONO4J: the launcher or a copied jar; default ./mono4j)
# Every stage skips work whose output already exists, so a stopped run is continued by running it again.
set -euo pipefail
out="${1:?usage: tools/lcm/run.sh OUT [STEPS]}"
steps="${2:-1000}"
m4="${MONO4J:-./mono4j}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
mkdir -p "$out"

# Data as docs/lcm.md's example: 2,000 English stories (seed 1), a test split by --resplit (seed 1).
[ -f "$out/cw/corpus.jsonl" ] || $m4 data conceptworld --out "$out/cw" --docs 2000 --dialects 1
for enc in minilm bge-small; do
  [ -f "$out/concepts-$enc/concepts.json" ] || \
    $m4 lcm embed --data "$out/cw/corpus.jsonl" --encoder "$HOME/.cache/mono4j/models/$enc" --resplit \
      --out "$out/concepts-$enc"
done

# Small size of /work/shared/papers/lcm.md §7: Base-LCM d 256 × 4 layers; Two-Tower 2 + 2 layers (contextualizer,
# denoiser); 4 heads, context 16, 40 DDIM steps (the train defaults otherwise); STEPS steps each.
declare -A size=([base-lcm]="--layers 4" [two-tower]="--layers 2 --denoiser-layers 2")
for enc in minilm bge-small; do
  for model in base-lcm two-tower; do
    for seed in 1 2 3; do
      run="$out/train-$enc-$model-s$seed"
      # shellcheck disable=SC2086
      [ -d "$run/final" ] || $m4 lcm train --concepts "$out/concepts-$enc" --model "$model" ${size[$model]} \
        --d-model 256 --steps "$steps" --seed "$seed" --out "$run" --overwrite
    done
  done
done

# Evaluation on the test split (eval seed 1): the baselines once per encoder, each trained model on its own
# (eval.json names a model by its kind, so the folder name carries encoder, model and seed for summary.py).
for enc in minilm bge-small; do
  [ -f "$out/eval-$enc-baselines/eval.json" ] || $m4 lcm eval --concepts "$out/concepts-$enc" --model copy-last \
    --model mean --model nearest-context --split test --out "$out/eval-$enc-baselines" --overwrite
  for model in base-lcm two-tower; do
    for seed in 1 2 3; do
      [ -f "$out/eval-$enc-$model-s$seed/eval.json" ] || $m4 lcm eval --concepts "$out/concepts-$enc" \
        --model "$out/train-$enc-$model-s$seed/final" --split test --out "$out/eval-$enc-$model-s$seed" --overwrite
    done
  done
done
python3 "$(dirname "$0")/summary.py" "$out"
