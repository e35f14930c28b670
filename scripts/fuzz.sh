#!/usr/bin/env bash
# Fuzzes CSV ingestion, recipe/config parsing and checkpoint files with cargo fuzz (libFuzzer; needs a nightly
# toolchain and `cargo install cargo-fuzz`). Each target runs SECONDS (default 600) seconds,
# seeded with the malformed-input corpus; crashes land in fuzz/artifacts/<target>/.
#   scripts/fuzz.sh [csv_ingestion|recipe_and_config|checkpoint_files] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export CARGO_TARGET_DIR="$BERT_STUDIO_CACHE/fuzz-target"
cd "$REPO_ROOT"
targets=("${1:-csv_ingestion}")
[ $# -eq 0 ] && targets=(csv_ingestion recipe_and_config checkpoint_files)
seconds="${2:-600}"
mkdir -p fuzz/corpus/csv_ingestion fuzz/corpus/recipe_and_config fuzz/corpus/checkpoint_files
cp src-tauri/engine/tests/corpus/files/* fuzz/corpus/csv_ingestion/
head -c 20000 data/sample/nace_fr.csv > fuzz/corpus/csv_ingestion/sample_head.csv
cp src-tauri/engine/tests/fixtures/tiny-bert/config.json fuzz/corpus/recipe_and_config/
echo '{"epochs": 2, "scheduler": "cosine"}' > fuzz/corpus/recipe_and_config/recipe.json
# Seeds for the checkpoint reader: the files of a real (unfinished) run of the tiny model on
# three classes, stopped while it trains.
seed_run="$(mktemp -d)"
awk -F, 'NR == 1 || ($NF ~ /^(01|10|62)$/ && seen[$NF]++ < 20)' data/sample/nace_fr.csv > "$seed_run/three.csv"
CARGO_TARGET_DIR="$BERT_STUDIO_CACHE/target" cargo build --quiet --workspace --bin bert-studio
"$BERT_STUDIO_CACHE/target/debug/bert-studio" train --input "$seed_run/three.csv" \
  --output "$seed_run/run" --model src-tauri/engine/tests/fixtures/tiny-bert --epochs 1000 \
  --max-seq-len 16 --save-strategy epoch --validation-fraction 0.3 --device cpu >/dev/null 2>&1 &
trainer=$!
until compgen -G "$seed_run/run/checkpoints/epoch-*/trainer_state.json" >/dev/null; do
  kill -0 "$trainer" 2>/dev/null || { echo "the seed run failed" >&2; exit 1; }
  sleep 0.2
done
kill -9 "$trainer"; wait "$trainer" 2>/dev/null || true
for f in "$seed_run"/run/checkpoints/epoch-*/{trainer_state.json,optimizer.safetensors}; do
  if [ -f "$f" ]; then cp "$f" "fuzz/corpus/checkpoint_files/$(basename "$(dirname "$f")")-$(basename "$f")"; fi
done
rm -rf "$seed_run"
for target in "${targets[@]}"; do
  say "fuzzing $target for $seconds s"
  cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096
done
