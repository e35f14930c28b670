#!/usr/bin/env bash
# A first look at the CUDA backend on a lent GPU machine (the `device` tool): that machine has
# no Rust toolchain and no network, so binaries built here with `--features cuda` travel in
# .gpu/ (ignored by git, named in the tool's `carry`). Prepare them with
#   scripts/gpu-smoke.sh --prepare
# and run on the device, from the repository root:
#   bash scripts/gpu-smoke.sh
# It runs the parity tests on CUDA and a short training of the tiny fixture on CUDA.
# (The full check of issue 8 — MiniLM and BERT-base speed against PyTorch, half precision —
# is still to be written.)
set -uo pipefail
if [ "${1:-}" = "--prepare" ]; then
  source "$(dirname "$0")/lib.sh"
  cd "$REPO_ROOT"
  grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
  mkdir -p .gpu
  cargo test --quiet --locked -p bert-studio-engine --features cuda --test parity --no-run 2>/dev/null
  parity=$(ls -t "$CARGO_TARGET_DIR"/debug/deps/parity-* | grep -v '\.d$' | head -1)
  cargo build --quiet --locked -p bert-studio-cli --features cuda --bin bert-studio
  rm -f .gpu/*
  # Stripped and compressed: what travels is limited to 64 MiB.
  strip -s -o .gpu/parity "$parity"
  strip -s -o .gpu/bert-studio "$CARGO_TARGET_DIR/debug/bert-studio"
  xz -T2 -6 .gpu/parity .gpu/bert-studio
  du -sh .gpu/*
  exit 0
fi

# On the device. The tests find their fixtures through the path they were built at.
root="$(pwd)"
for f in .gpu/*.xz; do
  python3 -c 'import lzma, sys; open(sys.argv[1][:-3], "wb").write(lzma.open(sys.argv[1]).read())' "$f"
  chmod +x "${f%.xz}"
done
if [ ! -e /work/main/src-tauri ]; then mkdir -p /work && ln -sfn "$root" /work/main; fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "== parity on CUDA"
./.gpu/parity --test-threads 1 cuda 2>&1 | grep -E "^test |test result|panicked|difference" | head -20
echo "== tiny training on CUDA"
head -1 data/sample/nace_fr.csv > /tmp/small.csv
grep -E ',(01|10|62)$' data/sample/nace_fr.csv >> /tmp/small.csv
./.gpu/bert-studio train --input /tmp/small.csv --output /tmp/tiny-cuda --device cuda \
  --model src-tauri/engine/tests/fixtures/tiny-bert --epochs 3 --max-seq-len 32 --learning-rate 2e-3 \
  --train-batch-size 8 --validation-fraction 0.2 2>&1 | tail -12
