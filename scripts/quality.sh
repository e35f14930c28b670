#!/usr/bin/env bash
# Quality, proven: the notebook's recipe (max_seq_len 128, everything else at its defaults) on
# the bundled NACE sample with all-MiniLM-L6-v2, trained once by the engine and once by the
# Hugging Face Trainer, on the same stratified split, on this machine. Prints both runs'
# validation accuracy and macro-F1 and their differences (target: within 2 points).
# Takes a long time on a CPU (tens of minutes); not part of the tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null

work="$BERT_STUDIO_CACHE/quality"
model="$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2"
mkdir -p "$work"
"$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" split \
  --input "$REPO_ROOT/data/sample/nace_fr.csv" --out "$work/split"

say "engine run"
cd "$REPO_ROOT"
cargo build --quiet --locked -p bert-studio-engine --bin bert-studio
"$CARGO_TARGET_DIR/debug/bert-studio" train --input "$work/split/train.csv" \
  --validation "$work/split/validation.csv" --model "$model" --max-seq-len 128 --device cpu \
  --output "$work/engine-run"

say "Hugging Face Trainer run"
"$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" train --model "$model" \
  --train "$work/split/train.csv" --validation "$work/split/validation.csv" \
  --out "$work/hf-run" --max-len 128 | tee "$work/hf.log"

"$BERT_STUDIO_PYTHON" - "$work/engine-run/training_report.json" "$work/hf.log" <<'PY'
import json, sys
engine = json.load(open(sys.argv[1]))["final_metrics"]
line = [l for l in open(sys.argv[2]) if l.startswith("RESULT ")][-1]
hf = json.loads(line[len("RESULT "):])["eval"]
rows = [("accuracy", engine["accuracy"], hf["eval_accuracy"]),
        ("macro F1", engine["macro_f1"], hf["eval_f1_macro"]),
        ("top-2", engine["top2_accuracy"], hf["eval_top2"])]
print(f"{'metric':<10} {'engine':>8} {'Trainer':>8} {'diff (points)':>14}")
for name, e, h in rows:
    print(f"{name:<10} {e:8.4f} {h:8.4f} {100 * (e - h):+14.2f}")
ok = all(abs(e - h) <= 0.02 for _, e, h in rows[:2])
print("within 2 points" if ok else "NOT within 2 points")
PY
