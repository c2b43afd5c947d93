#!/usr/bin/env bash
# MoNA on real text (issue 19, docs/reproduction.md "MoNA"): WordNet 3.0 noun definitions and examples labelled by
# supersense (Debian package wordnet-base). Pool: POOL texts drawn at random; targets: 20 texts of one supersense
# from the rest. Selection model: the real all-MiniLM-L6-v2 with a TopK SAE on the residual stream after its
# penultimate block, trained on WordNet texts outside the pool; beside BM25, bge-small-en-v1.5 and random.
#   OUT=/tmp/mona-wn MONO4J=./mono4j SEEDS="1 2 3" tools/mona/wordnet.sh; python3 tools/mona/summary.py $OUT
set -euo pipefail
out=${OUT:-/tmp/mona-wn}
m=${MONO4J:-./mono4j}
seeds=${SEEDS:-1 2 3}
pool_size=${POOL:-20000}
supersenses=${SUPERSENSES:-noun.food noun.animal noun.body}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
run() { echo "+ $*" >&2; "$@"; }

[ -f "$out/wn/wordnet.jsonl" ] || run "$m" data wordnet --out "$out/wn" >/dev/null
[ -f "$out/rest.txt" ] || run python3 "$here/prepare.py" wordnet "$out/wn/wordnet.jsonl" "$out" "$pool_size"
minilm=$("$m" models pull minilm --offline 2>/dev/null | tail -1)
bge=$("$m" models pull bge-small --offline 2>/dev/null | tail -1)
hook=blocks.4.hook_resid_post
[ -f "$out/sae-cache/store.json" ] || run "$m" sae cache "$minilm" --hook $hook --data "$out/rest.txt" --samples 20000 \
  --out "$out/sae-cache" >/dev/null 2>&1
[ -f "$out/sae/final/cfg.json" ] || run "$m" sae train --architecture topk --activations "$out/sae-cache" --d-sae 6144 --k 32 \
  --steps 3000 --batch-size 1024 --seed 0 --out "$out/sae" >/dev/null 2>&1

methods="jaccard cosine euclidean jaccard-sum raw bm25 embedding random"
for sense in $supersenses; do
  for seed in $seeds; do
    t="$out/tasks/$sense-s$seed"
    [ -f "$t/targets.json" ] || run "$m" data targets --data "$out/rest.jsonl" --where "supersense=$sense" --count 20 \
      --seed "$seed" --out "$t" >/dev/null
    mkdir -p "$out/sel/$sense-s$seed"
    for method in $methods; do
      dir="$out/sel/$sense-s$seed/$method"
      [ -f "$dir/select.json" ] && grep -q '"done"' "$dir/select.json" && continue
      args=(--pool "$out/pool.jsonl" --targets "$t/targets.jsonl" --relevant "supersense=$sense" --out "$dir" --overwrite
        --batch-size 64)
      case $method in
        jaccard|cosine|euclidean) args+=(--method "$method" --model "$minilm" --sae "$out/sae/final" --vectors "$out/vectors/sae-mean") ;;
        jaccard-sum) args+=(--method jaccard --aggregate sum --model "$minilm" --sae "$out/sae/final" --vectors "$out/vectors/sae-sum") ;;
        raw) args+=(--method raw --model "$minilm" --hook $hook --vectors "$out/vectors/raw") ;;
        embedding) args+=(--method embedding --model "$bge" --vectors "$out/vectors/bge") ;;
        bm25) args+=(--method bm25) ;;
        random) args+=(--method random --seed "$seed") ;;
      esac
      run "$m" select "${args[@]}" >/dev/null 2>"$dir.log" || { cat "$dir.log" >&2; exit 1; }
    done
  done
done
echo "done: $out (python3 $here/summary.py $out)"
