#!/usr/bin/env bash
# Resection runs of docs/reproduction.md's Monet claims (issue 18), after tools/monet/claims.sh: per seed, the
# Monet-VD model (λ = 1e-3) resected by ConceptWorld domain against random experts and the same seed's dense Llama
# (with the toxicity analogue), and by dialect. Finished runs are kept.
#   tools/monet/resect.sh OUT [PRESET=xs] [SEEDS=1,2,3] [JOBS=1]
set -euo pipefail
out=${1:?usage: resect.sh OUT [PRESET] [SEEDS] [JOBS]}
preset=${2:-xs}
seeds=${3:-1,2,3}
jobs=${4:-1}
mono4j=${MONO4J:-$(cd "$(dirname "$0")/../.." && pwd)/mono4j}
export OMP_NUM_THREADS=1
resect() { # by seed extra...
  local by=$1 seed=$2; shift 2
  local dir="$out/resect/vd-$preset-seed$seed-$by"
  [ -f "$dir/resect.json" ] && return
  "$mono4j" monet resect "$out/pretrain/monet-vd-$preset-aux0.001-seed$seed/final" --data conceptworld --by "$by" \
    --dense "$out/pretrain/llama-$preset-aux0.001-seed$seed/final" --seed "$seed" --out "$dir" --overwrite "$@" \
    >"$dir.txt" 2>&1
}
export -f resect; export out preset mono4j
mkdir -p "$out/resect"
for s in ${seeds//,/ }; do echo "domain $s --toxicity"; echo "dialect $s"; done | xargs -P "$jobs" -L 1 bash -c 'resect "$@"' _
echo "done: $out/resect"
