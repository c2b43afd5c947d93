#!/usr/bin/env bash
# MoNA on ConceptWorld (issue 19, docs/reproduction.md "MoNA"): precision/recall of each method's 5% selection
# against the target label for three tasks (a domain, a dialect, one sense of a polysemous noun) x SEEDS target
# draws, and downstream: a base model that saw the target domain rarely, fine-tuned on each method's selection,
# then its loss on held-out stories of that domain.
#   OUT=/tmp/mona MONO4J=./mono4j SEEDS="1 2 3" tools/mona/conceptworld.sh; python3 tools/mona/summary.py $OUT
# Reruns skip finished steps. SEL_MODEL may name an existing selection model (a Llama trained as below).
set -euo pipefail
out=${OUT:-/tmp/mona-cw}
m=${MONO4J:-./mono4j}
seeds=${SEEDS:-1 2 3}
ft_steps=${FT_STEPS:-60}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
run() { echo "+ $*" >&2; "$@"; }

# Data: the pool and target stories (seed 7), and the corpus the models learn from (seed 1, as tools/monet/claims.sh).
[ -f "$out/cw/stats.json" ] || run "$m" data conceptworld --docs 12000 --dialects 2 --seed 7 --valid-share 0.2 --out "$out/cw" >/dev/null
[ -f "$out/cw1/stats.json" ] || run "$m" data conceptworld --docs 20000 --dialects 2 --seed 1 --out "$out/cw1" >/dev/null
[ -f "$out/base-train.txt" ] || run python3 "$here/prepare.py" conceptworld "$out/cw/corpus.jsonl" "$out" science 0.02 "$out/cw1/corpus.jsonl"

# The selection model (8 blocks, d 64: preset s) and a TopK SAE (16 x d latents, K = 32: mona.md section 6) on the
# residual stream after its penultimate block.
sel=${SEL_MODEL:-$out/sel-model/final}
if [ ! -f "$sel/config.json" ]; then
  run "$m" pretrain --train "$out/cw1/train.txt" --valid "$out/cw1/valid.txt" --tokenizer "$out/cw1/tokenizer.json" \
    --preset s --steps 1400 --lr 0.01 --seed 1 --eval-every 200 --out "$out/sel-model" >/dev/null 2>&1
fi
hook=blocks.6.hook_resid_post
[ -f "$out/sae-cache/store.json" ] || run "$m" sae cache "$sel" --hook $hook --data "$out/cw1/train.txt" --samples 6000 --out "$out/sae-cache" >/dev/null 2>&1
[ -f "$out/sae/final/cfg.json" ] || run "$m" sae train --architecture topk --activations "$out/sae-cache" --d-sae 1024 --k 32 \
  --steps 3000 --batch-size 1024 --seed 0 --out "$out/sae" >/dev/null 2>&1
# The layer ablation (the paper's Table 12): the same SAE recipe on the middle block's output.
mid=blocks.3.hook_resid_post
[ -f "$out/sae-mid-cache/store.json" ] || run "$m" sae cache "$sel" --hook $mid --data "$out/cw1/train.txt" --samples 6000 --out "$out/sae-mid-cache" >/dev/null 2>&1
[ -f "$out/sae-mid/final/cfg.json" ] || run "$m" sae train --architecture topk --activations "$out/sae-mid-cache" --d-sae 1024 --k 32 \
  --steps 3000 --batch-size 1024 --seed 0 --out "$out/sae-mid" >/dev/null 2>&1
bge=$("$m" models pull bge-small --offline 2>/dev/null | tail -1)

# The downstream base: preset xs, the target domain (science) at 2% of its stories.
if [ ! -f "$out/base/final/config.json" ]; then
  run "$m" pretrain --train "$out/base-train.txt" --valid "$out/cw1/valid.txt" --tokenizer "$out/cw1/tokenizer.json" \
    --preset xs --steps 800 --lr 0.01 --seed 1 --eval-every 400 --out "$out/base" >/dev/null 2>&1
fi

# bge-small is left out by default: its WordPiece splits ConceptWorld's invented words into many pieces (about
# 2 stories/s on one core, over an hour per pass) and knows nothing of them; wordnet.sh runs it on English.
methods=${METHODS:-jaccard cosine euclidean jaccard-sum jaccard-mid raw bm25 random}
select_one() { # task relevance method seed
  local dir="$out/sel/$1-s$4/$3" t="$out/tasks/$1-s$4"
  [ -f "$dir/select.json" ] && grep -q '"done"' "$dir/select.json" && return
  local args=(--pool "$out/pool.jsonl" --targets "$t/targets.jsonl" --relevant "$2" --out "$dir" --overwrite)
  case $3 in
    jaccard|cosine|euclidean) args+=(--method "$3" --model "$sel" --sae "$out/sae/final" --vectors "$out/vectors/sae-mean") ;;
    jaccard-sum) args+=(--method jaccard --aggregate sum --model "$sel" --sae "$out/sae/final" --vectors "$out/vectors/sae-sum") ;;
    jaccard-mid) args+=(--method jaccard --model "$sel" --sae "$out/sae-mid/final" --vectors "$out/vectors/sae-mid") ;;
    raw) args+=(--method raw --model "$sel" --hook $hook --vectors "$out/vectors/raw") ;;
    embedding) args+=(--method embedding --model "$bge" --vectors "$out/vectors/bge") ;;
    bm25) args+=(--method bm25) ;;
    random) args+=(--method random --seed "$4") ;;
  esac
  run "$m" select "${args[@]}" >/dev/null 2>"$dir.log" || { cat "$dir.log" >&2; exit 1; }
}

# name|relevance|targets' conditions: a domain; a dialect; one sense of "bat"; the domain with targets in one dialect
# only (relevance still the domain: does the selection cross to the other dialect? mona.md section 6's TydiQA analogue).
for task in "domain|domain=science|domain=science" "dialect|dialect=kelt|dialect=kelt" \
    "sense|concepts=animals:bat|concepts=animals:bat" "domain-en|domain=science|domain=science dialect=en"; do
  IFS='|' read -r name relevance conditions <<< "$task"
  where=(); for c in $conditions; do where+=(--where "$c"); done
  for seed in $seeds; do
    t="$out/tasks/$name-s$seed"
    [ -f "$t/targets.json" ] || run "$m" data targets --data "$out/valid.jsonl" "${where[@]}" --count 20 --heldout 20 \
      --seed "$seed" --out "$t" >/dev/null
    mkdir -p "$out/sel/$name-s$seed"
    for method in $methods; do select_one "$name" "$relevance" "$method" "$seed"; done
  done
done

# Downstream (domain task): fine-tune the base on each selection, loss on the task's 20 held-out science stories.
for seed in $seeds; do
  for method in $methods; do
    ft="$out/ft/domain-s$seed/$method"
    [ -f "$ft/summary.json" ] && continue
    mkdir -p "$(dirname "$ft")"
    run "$m" pretrain --init "$out/base/final" --train "$out/sel/domain-s$seed/$method/selected.txt" \
      --valid "$out/tasks/domain-s$seed/heldout.txt" --steps "$ft_steps" --lr 1e-3 --warmup 5 --eval-every "$ft_steps" \
      --seed "$seed" --out "$ft" --overwrite >"$ft.log" 2>&1 || { cat "$ft.log" >&2; exit 1; }
  done
done
echo "done: $out (python3 $here/summary.py $out)"
