#!/usr/bin/env bash
# Trains what docs/reproduction.md's Monet claims need (issue 18): on the demo's ConceptWorld corpus, per preset
# and seed, a dense Llama and Monet-VD (λ = 1e-3), and on the presets in ALL also Monet-HD (λ = 1e-3) and
# Monet-VD with λ = 0, at the demo's learning rate and steps. Finished runs are kept, stopped ones resumed.
# Then tools/monet/summary.py prints the tables.
#   tools/monet/claims.sh OUT [PRESETS=xs,s] [SEEDS=1,2,3] [JOBS=2] [ALL=xs]
# STEPS=N in the environment trains every preset for N steps instead of the demo's.
set -euo pipefail
out=${1:?usage: claims.sh OUT [PRESETS] [SEEDS] [JOBS]}
presets=${2:-xs,s}
seeds=${3:-1,2,3}
jobs=${4:-2}
all=${5:-xs}
mono4j=${MONO4J:-$(cd "$(dirname "$0")/../.." && pwd)/mono4j}
export OMP_NUM_THREADS=1
mkdir -p "$out"
[ -f "$out/data/stats.json" ] || "$mono4j" data conceptworld --out "$out/data" --docs 20000 --dialects 2 --seed 1 >/dev/null
steps_of() { if [ -n "${STEPS:-}" ]; then echo "$STEPS"; return; fi; case $1 in xs) echo 800 ;; s) echo 1400 ;; m) echo 2000 ;; *) echo "no step count for $1" >&2; exit 2 ;; esac; }
run() { # preset arch lambda seed
  local dir="$out/pretrain/$2-$1-aux$3-seed$4"
  if [ -f "$dir/summary.json" ]; then return; fi
  if [ -f "$dir/checkpoint/state.json" ]; then "$mono4j" pretrain --out "$dir" --resume >"$dir.txt" 2>&1; return; fi
  local aux=(); [ "$2" = llama ] || aux=(--moe-aux-weight "$3")
  "$mono4j" pretrain --train "$out/data/train.txt" --valid "$out/data/valid.txt" --tokenizer "$out/data/tokenizer.json" \
    --out "$dir" --overwrite --arch "$2" --preset "$1" --steps "$(steps_of "$1")" --lr 1e-2 --seed "$4" --eval-every 200 \
    "${aux[@]}" >"$dir.txt" 2>&1
}
export -f run steps_of; export out mono4j STEPS
mkdir -p "$out/pretrain"
for p in ${presets//,/ }; do for s in ${seeds//,/ }; do
  echo "$p llama 0.001 $s"; echo "$p monet-vd 0.001 $s"
  if [[ ",$all," == *",$p,"* ]]; then echo "$p monet-hd 0.001 $s"; echo "$p monet-vd 0 $s"; fi
done; done | xargs -P "$jobs" -L 1 bash -c 'run "$@"' _
echo "done: $out/pretrain"
