#!/usr/bin/env bash
# Speed, measured: the same recipe (all-MiniLM-L6-v2, batch 16 × 2 accumulation, max_seq_len
# 128) for a fixed number of optimizer steps on the same rows of the NACE sample, with the
# engine and with the Hugging Face Trainer, one after the other on this machine. Prints
# samples/s and peak memory (max RSS) of each and the ratio engine / PyTorch.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null
STEPS="${STEPS:-20}"
work="$BERT_STUDIO_CACHE/bench-train"
model="$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2"
mkdir -p "$work"
rows=$(( STEPS * 32 ))
# The first rows of a shuffled copy: every class mixed in, the same rows for both.
"$BERT_STUDIO_PYTHON" - "$REPO_ROOT/data/sample/nace_fr.csv" "$work" "$rows" <<'PY'
import csv, random, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
header, body = rows[0], rows[1:]
random.Random(0).shuffle(body)
n = int(sys.argv[3])
for name, part in [("train.csv", body[:n]), ("validation.csv", body[n:n + 64])]:
    with open(f"{sys.argv[2]}/{name}", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(header); w.writerows(part)
PY

cd "$REPO_ROOT"
cargo build --quiet --locked -p bert-studio-engine --bin bert-studio
say "engine: $STEPS steps"
/usr/bin/time -v -o "$work/engine.time" "$CARGO_TARGET_DIR/debug/bert-studio" train --json \
  --input "$work/train.csv" --validation "$work/validation.csv" --model "$model" --epochs 1 \
  --max-seq-len 128 --eval-strategy no --device cpu --output "$work/engine-out" > "$work/engine.jsonl"
say "PyTorch (transformers Trainer): $STEPS steps"
/usr/bin/time -v -o "$work/torch.time" "$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" train \
  --model "$model" --train "$work/train.csv" --validation "$work/validation.csv" --out "$work/torch-out" \
  --max-len 128 --max-steps "$STEPS" > "$work/torch.log" 2>&1

"$BERT_STUDIO_PYTHON" - "$work" "$(peak_rss_mib "$work/engine.time")" "$(peak_rss_mib "$work/torch.time")" <<'PY'
import json, sys
w, engine_rss, torch_rss = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
steps = [json.loads(l) for l in open(f"{w}/engine.jsonl") if '"event":"step"' in l]
engine = steps[-1]["samples_per_second"]
torch_line = [l for l in open(f"{w}/torch.log") if l.startswith("RESULT ")][-1]
torch = json.loads(torch_line[7:])["train_samples_per_second"]
print(f"{'':<10} {'samples/s':>10} {'peak RSS (MiB)':>15}")
print(f"{'engine':<10} {engine:10.2f} {engine_rss:15.0f}")
print(f"{'PyTorch':<10} {torch:10.2f} {torch_rss:15.0f}")
print(f"ratio engine/PyTorch: {engine / torch:.2f}")
PY
