#!/usr/bin/env bash
# Quality, proven: the notebook's recipe (max_seq_len 128, everything else at its defaults) on
# the bundled NACE sample with all-MiniLM-L6-v2, trained once by the engine and once by the
# Hugging Face Trainer, on the same stratified split, on this machine; the engine twice: with
# its default length-grouped batches and with plain random batches (the notebook's). Prints each
# run's validation accuracy and macro-F1 and the differences (targets: engine within 2 points of
# the Trainer; grouped within 1 point of random).
#
#   scripts/quality.sh distilbert
# does the same with a second architecture: the same pretrained weights in DistilBERT's layout
# (reference.py as-distilbert; no reachable registry ships a pretrained non-BERT checkpoint).
# Takes a long time on a CPU (tens of minutes); not part of the tests.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
ensure_python_reference
"$REPO_ROOT/scripts/fetch-test-assets.sh" >/dev/null

architecture="${1:-bert}"
work="$BERT_STUDIO_CACHE/quality"
model="$BERT_STUDIO_ASSETS/all-MiniLM-L6-v2"
case "$architecture" in
  bert) ;;
  distilbert)
    work="$BERT_STUDIO_CACHE/quality-distilbert"
    rm -rf "$work/model"
    "$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/reference.py" as-distilbert \
      --model "$model" --out "$work/model" 2>&1 | grep -v -e "Writing model shards" -e "^$" || true
    test -f "$work/model/config.json"
    model="$work/model"
    ;;
  *) echo "usage: scripts/quality.sh [bert|distilbert]" >&2; exit 2 ;;
esac
mkdir -p "$work"
"$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" split \
  --input "$REPO_ROOT/data/sample/nace_fr.csv" --out "$work/split"

cd "$REPO_ROOT"
build_cli
for grouped in true false; do
  say "engine run, group_by_length $grouped"
  rm -rf "$work/engine-run-$grouped"
  "$CARGO_TARGET_DIR/debug/bert-studio" train --input "$work/split/train.csv" \
    --validation "$work/split/validation.csv" --model "$model" --max-seq-len 128 --device cpu \
    --group-by-length "$grouped" --output "$work/engine-run-$grouped"
done

say "Hugging Face Trainer run"
"$BERT_STUDIO_PYTHON" "$REPO_ROOT/scripts/reference/hf_trainer.py" train --model "$model" \
  --train "$work/split/train.csv" --validation "$work/split/validation.csv" \
  --out "$work/hf-run" --max-len 128 | tee "$work/hf.log"

"$BERT_STUDIO_PYTHON" - "$work" "$work/hf.log" <<'PY'
import json, sys
report = lambda grouped: json.load(open(f"{sys.argv[1]}/engine-run-{grouped}/training_report.json"))
engine, random_batches = report("true")["final_metrics"], report("false")["final_metrics"]
seconds = {g: report(g)["wall_seconds"] for g in ("true", "false")}
line = [l for l in open(sys.argv[2]) if l.startswith("RESULT ")][-1]
hf = json.loads(line[len("RESULT "):])["eval"]
rows = [("accuracy", engine["accuracy"], random_batches["accuracy"], hf["eval_accuracy"]),
        ("macro F1", engine["macro_f1"], random_batches["macro_f1"], hf["eval_f1_macro"]),
        ("top-2", engine["top2_accuracy"], random_batches["top2_accuracy"], hf["eval_top2"])]
print(f"{'metric':<10} {'engine':>8} {'random':>8} {'Trainer':>8} {'engine−Trainer':>15} {'engine−random':>14}")
for name, e, r, h in rows:
    print(f"{name:<10} {e:8.4f} {r:8.4f} {h:8.4f} {100 * (e - h):+15.2f} {100 * (e - r):+14.2f}")
print(f"model_type {json.load(open(f'{sys.argv[1]}/engine-run-true/config.json'))['model_type']}")
print(f"engine (length-grouped batches, the default) {seconds['true']:.0f} s, random batches {seconds['false']:.0f} s")
ok = all(abs(e - h) <= 0.02 for _, e, _, h in rows[:2])
print("engine within 2 points of the Trainer" if ok else "engine NOT within 2 points of the Trainer")
ok = abs(rows[1][1] - rows[1][2]) <= 0.01
print("grouped within 1 macro-F1 point of random" if ok else "grouped NOT within 1 macro-F1 point of random")
PY
