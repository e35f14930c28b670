#!/usr/bin/env bash
# Fuzzes CSV ingestion and recipe/config parsing with cargo fuzz (libFuzzer; needs a nightly
# toolchain and `cargo install cargo-fuzz`). Each target runs SECONDS (default 600) seconds,
# seeded with the malformed-input corpus; crashes land in fuzz/artifacts/<target>/.
#   scripts/fuzz.sh [csv_ingestion|recipe_and_config] [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export CARGO_TARGET_DIR="$BERT_STUDIO_CACHE/fuzz-target"
cd "$REPO_ROOT"
targets=("${1:-csv_ingestion}")
[ $# -eq 0 ] && targets=(csv_ingestion recipe_and_config)
seconds="${2:-600}"
mkdir -p fuzz/corpus/csv_ingestion fuzz/corpus/recipe_and_config
cp src-tauri/engine/tests/corpus/files/* fuzz/corpus/csv_ingestion/
head -c 20000 data/sample/nace_fr.csv > fuzz/corpus/csv_ingestion/sample_head.csv
cp src-tauri/engine/tests/fixtures/tiny-bert/config.json fuzz/corpus/recipe_and_config/
echo '{"epochs": 2, "scheduler": "cosine"}' > fuzz/corpus/recipe_and_config/recipe.json
for target in "${targets[@]}"; do
  say "fuzzing $target for $seconds s"
  cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096
done
